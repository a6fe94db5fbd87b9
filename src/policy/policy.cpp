#include "riskkit/policy/policy.hpp"

#include <cmath>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit {

const char *to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::approve: return "approve";
    case Outcome::review: return "review";
    case Outcome::decline: return "decline";
  }
  return "unknown";
}

bool parse_outcome(std::string_view text, Outcome &out) noexcept {
  if (text == "approve") out = Outcome::approve;
  else if (text == "review") out = Outcome::review;
  else if (text == "decline") out = Outcome::decline;
  else return false;
  return true;
}

std::optional<Outcome> outcome_of(Action action) noexcept {
  switch (action) {
    case Action::review: return Outcome::review;
    case Action::decline: return Outcome::decline;
    case Action::flag:
    case Action::allow: return std::nullopt;
  }
  return std::nullopt;
}

const char *to_string(AllowOverride value) noexcept {
  switch (value) {
    case AllowOverride::nothing: return "nothing";
    case AllowOverride::rules: return "rules";
    case AllowOverride::everything: return "everything";
  }
  return "unknown";
}

bool parse_allow_override(std::string_view text, AllowOverride &out) noexcept {
  for (const AllowOverride v : {AllowOverride::nothing, AllowOverride::rules, AllowOverride::everything}) {
    if (text == to_string(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

std::vector<StageOutcome> default_outcomes(std::string_view stage) {
  using O = Outcome;
  if (stage == "application") return {{"approve", O::approve}, {"review", O::review}, {"decline", O::decline}};
  if (stage == "behaviour")
    return {{"raise", O::approve}, {"keep", O::approve}, {"review", O::review}, {"cut", O::decline}};
  if (stage == "collection")
    return {{"sms", O::approve}, {"robot_call", O::approve}, {"agent_call", O::review}, {"legal", O::decline}};
  if (stage == "acquisition") return {{"target", O::approve}, {"hold", O::review}, {"exclude", O::decline}};
  return {};
}

Policy::Policy(PolicyConfig config) : config_(std::move(config)) {
  if (config_.outcomes.empty()) config_.outcomes = default_outcomes("application");
  const auto &o = config_.outcomes;
  for (std::size_t i = 1; i < o.size(); ++i)
    if (o[i].kind < o[i - 1].kind)
      throw Error(ErrorCode::invalid_bundle,
                  fmt::format("outcome '{}' ({}) follows '{}' ({}): outcomes go from least to most severe", o[i].name,
                              to_string(o[i].kind), o[i - 1].name, to_string(o[i - 1].kind)));
  const auto first_of = [&](Outcome kind) -> std::size_t {
    for (std::size_t i = 0; i < o.size(); ++i)
      if (o[i].kind == kind) return i;
    throw Error(ErrorCode::invalid_bundle, fmt::format("the outcomes need one of kind '{}'", to_string(kind)));
  };
  review_ = first_of(Outcome::review);
  decline_ = first_of(Outcome::decline);
  bool in_range = config_.default_outcome < o.size();
  for (const Cutoff &c : config_.cutoffs) in_range = in_range && c.outcome < o.size();
  if (!in_range) throw Error(ErrorCode::invalid_bundle, "a policy outcome index is out of range");
}

std::optional<std::size_t> Policy::outcome_of_action(Action action) const noexcept {
  switch (action) {
    case Action::review: return review_;
    case Action::decline: return decline_;
    case Action::flag:
    case Action::allow: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::size_t> Policy::find_outcome(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < config_.outcomes.size(); ++i)
    if (config_.outcomes[i].name == name) return i;
  return std::nullopt;
}

PolicyResult Policy::evaluate(std::optional<Action> strongest_rule_action, std::span<const double> scores,
                              bool allow_hit, const std::vector<Cutoff> *cutoffs) const noexcept {
  const std::vector<Cutoff> &cuts = cutoffs ? *cutoffs : config_.cutoffs;
  PolicyResult result;
  result.outcome = config_.default_outcome;
  const bool override_rules = allow_hit && config_.allow_overrides != AllowOverride::nothing;
  const bool override_all = allow_hit && config_.allow_overrides == AllowOverride::everything;
  if (strongest_rule_action) {
    const auto o = outcome_of_action(*strongest_rule_action);
    if (o && override_rules) result.rules_overridden = true;
    else if (o && *o > result.outcome) result.outcome = *o;
  }
  if (override_all) result.outcome = 0;
  for (std::size_t i = 0; i < cuts.size() && !override_all; ++i) {
    const Cutoff &c = cuts[i];
    const double s = scores[c.score];
    if (std::isnan(s)) continue;
    if (c.above ? s > c.threshold : s < c.threshold) {
      result.cutoff = i;
      if (c.outcome > result.outcome) result.outcome = c.outcome;
      break;
    }
  }
  result.kind = config_.outcomes[result.outcome].kind;
  if (config_.grade_score && !std::isnan(scores[*config_.grade_score])) {
    const double s = scores[*config_.grade_score];
    for (const GradeBand &band : config_.bands) {
      if (!band.below || s < *band.below) {
        result.grade = band.grade;
        break;
      }
    }
  }
  return result;
}

}  // namespace riskkit
