#include "riskkit/engine/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "engine/bundle_content.hpp"
#include "engine/engine_runtime.hpp"
#include "engine/rule_evaluation.hpp"
#include "engine/table_stage.hpp"
#include "policy/reasons.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

// Per-thread buffers reused across decisions, so deciding allocates only for its result.
struct Scratch {
  std::vector<Value> slots;
  std::vector<std::size_t> hits;
  std::vector<std::size_t> divided;  // rules whose evaluation divided by zero
  std::vector<FieldIssue> issues_scratch;  // rule_hits(): issues nobody reads
  std::vector<float> row;
  std::vector<double> outputs;
  std::vector<double> scores;
  std::vector<double> contributions;
};

Scratch &scratch() {
  thread_local Scratch s;
  return s;
}

// Fills `s.row` with the model's inputs as float32, exactly as the model will see them.
void gather_row(const detail::BundleModel &m, const std::vector<Value> &slots, std::vector<float> &row) {
  row.resize(m.input_slots.size());
  for (std::size_t i = 0; i < m.input_slots.size(); ++i) row[i] = static_cast<float>(slots[m.input_slots[i]].to_double());
}

// +1 when a larger margin means a larger score, -1 when the score falls as the margin rises.
int margin_direction(const detail::BundleModel &m) {
  return m.output == PredictOutput::value ? m.model->value_direction() : 1;
}

std::string event_id_of(const detail::BundleContent &c, const std::vector<Value> &slots) {
  if (!c.event_id_field) return {};
  const Value &v = slots[*c.event_id_field];
  switch (v.type()) {
    case ValueType::string: return v.as_string();
    case ValueType::number: return fmt::format("{}", v.as_number());
    default: return {};
  }
}

// Conforms the record, pseudonymizes its personal data and computes the features into
// `slots`. Returns true when velocity state was unavailable.
bool prepare(const detail::BundleContent &c, const detail::EngineRuntime &rt, const Record &record,
             std::vector<Value> &slots, std::vector<FieldIssue> &issues) {
  c.schema.conform(record, slots, issues);
  if (std::any_of(issues.begin(), issues.end(), [](const FieldIssue &i) { return i.fatal; })) {
    std::string message = "record";
    for (const FieldIssue &i : issues)
      if (i.fatal) message += fmt::format(": field '{}': {}", i.field, i.message);
    throw Error(ErrorCode::invalid_record, message);
  }
  return detail::compute_features(c, rt, slots, issues);
}

Decision decide_with(const Bundle &bundle, const detail::EngineRuntime &rt, const Record &record) {
  const auto start = std::chrono::steady_clock::now();
  const detail::BundleContent &c = bundle.content();
  Scratch &s = scratch();
  Decision d;

  const bool velocity_failed = prepare(c, rt, record, s.slots, d.issues);

  const detail::RuleStage rules = detail::run_rules(c.rules, s.slots, s.hits, s.divided, d);

  s.scores.resize(c.models.size());
  PredictOptions single;
  single.nthread = 1;
  for (std::size_t i = 0; i < c.models.size(); ++i) {
    const detail::BundleModel &m = c.models[i];
    single.output = m.output;
    gather_row(m, s.slots, s.row);
    s.outputs.resize(m.model->num_outputs());
    m.model->predict(s.row.data(), 1, s.row.size(), single, s.outputs.data());
    s.scores[i] = s.outputs[m.score_output];
    d.scores.push_back(Score{m.name, s.scores[i]});
  }

  s.scores.push_back(d.rule_score);  // the pseudo-score "rule_score", after the models' (bundle-format.md)
  const PolicyResult result = c.policy.evaluate(rules.strongest, s.scores, rules.allow_hit);
  d.outcome = result.outcome;
  d.grade = result.grade;
  detail::run_tables(c.tables, s.slots, s.scores, d.grade, d);
  if (velocity_failed && rt.velocity_failure == VelocityFailurePolicy::fail_closed) detail::apply_velocity_failure(d);

  // Principal reasons: rules with the deciding action, then the cutoff, then its model's drivers.
  const std::size_t top = c.policy.top_reasons();
  if (d.outcome != Outcome::approve) {
    for (const RuleHit &h : d.rule_hits)
      if (!result.rules_overridden && h.mode == RuleMode::active && outcome_of(h.action) == d.outcome &&
          d.reasons.size() < top)
        d.reasons.push_back(Reason{h.reason.code, h.reason.text, "rule:" + h.rule_id, 0});
    if (result.cutoff && c.policy.cutoffs()[*result.cutoff].score == c.models.size() &&
        c.policy.cutoffs()[*result.cutoff].outcome == d.outcome) {
      const Cutoff &cut = c.policy.cutoffs()[*result.cutoff];
      if (cut.reason && d.reasons.size() < top)
        d.reasons.push_back(Reason{cut.reason->code, cut.reason->text, "policy:rule_score", 0});
      detail::add_rule_score_reasons(d, top, d.reasons);
    } else if (result.cutoff && c.policy.cutoffs()[*result.cutoff].outcome == d.outcome) {
      const Cutoff &cut = c.policy.cutoffs()[*result.cutoff];
      const detail::BundleModel &m = c.models[cut.score];
      if (cut.reason && d.reasons.size() < top)
        d.reasons.push_back(Reason{cut.reason->code, cut.reason->text, "policy:" + m.name, 0});
      const std::size_t width = m.model->num_features() + 1;
      s.contributions.resize(m.model->num_outputs() * width);
      gather_row(m, s.slots, s.row);
      m.model->contributions(s.row.data(), 1, s.row.size(), single, s.contributions.data());
      const std::span<const double> per_input(s.contributions.data() + m.score_output * width, width - 1);
      detail::add_model_reasons(per_input, m.inputs, (cut.above ? 1 : -1) * margin_direction(m), c.catalogue, m.name,
                                top, d.reasons);
    }
  }

  d.event_id = event_id_of(c, s.slots);
  d.bundle_name = c.name;
  d.bundle_version = c.version;
  d.bundle_digest = c.digest;
  d.latency_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  return d;
}

}  // namespace

struct Engine::State {
  std::atomic<std::shared_ptr<const Bundle>> bundle;
  detail::EngineRuntime runtime;
};

Engine Engine::open(const std::string &dir) { return Engine(Bundle::load(dir)); }

Engine Engine::open(const std::string &dir, const EngineOptions &options) { return Engine(Bundle::load(dir), options); }

Engine::Engine(std::shared_ptr<const Bundle> bundle) : Engine(std::move(bundle), EngineOptions{}) {}

Engine::Engine(std::shared_ptr<const Bundle> bundle, const EngineOptions &options) : state_(std::make_unique<State>()) {
  if (!bundle) throw Error(ErrorCode::invalid_argument, "Engine: bundle is null");
  state_->runtime = detail::make_runtime(options);
  detail::check_can_run(bundle->content(), state_->runtime);
  state_->bundle.store(std::move(bundle));
}

Engine::Engine(Engine &&) noexcept = default;
Engine &Engine::operator=(Engine &&) noexcept = default;
Engine::~Engine() = default;

Decision Engine::decide(const Record &record) const {
  return decide_with(*state_->bundle.load(), state_->runtime, record);
}

std::vector<Decision> Engine::decide_batch(std::span<const Record> records, int nthread,
                                           std::vector<std::pair<std::size_t, std::string>> *errors) const {
  const std::shared_ptr<const Bundle> bundle = state_->bundle.load();
  std::vector<Decision> out(records.size());
  std::size_t workers = nthread > 0 ? static_cast<std::size_t>(nthread) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::max<std::size_t>(1, std::min(workers, records.size() / 64 + 1));
  // Velocity features read what earlier records recorded: decide those in input order, on
  // one thread, so a batch gives the same decisions as deciding its records one by one.
  if (bundle->content().features.num_velocity_features() > 0) workers = 1;
  std::vector<std::vector<std::pair<std::size_t, std::string>>> failed(workers);
  std::vector<std::exception_ptr> crashed(workers);
  auto run = [&](std::size_t w) {
    try {
      for (std::size_t i = w; i < records.size(); i += workers) {
        try {
          out[i] = decide_with(*bundle, state_->runtime, records[i]);
        } catch (const Error &e) {
          if (e.code() != ErrorCode::invalid_record) throw;
          failed[w].emplace_back(i, e.what());
        }
      }
    } catch (...) {
      crashed[w] = std::current_exception();  // rethrown on the calling thread below
    }
  };
  if (workers == 1) {
    run(0);
  } else {
    std::vector<std::thread> threads;
    for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(run, w);
    run(0);
    for (auto &t : threads) t.join();
  }
  for (const auto &e : crashed)
    if (e) std::rethrow_exception(e);
  if (errors) {
    for (auto &f : failed) errors->insert(errors->end(), f.begin(), f.end());
    std::sort(errors->begin(), errors->end());
  }
  return out;
}

void Engine::reload(const std::string &dir) {
  std::shared_ptr<const Bundle> next = Bundle::load(dir);
  detail::check_can_run(next->content(), state_->runtime);
  state_->bundle.store(std::move(next));
}

std::shared_ptr<const Bundle> Engine::bundle() const { return state_->bundle.load(); }

std::vector<double> Engine::features(const Record &record) const {
  const std::shared_ptr<const Bundle> bundle = state_->bundle.load();
  const detail::BundleContent &c = bundle->content();
  Scratch &s = scratch();
  std::vector<FieldIssue> issues;
  prepare(c, state_->runtime, record, s.slots, issues);
  std::vector<double> out(c.features.num_features());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = s.slots[c.features.first_feature_slot() + i].to_double();
  return out;
}

void Engine::rule_hits(const Bundle &bundle, const Record &record, std::vector<std::size_t> &hits) const {
  Scratch &s = scratch();
  s.issues_scratch.clear();
  prepare(bundle.content(), state_->runtime, record, s.slots, s.issues_scratch);
  bundle.content().rules.evaluate(s.slots, hits);
}

std::shared_ptr<VelocityStore> Engine::velocity_store() const { return state_->runtime.velocity; }

}  // namespace riskkit
