#include "engine/decide.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "engine/bundle_content.hpp"
#include "engine/rule_evaluation.hpp"
#include "engine/table_stage.hpp"
#include "policy/reasons.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// Per-thread buffers reused across decisions, so deciding allocates little beyond its result.
struct Scratch {
  std::vector<Value> slots;
  std::vector<std::size_t> hits;
  std::vector<std::size_t> divided;  // rules whose evaluation divided by zero
  std::vector<float> row;
  std::vector<double> outputs;
  std::vector<double> scores;
  std::vector<double> contributions;
};

Scratch &scratch() {
  thread_local Scratch s;
  return s;
}

// Fills `row` with the model's inputs as float32, exactly as the model will see them.
void gather_row(const BundleModel &m, const std::vector<Value> &slots, std::vector<float> &row) {
  row.resize(m.input_slots.size());
  for (std::size_t i = 0; i < m.input_slots.size(); ++i) row[i] = static_cast<float>(slots[m.input_slots[i]].to_double());
}

// +1 when a larger margin means a larger score, -1 when the score falls as the margin rises.
int margin_direction(const BundleModel &m) { return m.output == PredictOutput::value ? m.model->value_direction() : 1; }

std::string text_of(const Value &v) {
  switch (v.type()) {
    case ValueType::string: return v.as_string();
    case ValueType::number: return fmt::format("{}", v.as_number());
    default: return {};
  }
}

// Passes every request to the engine's store and keeps what it answered, for the audit log.
class CapturingStore final : public VelocityStore {
 public:
  CapturingStore(VelocityStore &inner, std::vector<std::pair<std::string, VelocityResult>> &out)
      : inner_(inner), out_(out) {}
  void apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept override {
    inner_.apply(requests, results);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const std::string &id = requests[i].window->state_id;
      out_.emplace_back(id.substr(0, id.rfind('#')), results[i]);
    }
  }
  VelocityStats stats() const override { return inner_.stats(); }

 private:
  VelocityStore &inner_;
  std::vector<std::pair<std::string, VelocityResult>> &out_;
};

void conform(const BundleContent &c, const EngineRuntime &rt, const Record &record, std::vector<Value> &slots,
             std::vector<FieldIssue> &issues) {
  c.schema.conform(record, slots, issues);
  if (std::any_of(issues.begin(), issues.end(), [](const FieldIssue &i) { return i.fatal; })) {
    std::string message = "record";
    for (const FieldIssue &i : issues)
      if (i.fatal) message += fmt::format(": field '{}': {}", i.field, i.message);
    throw Error(ErrorCode::invalid_record, message);
  }
  pseudonymize(c, rt, slots, issues);
}

// Conformed (or replayed) and pseudonymized fields, then the features. Returns true when
// velocity state was unavailable.
bool prepare(const BundleContent &c, const EngineRuntime &rt, const Record *record, const ReplayInputs *replay,
             AuditCapture *capture, std::vector<Value> &slots, std::vector<FieldIssue> &issues) {
  VelocityStore *velocity = replay ? replay->velocity : rt.velocity.get();
  if (!replay && !capture) return prepare_record(c, rt, *record, velocity, slots, issues);
  if (replay) {
    slots.assign(replay->fields.begin(), replay->fields.end());
    issues = replay->input_issues;
  } else {
    conform(c, rt, *record, slots, issues);
  }
  if (!capture) return compute_features(c, velocity, slots, issues);
  capture->fields.assign(slots.begin(), slots.begin() + static_cast<std::ptrdiff_t>(c.schema.size()));
  capture->input_issues = issues.size();
  capture->velocity.clear();
  CapturingStore capturing(*velocity, capture->velocity);
  const bool failed = compute_features(c, &capturing, slots, issues);
  capture->features.resize(c.features.num_features());
  for (std::size_t i = 0; i < capture->features.size(); ++i)
    capture->features[i] = slots[c.features.first_feature_slot() + i].to_double();
  return failed;
}

const ChallengerArm *arm_of(const ChallengerSplit &split, const Value &id) {
  if (id.is_missing()) return &split.arms.front();
  const std::uint32_t bucket = challenger_bucket(split.salt, text_of(id));
  for (const ChallengerArm &arm : split.arms)
    if (bucket < arm.upper) return &arm;
  return &split.arms.back();
}

// Principal reasons for an outcome other than the most favourable: the active rules that
// asked for it, then the deciding cutoff's own reason and its model's (or rules') drivers.
void add_reasons(const BundleContent &c, const std::vector<Cutoff> &cutoffs, const PolicyResult &result,
                 Scratch &s, Decision &d) {
  const std::size_t top = c.policy.top_reasons();
  for (const RuleHit &h : d.rule_hits)
    if (!result.rules_overridden && h.mode == RuleMode::active && c.policy.outcome_of_action(h.action) == result.outcome &&
        d.reasons.size() < top)
      d.reasons.push_back(Reason{h.reason.code, h.reason.text, "rule:" + h.rule_id, 0});
  if (!result.cutoff || cutoffs[*result.cutoff].outcome != result.outcome) return;
  const Cutoff &cut = cutoffs[*result.cutoff];
  if (cut.score == c.models.size()) {  // rule_score
    if (cut.reason && d.reasons.size() < top)
      d.reasons.push_back(Reason{cut.reason->code, cut.reason->text, "policy:rule_score", 0});
    add_rule_score_reasons(d, top, d.reasons);
    return;
  }
  const BundleModel &m = c.models[cut.score];
  if (cut.reason && d.reasons.size() < top)
    d.reasons.push_back(Reason{cut.reason->code, cut.reason->text, "policy:" + m.name, 0});
  // Already `top` reasons, one of them specific (a rule's): the model's factors could not
  // be listed, so its contributions — most of an adverse decision's time — are not computed.
  if (d.reasons.size() >= top &&
      std::any_of(d.reasons.begin(), d.reasons.end(), [](const Reason &r) { return r.source.starts_with("rule:"); }))
    return;
  const std::size_t width = m.model->num_features() + 1;
  s.contributions.resize(m.model->num_outputs() * width);
  gather_row(m, s.slots, s.row);
  PredictOptions single;
  single.nthread = 1;
  single.output = m.output;
  m.model->contributions(s.row.data(), 1, s.row.size(), single, s.contributions.data());
  const std::span<const double> per_input(s.contributions.data() + m.score_output * width, width - 1);
  std::span<const double> baseline;
  if (c.reason_baseline == ReasonBaseline::best) baseline = m.best_points_offset;
  else if (c.reason_baseline == ReasonBaseline::cutoff) baseline = c.cutoff_baselines.at({cut.score, cut.threshold});
  add_model_reasons(per_input, baseline, m.reason_units, (cut.above ? 1 : -1) * margin_direction(m), m.name, top,
                    d.reasons);
}

void set_outcome(const Policy &policy, std::size_t index, Decision &d) {
  d.outcome = policy.outcomes()[index].kind;
  d.action = policy.outcomes()[index].name;
}

}  // namespace

bool prepare_record(const BundleContent &content, const EngineRuntime &runtime, const Record &record,
                    VelocityStore *velocity, std::vector<Value> &slots, std::vector<FieldIssue> &issues) {
  conform(content, runtime, record, slots, issues);
  return compute_features(content, velocity, slots, issues);
}

std::uint32_t challenger_bucket(std::string_view salt, std::string_view id) {
  std::string text;
  text.reserve(salt.size() + 1 + id.size());
  text.append(salt).push_back('\x1f');
  text.append(id);
  const std::string hex = sha256_hex(text);
  const std::uint64_t prefix = std::stoull(hex.substr(0, 16), nullptr, 16);
  return static_cast<std::uint32_t>(prefix % 10000);
}

Decision decide(const Bundle &bundle, const EngineRuntime &rt, const Record *record, const ReplayInputs *replay,
                AuditCapture *capture) {
  const auto start = std::chrono::steady_clock::now();
  const BundleContent &c = bundle.content();
  Scratch &s = scratch();
  Decision d;

  const bool velocity_failed = prepare(c, rt, record, replay, capture, s.slots, d.issues);
  const RuleStage rules = run_rules(c.rules, s.slots, s.hits, s.divided, d);

  s.scores.resize(c.models.size());
  PredictOptions single;
  single.nthread = 1;
  for (std::size_t i = 0; i < c.models.size(); ++i) {
    const BundleModel &m = c.models[i];
    single.output = m.output;
    gather_row(m, s.slots, s.row);
    s.outputs.resize(m.model->num_outputs());
    m.model->predict(s.row.data(), 1, s.row.size(), single, s.outputs.data());
    s.scores[i] = s.outputs[m.score_output];
    (m.shadow ? d.shadow_scores : d.scores).push_back(Score{m.name, s.scores[i]});
  }
  s.scores.push_back(d.rule_score);  // the pseudo-score "rule_score", after the models' (bundle-format.md)

  // Strategy: a challenger arm's cutoffs, else the segment's, else the policy's.
  const std::vector<Cutoff> *cutoffs = &c.policy.cutoffs();
  for (const Segment &segment : c.segments) {
    if (!segment.when.test(s.slots)) continue;
    d.segment = segment.name;
    if (segment.cutoffs) cutoffs = &*segment.cutoffs;
    break;
  }
  const std::vector<BundleTable> *tables = &c.tables;
  if (c.challenger) {
    const ChallengerArm *arm = arm_of(*c.challenger, s.slots[c.challenger->field_slot]);
    d.arm = arm->name;
    if (arm->cutoffs) cutoffs = &*arm->cutoffs;
    if (arm->tables) tables = &*arm->tables;
  }

  PolicyResult result = c.policy.evaluate(rules.strongest, s.scores, rules.allow_hit, cutoffs);
  const bool fail_closed = velocity_failed && rt.velocity_failure == VelocityFailurePolicy::fail_closed;
  if (fail_closed && result.outcome < c.policy.review_outcome()) result.outcome = c.policy.review_outcome();
  set_outcome(c.policy, result.outcome, d);
  d.grade = result.grade;
  run_tables(*tables, s.slots, s.scores, d.grade, d);
  if (fail_closed)
    d.reasons.push_back(Reason{"RK_VELOCITY_UNAVAILABLE", "Velocity checks could not be run; decided for manual review",
                               "engine:velocity", 0});
  if (result.outcome > 0) add_reasons(c, *cutoffs, result, s, d);

  if (c.event_id_field) d.event_id = text_of(s.slots[*c.event_id_field]);
  d.bundle_name = c.name;
  d.bundle_version = c.version;
  d.bundle_digest = c.digest;
  d.latency_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  return d;
}

}  // namespace riskkit::detail
