#include "riskkit/policy/policy.hpp"

#include <cmath>

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

Policy::Policy(std::vector<Cutoff> cutoffs, Outcome default_outcome, std::optional<std::size_t> grade_score,
               std::vector<GradeBand> bands, std::size_t top_reasons, AllowOverride allow_overrides)
    : cutoffs_(std::move(cutoffs)),
      default_(default_outcome),
      grade_score_(grade_score),
      bands_(std::move(bands)),
      top_reasons_(top_reasons),
      allow_overrides_(allow_overrides) {}

PolicyResult Policy::evaluate(std::optional<Action> strongest_rule_action, std::span<const double> scores,
                              bool allow_hit) const noexcept {
  PolicyResult result;
  result.outcome = default_;
  const bool override_rules = allow_hit && allow_overrides_ != AllowOverride::nothing;
  const bool override_all = allow_hit && allow_overrides_ == AllowOverride::everything;
  if (strongest_rule_action) {
    const auto o = outcome_of(*strongest_rule_action);
    if (o && override_rules) result.rules_overridden = true;
    else if (o && *o > result.outcome) result.outcome = *o;
  }
  if (override_all) result.outcome = Outcome::approve;
  for (std::size_t i = 0; i < cutoffs_.size() && !override_all; ++i) {
    const Cutoff &c = cutoffs_[i];
    const double s = scores[c.score];
    if (std::isnan(s)) continue;
    if (c.above ? s > c.threshold : s < c.threshold) {
      result.cutoff = i;
      if (c.outcome > result.outcome) result.outcome = c.outcome;
      break;
    }
  }
  if (grade_score_ && !std::isnan(scores[*grade_score_])) {
    const double s = scores[*grade_score_];
    for (const GradeBand &band : bands_) {
      if (!band.below || s < *band.below) {
        result.grade = band.grade;
        break;
      }
    }
  }
  return result;
}

}  // namespace riskkit
