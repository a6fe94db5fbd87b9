#include "riskkit/rules/rule_set.hpp"

#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "rules/program.hpp"
#include "rules/rule_program.hpp"

namespace riskkit {

const char *to_string(Action action) noexcept {
  switch (action) {
    case Action::flag: return "flag";
    case Action::review: return "review";
    case Action::decline: return "decline";
    case Action::allow: return "allow";
  }
  return "unknown";
}

bool parse_action(std::string_view text, Action &out) noexcept {
  for (const Action a : {Action::flag, Action::review, Action::decline, Action::allow}) {
    if (text == to_string(a)) {
      out = a;
      return true;
    }
  }
  return false;
}

const char *to_string(RuleMode mode) noexcept { return mode == RuleMode::shadow ? "shadow" : "active"; }

bool parse_rule_mode(std::string_view text, RuleMode &out) noexcept {
  if (text == "active") out = RuleMode::active;
  else if (text == "shadow") out = RuleMode::shadow;
  else return false;
  return true;
}

RuleSet::RuleSet(std::vector<Rule> rules) : rules_(std::move(rules)) {
  std::unordered_set<std::string_view> ids;
  for (const auto &rule : rules_) {
    if (!ids.insert(rule.id).second) throw Error(ErrorCode::invalid_bundle, fmt::format("duplicate rule id '{}'", rule.id));
    if (rule.when.type() != rules::Type::boolean) {
      throw Error(ErrorCode::invalid_bundle, fmt::format("rule '{}': 'when' must be bool, got {}", rule.id,
                                                         rules::to_string(rule.when.type())));
    }
    if (!std::isfinite(rule.score))
      throw Error(ErrorCode::invalid_bundle, fmt::format("rule '{}': score must be a finite number", rule.id));
  }
  std::vector<rules::LinkedRule> linked;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].enabled) linked.push_back({i, &rules::program_of(rules_[i].when)});
  }
  program_ = std::make_shared<const rules::Program>(rules::link_rules(linked));
}

void RuleSet::evaluate(std::span<const Value> slots, std::vector<std::size_t> &hits,
                       std::vector<std::size_t> *divided_by_zero) const {
  if (program_) rules::run_rules(*program_, slots, hits, divided_by_zero);
}

}  // namespace riskkit
