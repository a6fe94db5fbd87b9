#include "riskkit/engine/engine.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "core/parallel.hpp"
#include "engine/audit_log.hpp"
#include "engine/audit_record.hpp"
#include "engine/bundle_content.hpp"
#include "engine/decide.hpp"
#include "engine/engine_runtime.hpp"
#include "riskkit/error.hpp"

namespace riskkit {

namespace {

// The bundle decisions use, swapped whole by reload. A mutex rather than
// std::atomic<std::shared_ptr>: libstdc++ 12's atomic shared_ptr unlocks with a relaxed
// store in load(), which orders nothing on weakly ordered CPUs (ThreadSanitizer reports
// it). The lock is held only to copy the pointer, tens of nanoseconds against a decision.
class BundleSlot {
 public:
  std::shared_ptr<const Bundle> load() const {
    const std::lock_guard lock(mutex_);
    return bundle_;
  }
  void store(std::shared_ptr<const Bundle> next) {
    std::shared_ptr<const Bundle> previous;  // released after unlocking
    const std::lock_guard lock(mutex_);
    previous = std::exchange(bundle_, std::move(next));
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Bundle> bundle_;
};

}  // namespace

struct Engine::State {
  BundleSlot bundle;
  detail::EngineRuntime runtime;
  std::unique_ptr<detail::AuditLog> audit;  // null: no audit log
  SignatureOptions signature;               // what reload() requires of a bundle's signature

  Decision decide(const Bundle &b, const Record &record) const {
    if (!audit) return detail::decide(b, runtime, &record, nullptr, nullptr);
    thread_local detail::AuditCapture capture;
    Decision d = detail::decide(b, runtime, &record, nullptr, &capture);
    d.decision_id = audit->next_decision_id();
    audit->write(detail::audit_line(b.content(), d, capture, runtime.velocity_failure));
    return d;
  }
};

Engine Engine::open(const std::string &dir) { return Engine(Bundle::load(dir)); }

Engine Engine::open(const std::string &dir, const EngineOptions &options) {
  return Engine(Bundle::load(dir, options.signature), options);
}

Engine::Engine(std::shared_ptr<const Bundle> bundle) : Engine(std::move(bundle), EngineOptions{}) {}

Engine::Engine(std::shared_ptr<const Bundle> bundle, const EngineOptions &options) : state_(std::make_unique<State>()) {
  if (!bundle) throw Error(ErrorCode::invalid_argument, "Engine: bundle is null");
  state_->runtime = detail::make_runtime(options);
  detail::check_can_run(bundle->content(), state_->runtime);
  if (options.audit.enabled()) state_->audit = std::make_unique<detail::AuditLog>(options.audit);
  state_->signature = options.signature;
  state_->bundle.store(std::move(bundle));
}

Engine::Engine(Engine &&) noexcept = default;
Engine &Engine::operator=(Engine &&) noexcept = default;
Engine::~Engine() = default;

Decision Engine::decide(const Record &record) const { return state_->decide(*state_->bundle.load(), record); }

std::vector<Decision> Engine::decide_batch(std::span<const Record> records, int nthread,
                                           std::vector<std::pair<std::size_t, std::string>> *errors) const {
  const std::shared_ptr<const Bundle> bundle = state_->bundle.load();
  std::vector<Decision> out(records.size());
  // Velocity features read what earlier records recorded: decide those in input order, on
  // one thread, so a batch gives the same decisions as deciding its records one by one.
  const int threads = bundle->content().features.num_velocity_features() > 0 ? 1 : nthread;
  std::mutex failed_mutex;
  std::vector<std::pair<std::size_t, std::string>> failed;
  detail::for_each_chunk(records.size(), threads, 64, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      try {
        out[i] = state_->decide(*bundle, records[i]);
      } catch (const Error &e) {
        if (e.code() != ErrorCode::invalid_record) throw;  // rethrown on the calling thread
        const std::lock_guard lock(failed_mutex);
        failed.emplace_back(i, e.what());
      }
    }
  });
  if (errors) {
    errors->insert(errors->end(), failed.begin(), failed.end());
    std::sort(errors->begin(), errors->end());
  }
  return out;
}

void Engine::reload(const std::string &dir) {
  std::shared_ptr<const Bundle> next = Bundle::load(dir, state_->signature);
  detail::check_can_run(next->content(), state_->runtime);
  state_->bundle.store(std::move(next));
}

std::shared_ptr<const Bundle> Engine::bundle() const { return state_->bundle.load(); }

std::vector<double> Engine::features(const Record &record) const {
  const std::shared_ptr<const Bundle> bundle = state_->bundle.load();
  const detail::BundleContent &c = bundle->content();
  thread_local std::vector<Value> slots;
  std::vector<FieldIssue> issues;
  detail::prepare_record(c, state_->runtime, record, state_->runtime.velocity.get(), slots, issues);
  std::vector<double> out(c.features.num_features());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = slots[c.features.first_feature_slot() + i].to_double();
  return out;
}

void Engine::rule_hits(const Bundle &bundle, const Record &record, std::vector<std::size_t> &hits) const {
  thread_local std::vector<Value> slots;
  thread_local std::vector<FieldIssue> issues;
  issues.clear();
  detail::prepare_record(bundle.content(), state_->runtime, record, state_->runtime.velocity.get(), slots, issues);
  bundle.content().rules.evaluate(slots, hits);
}

std::shared_ptr<VelocityStore> Engine::velocity_store() const { return state_->runtime.velocity; }

}  // namespace riskkit
