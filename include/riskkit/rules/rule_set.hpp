#pragma once
/// \file
/// Rules: an ordered list of (id, when, action, reason).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit {

/// What a rule does when it fires, weakest first. The decision takes the strongest
/// action among the rules that fired.
enum class Action : std::uint8_t { flag = 1, review = 2, decline = 3 };

/// "flag", "review", "decline"; parse_action returns false for anything else.
RK_API const char *to_string(Action action) noexcept;
RK_API bool parse_action(std::string_view text, Action &out) noexcept;

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
};

/// An immutable, ordered rule set; evaluate() is thread-safe.
class RK_API RuleSet {
 public:
  RuleSet() = default;
  /// Throws Error(invalid_bundle) for duplicate ids or a non-boolean `when`.
  explicit RuleSet(std::vector<Rule> rules);

  const std::vector<Rule> &rules() const noexcept { return rules_; }
  /// Appends the index of every rule whose `when` is true, in rule order.
  void evaluate(std::span<const Value> slots, std::vector<std::size_t> &hits) const;

 private:
  std::vector<Rule> rules_;
};

}  // namespace riskkit
