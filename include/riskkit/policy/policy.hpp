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

/// One outcome a stage's policy can give, e.g. {"cut", Outcome::decline}. `kind` places it
/// in approve/review/decline terms: approve = decided automatically in the customer's
/// favour (or neutrally), review = sent to a person, decline = adverse (reasons owed).
/// A policy's outcomes are ordered least severe first; kinds never decrease along it.
struct StageOutcome {
  std::string name;
  Outcome kind = Outcome::approve;
};

/// The outcomes of a lifecycle stage, least severe first (docs/stages.md):
/// application approve/review/decline; behaviour raise/keep/review/cut; collection
/// sms/robot_call/agent_call/legal; acquisition target/hold/exclude. Empty for any other
/// text.
RK_API std::vector<StageOutcome> default_outcomes(std::string_view stage);

/// One score threshold: when `score` is above (or below) `threshold`, the outcome is at
/// least `outcome`.
struct Cutoff {
  std::size_t score = 0;    ///< index into the scores passed to Policy::evaluate
  bool above = true;        ///< true: score > threshold; false: score < threshold
  double threshold = 0;
  std::size_t outcome = 1;  ///< index into Policy::outcomes()
  std::optional<ReasonCode> reason;
};

/// A grade band: the first band whose `below` exceeds the score; the last may be open.
struct GradeBand {
  std::string grade;
  std::optional<double> below;
};

/// What Policy::evaluate concluded.
struct PolicyResult {
  std::size_t outcome = 0;              ///< index into Policy::outcomes()
  Outcome kind = Outcome::approve;      ///< outcomes()[outcome].kind
  std::optional<std::size_t> cutoff;    ///< the cutoff that matched (index into the cutoffs used), if any
  std::string grade;                    ///< "" when there are no bands or the score is missing
  bool rules_overridden = false;        ///< an allow hit set aside the rules' decline/review
};

/// Everything a Policy is made of. `outcomes` empty = the application stage's.
struct PolicyConfig {
  std::vector<StageOutcome> outcomes;
  std::vector<Cutoff> cutoffs;
  std::size_t default_outcome = 0;  ///< index into outcomes
  std::optional<std::size_t> grade_score;
  std::vector<GradeBand> bands;
  std::size_t top_reasons = 4;
  AllowOverride allow_overrides = AllowOverride::rules;
};

/// An immutable decision policy; evaluate() is thread-safe.
class RK_API Policy {
 public:
  Policy() : Policy(PolicyConfig{}) {}
  /// Throws Error(invalid_bundle) when the outcomes' kinds decrease, when there is no
  /// outcome of kind review or decline, or when an index is out of range.
  explicit Policy(PolicyConfig config);

  /// Combines the strongest rule action (a decline rule → the first outcome of kind
  /// decline, a review rule → the first of kind review) with the first matching cutoff
  /// and the default: the most severe wins. `allow_hit` says an active allow rule fired;
  /// what it overrides is allow_overrides(). `cutoffs` replaces the policy's own (a
  /// segment's or challenger arm's); null = cutoffs(). A missing (NaN) score matches no
  /// cutoff and gets no grade.
  PolicyResult evaluate(std::optional<Action> strongest_rule_action, std::span<const double> scores,
                        bool allow_hit = false, const std::vector<Cutoff> *cutoffs = nullptr) const noexcept;

  AllowOverride allow_overrides() const noexcept { return config_.allow_overrides; }
  const std::vector<StageOutcome> &outcomes() const noexcept { return config_.outcomes; }
  const std::vector<Cutoff> &cutoffs() const noexcept { return config_.cutoffs; }
  std::size_t default_outcome() const noexcept { return config_.default_outcome; }
  std::size_t top_reasons() const noexcept { return config_.top_reasons; }
  /// The outcome a rule action asks for, or nullopt (flag, allow).
  std::optional<std::size_t> outcome_of_action(Action action) const noexcept;
  /// The first outcome of kind review: what a fail-closed velocity failure gives at least.
  std::size_t review_outcome() const noexcept { return review_; }
  /// Index of the outcome named `name`, or nullopt.
  std::optional<std::size_t> find_outcome(std::string_view name) const noexcept;

 private:
  PolicyConfig config_;
  std::size_t review_ = 1, decline_ = 2;
};

}  // namespace riskkit
