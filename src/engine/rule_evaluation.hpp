#pragma once
// The rule stage of a decision: hits (active and shadow) into the Decision, the rule
// score, and what the policy needs from them (docs/bundle-format.md, `rules`).

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit::detail {

/// What the policy takes from the rules: only active hits count.
struct RuleStage {
  std::optional<Action> strongest;  ///< the strongest of decline > review > flag among active hits
  bool allow_hit = false;           ///< an active allow rule fired
};

/// Evaluates `rules` over `slots`, appends every hit to d.rule_hits (in rule order, shadow
/// hits included), sets d.rule_score to the sum of the active hits' scores and adds one
/// issue {"rule:<id>", "division by zero"} per rule whose evaluation divided by zero.
/// `hits` and `divided` are scratch buffers.
RuleStage run_rules(const RuleSet &rules, std::span<const Value> slots, std::vector<std::size_t> &hits,
                    std::vector<std::size_t> &divided, Decision &d);

/// Reasons for a cutoff on `rule_score`: the active hits that added a positive score,
/// largest first (ties in rule order), each with its score as weight, skipping rules
/// already among `reasons`, up to `top` reasons in all.
void add_rule_score_reasons(const Decision &d, std::size_t top, std::vector<Reason> &reasons);

}  // namespace riskkit::detail
