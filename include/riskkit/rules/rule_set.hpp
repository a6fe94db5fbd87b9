#pragma once
/// \file
/// Rules: an ordered list of (id, when, action, reason, score, tags, mode). Semantics of
/// a rule set inside a decision: docs/bundle-format.md, section `rules`.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit {

/// What a rule does when it fires. `flag` < `review` < `decline` in strength; `allow`
/// (an allow-list hit) stands apart: it overrides declines and reviews as the policy's
/// `allow_overrides` says. Values are stable and never renumbered.
enum class Action : std::uint8_t { flag = 1, review = 2, decline = 3, allow = 4 };

/// "flag", "review", "decline", "allow"; parse_action returns false for anything else.
RK_API const char *to_string(Action action) noexcept;
RK_API bool parse_action(std::string_view text, Action &out) noexcept;

/// Whether a rule acts. A `shadow` rule is evaluated and reported (in Decision::rule_hits
/// and back-tests) but never changes the outcome, the reasons or the rule score.
enum class RuleMode : std::uint8_t { active = 0, shadow = 1 };

/// "active", "shadow"; parse_rule_mode returns false for anything else.
RK_API const char *to_string(RuleMode mode) noexcept;
RK_API bool parse_rule_mode(std::string_view text, RuleMode &out) noexcept;

/// A reason for a decision, as shown to an applicant or an analyst.
struct ReasonCode {
  std::string code;
  std::string text;
};

/// One compiled rule.
struct Rule {
  std::string id;
  rules::Expression when;
  Action action = Action::flag;
  ReasonCode reason;
  double score = 0;               ///< added to Decision::rule_score when an active rule fires
  std::vector<std::string> tags;  ///< free labels for reporting ("velocity", "device", ...)
  RuleMode mode = RuleMode::active;
  bool enabled = true;            ///< a disabled rule is compiled (so it stays valid) but never evaluated
  std::string description;
};

/// An immutable, ordered rule set; evaluate() is thread-safe.
///
///     std::vector<std::size_t> hits, divided;
///     rule_set.evaluate(slots, hits, &divided);   // indices into rules(), in rule order
class RK_API RuleSet {
 public:
  RuleSet() = default;
  /// Throws Error(invalid_bundle) for duplicate ids, a non-boolean `when` or a
  /// non-finite score.
  explicit RuleSet(std::vector<Rule> rules);

  const std::vector<Rule> &rules() const noexcept { return rules_; }
  /// Appends the index of every enabled rule (active or shadow) whose `when` is true, in
  /// rule order. When `divided_by_zero` is given, appends the index of every rule whose
  /// evaluation divided by zero (see EvalFlags), whether it fired or not.
  void evaluate(std::span<const Value> slots, std::vector<std::size_t> &hits,
                std::vector<std::size_t> *divided_by_zero = nullptr) const;

 private:
  std::vector<Rule> rules_;
  /// Every enabled rule linked into one program (src/rules/rule_program.hpp), so a record
  /// is one VM run; null for an empty set.
  std::shared_ptr<const rules::Program> program_;
};

}  // namespace riskkit
