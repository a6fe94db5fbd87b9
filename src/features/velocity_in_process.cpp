// InProcessVelocityStore: sharded maps of EntityEvents, each shard under its own mutex.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <string>

#include "features/velocity_entity.hpp"
#include "features/velocity_hash.hpp"
#include "features/velocity_snapshot.hpp"
#include "features/velocity_table.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"

namespace riskkit {
namespace {

constexpr std::uint64_t kSweepEvery = 4096;  // recorded events per shard between idle sweeps

detail::EntityKey key_of(const VelocityRequest &r) {
  const std::uint64_t feature_a = detail::stable_hash(r.window->state_id);
  const std::uint64_t feature_b = detail::stable_hash(r.window->state_id, 0x2545f4914f6cdd1dULL);
  return detail::EntityKey{detail::mix64(feature_a ^ detail::stable_hash(r.event.entity)),
                   detail::mix64(feature_b ^ detail::stable_hash(r.event.entity, 0x94d049bb133111ebULL))};
}

struct Shard {
  std::mutex mutex;
  detail::EntityTable entities;
  std::int64_t newest = detail::EntityEvents::kNever;  // newest event recorded in this shard
  std::uint64_t since_sweep = 0;
};

bool has_value(const VelocityRequest &r) {
  switch (r.window->aggregation) {
    case VelocityAggregation::count: return true;
    case VelocityAggregation::distinct_count: return !r.event.distinct.empty();
    default: return !std::isnan(r.event.value);
  }
}

}  // namespace

struct InProcessVelocityStore::Impl {
  InProcessVelocityOptions options;
  std::vector<Shard> shards;
  std::atomic<std::uint64_t> applied{0}, late{0}, duplicates{0}, evicted{0};

  explicit Impl(InProcessVelocityOptions o) : options(o), shards(std::max<std::size_t>(1, o.shards)) {}

  std::size_t per_shard_cap() const { return std::max<std::size_t>(1, options.max_entities / shards.size()); }

  // Drops entities none of whose events can be read any more, then — if still over the
  // cap — those whose newest event is oldest.
  void sweep(Shard &s) {
    s.since_sweep = 0;
    s.entities.erase_if([&](const detail::EntityKey &, const detail::Entity &e) {
      return e.events.newest() < s.newest - e.span_us;
    });
    const std::size_t cap = per_shard_cap();
    if (s.entities.size() <= cap) return;
    std::vector<std::pair<std::int64_t, detail::EntityKey>> by_age;
    by_age.reserve(s.entities.size());
    s.entities.for_each([&](const detail::EntityKey &key, const detail::Entity &e) {
      by_age.emplace_back(e.events.newest(), key);
    });
    const std::size_t drop = s.entities.size() - cap * 9 / 10;
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop), by_age.end(),
                     [](const auto &x, const auto &y) { return x.first < y.first; });
    for (std::size_t i = 0; i < drop; ++i) s.entities.erase(by_age[i].second);
    evicted += drop;
  }

  VelocityResult step(const VelocityRequest &r, std::vector<std::uint64_t> &scratch) {
    const detail::EntityKey key = key_of(r);
    Shard &s = shards[key.b % shards.size()];
    const std::uint64_t id = detail::stable_hash(r.event.event_id);
    const std::uint64_t distinct = r.window->aggregation == VelocityAggregation::distinct_count
                                       ? detail::stable_hash(r.event.distinct)
                                       : 0;
    std::lock_guard lock(s.mutex);
    detail::Entity *entity = s.entities.find(key);
    if (!entity) {
      if (!r.event.record) return VelocityResult{detail::empty_aggregate(r.window->aggregation), VelocityStatus::ok};
      entity = &s.entities.insert(key);
      entity->span_us = r.window->window_us + r.window->lateness_us;
    }
    detail::StepOutcome out;
    const double v = entity->events.step(*r.window, r.event, id, distinct, has_value(r),
                                            options.max_events_per_entity, scratch, out);
    if (out.late) {
      ++late;
      return VelocityResult{v, VelocityStatus::late};
    }
    if (out.duplicate) ++duplicates;
    if (r.event.record) {
      s.newest = std::max(s.newest, r.event.time_us);
      if (++s.since_sweep >= kSweepEvery || s.entities.size() > per_shard_cap()) sweep(s);
    }
    return VelocityResult{v, VelocityStatus::ok};
  }
};

InProcessVelocityStore::InProcessVelocityStore(InProcessVelocityOptions options)
    : impl_(std::make_unique<Impl>(options)) {}

InProcessVelocityStore::~InProcessVelocityStore() = default;

void InProcessVelocityStore::apply(std::span<const VelocityRequest> requests,
                                   std::span<VelocityResult> results) noexcept {
  thread_local std::vector<std::uint64_t> scratch;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    try {
      results[i] = impl_->step(requests[i], scratch);
    } catch (...) {  // only allocation can fail here
      results[i] = VelocityResult{std::nan(""), VelocityStatus::unavailable};
    }
  }
  impl_->applied += requests.size();
}

VelocityStats InProcessVelocityStore::stats() const {
  VelocityStats s;
  s.applied = impl_->applied;
  s.late_dropped = impl_->late;
  s.duplicates = impl_->duplicates;
  s.evicted_entities = impl_->evicted;
  return s;
}

std::size_t InProcessVelocityStore::entity_count() const {
  std::size_t n = 0;
  for (Shard &s : impl_->shards) {
    std::lock_guard lock(s.mutex);
    n += s.entities.size();
  }
  return n;
}

void InProcessVelocityStore::snapshot(const std::string &path) const {
  std::vector<detail::SnapshotEntity> all;
  for (Shard &s : impl_->shards) {
    std::lock_guard lock(s.mutex);
    s.entities.for_each([&](const detail::EntityKey &key, const detail::Entity &e) {
      all.push_back(detail::SnapshotEntity{key.a, key.b, e.span_us, e.events.newest(), e.events.events()});
    });
  }
  detail::write_velocity_snapshot(path, all);
}

void InProcessVelocityStore::restore(const std::string &path) {
  std::vector<detail::SnapshotEntity> all = detail::read_velocity_snapshot(path);
  for (Shard &s : impl_->shards) {
    std::lock_guard lock(s.mutex);
    s.entities.clear();
    s.newest = detail::EntityEvents::kNever;
    s.since_sweep = 0;
  }
  for (auto &e : all) {
    const detail::EntityKey key{e.key_a, e.key_b};
    Shard &s = impl_->shards[key.b % impl_->shards.size()];
    std::lock_guard lock(s.mutex);
    detail::Entity &entity = s.entities.insert(key);
    entity.span_us = e.span_us;
    s.newest = std::max(s.newest, e.newest);
    entity.events.restore(e.newest, std::move(e.events));
  }
}

}  // namespace riskkit
