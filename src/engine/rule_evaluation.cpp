#include "engine/rule_evaluation.hpp"

#include <algorithm>

namespace riskkit::detail {

RuleStage run_rules(const RuleSet &rules, std::span<const Value> slots, std::vector<std::size_t> &hits,
                    std::vector<std::size_t> &divided, Decision &d) {
  hits.clear();
  divided.clear();
  rules.evaluate(slots, hits, &divided);
  RuleStage stage;
  for (const std::size_t h : hits) {
    const Rule &rule = rules.rules()[h];
    d.rule_hits.push_back(RuleHit{rule.id, rule.action, rule.reason, rule.mode, rule.score, rule.tags});
    if (rule.mode == RuleMode::shadow) continue;
    d.rule_score += rule.score;
    if (rule.action == Action::allow) stage.allow_hit = true;
    else if (!stage.strongest || rule.action > *stage.strongest) stage.strongest = rule.action;
  }
  for (const std::size_t i : divided) d.issues.push_back(FieldIssue{"rule:" + rules.rules()[i].id, "division by zero", false});
  return stage;
}

void add_rule_score_reasons(const Decision &d, std::size_t top, std::vector<Reason> &reasons) {
  std::vector<const RuleHit *> scored;
  for (const RuleHit &h : d.rule_hits)
    if (h.mode == RuleMode::active && h.score > 0) scored.push_back(&h);
  std::stable_sort(scored.begin(), scored.end(), [](const RuleHit *a, const RuleHit *b) { return a->score > b->score; });
  for (const RuleHit *h : scored) {
    if (reasons.size() >= top) return;
    std::string source = "rule:" + h->rule_id;
    if (std::any_of(reasons.begin(), reasons.end(), [&](const Reason &r) { return r.source == source; })) continue;
    reasons.push_back(Reason{h->reason.code, h->reason.text, std::move(source), h->score});
  }
}

}  // namespace riskkit::detail
