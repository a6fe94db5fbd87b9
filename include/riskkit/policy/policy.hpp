#pragma once
/// \file
/// Policy: how rule hits and scores become an outcome, a grade and principal reasons.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/export.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit {

/// The outcome of a decision, most favourable first.
enum class Outcome : std::uint8_t { approve = 0, review = 1, decline = 2 };

/// "approve", "review", "decline"; parse_outcome returns false for anything else.
RK_API const char *to_string(Outcome outcome) noexcept;
RK_API bool parse_outcome(std::string_view text, Outcome &out) noexcept;

/// The outcome a rule action asks for: review → review, decline → decline, flag and
/// allow → none (allow acts through Policy's AllowOverride instead).
RK_API std::optional<Outcome> outcome_of(Action action) noexcept;

/// What an active `allow` rule hit overrides (bundle key `policy.allow_overrides`).
enum class AllowOverride : std::uint8_t {
  nothing = 0,     ///< "nothing": an allow hit is recorded like a flag
  rules = 1,       ///< "rules" (default): decline/review rule hits do not set the outcome; cutoffs still apply
  everything = 2,  ///< "everything": the outcome is approve; neither rules nor cutoffs apply
};

/// "nothing", "rules", "everything"; parse_allow_override returns false for anything else.
RK_API const char *to_string(AllowOverride value) noexcept;
RK_API bool parse_allow_override(std::string_view text, AllowOverride &out) noexcept;

/// One principal reason for the outcome. `source` says where it came from:
/// "rule:<id>", "policy:<score>" or "model:<model>:<feature>"; `weight` is the
/// feature's contribution to the model margin (0 for rules and policy).
struct Reason {
  std::string code;
  std::string text;
  std::string source;
  double weight = 0;
};

/// One score threshold: when `score` is above (or below) `threshold`, the outcome is at
/// least `outcome`.
struct Cutoff {
  std::size_t score = 0;  ///< index into the scores passed to Policy::evaluate
  bool above = true;      ///< true: score > threshold; false: score < threshold
  double threshold = 0;
  Outcome outcome = Outcome::review;
  std::optional<ReasonCode> reason;
};

/// A grade band: the first band whose `below` exceeds the score; the last may be open.
struct GradeBand {
  std::string grade;
  std::optional<double> below;
};

/// What Policy::evaluate concluded.
struct PolicyResult {
  Outcome outcome = Outcome::approve;
  std::optional<std::size_t> cutoff;  ///< the cutoff that matched, if any
  std::string grade;                  ///< "" when there are no bands or the score is missing
  bool rules_overridden = false;      ///< an allow hit set aside the rules' decline/review
};

/// An immutable decision policy; evaluate() is thread-safe.
class RK_API Policy {
 public:
  Policy() = default;
  Policy(std::vector<Cutoff> cutoffs, Outcome default_outcome, std::optional<std::size_t> grade_score,
         std::vector<GradeBand> bands, std::size_t top_reasons, AllowOverride allow_overrides = AllowOverride::rules);

  /// Combines the strongest rule action (decline > review > flag) with the first
  /// matching cutoff and the default. `allow_hit` says an active allow rule fired; what
  /// it overrides is allow_overrides(). A missing (NaN) score matches no cutoff and gets
  /// no grade.
  PolicyResult evaluate(std::optional<Action> strongest_rule_action, std::span<const double> scores,
                        bool allow_hit = false) const noexcept;

  AllowOverride allow_overrides() const noexcept { return allow_overrides_; }

  const std::vector<Cutoff> &cutoffs() const noexcept { return cutoffs_; }
  Outcome default_outcome() const noexcept { return default_; }
  std::size_t top_reasons() const noexcept { return top_reasons_; }

 private:
  std::vector<Cutoff> cutoffs_;
  Outcome default_ = Outcome::approve;
  std::optional<std::size_t> grade_score_;
  std::vector<GradeBand> bands_;
  std::size_t top_reasons_ = 4;
  AllowOverride allow_overrides_ = AllowOverride::rules;
};

}  // namespace riskkit
