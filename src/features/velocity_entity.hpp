#pragma once
// The events of one (feature, entity) and the read-then-record step on them: the
// semantics of docs/features.md#velocity in one place for the in-process store.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "riskkit/features/velocity.hpp"

namespace riskkit::detail {

struct StoredEvent {
  std::int64_t time_us;
  std::uint64_t id;        // stable_hash(event id)
  double value;
  std::uint64_t distinct;  // stable_hash(distinct value)
};

/// What one apply step did, for the store's counters.
struct StepOutcome {
  bool late = false;
  bool duplicate = false;
  bool overflow = false;
};

/// The aggregate over no events: 0 for count, sum and distinct_count, NaN otherwise.
inline double empty_aggregate(VelocityAggregation agg) noexcept {
  const bool zero = agg == VelocityAggregation::count || agg == VelocityAggregation::sum ||
                    agg == VelocityAggregation::distinct_count;
  return zero ? 0.0 : std::numeric_limits<double>::quiet_NaN();
}

class EntityEvents {
 public:
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

  std::int64_t newest() const noexcept { return newest_; }
  const std::vector<StoredEvent> &events() const noexcept { return events_; }
  void restore(std::int64_t newest, std::vector<StoredEvent> events) {
    newest_ = newest;
    events_ = std::move(events);
  }

  /// Reads the aggregate, then records the event. `distinct_scratch` is reused memory.
  double step(const VelocityWindow &w, const VelocityEvent &e, std::uint64_t id, std::uint64_t distinct, bool has_value,
              std::size_t max_events, std::vector<std::uint64_t> &distinct_scratch, StepOutcome &out) {
    if (newest_ != kNever && e.time_us < newest_ - w.lateness_us) {
      out.late = true;
      return std::numeric_limits<double>::quiet_NaN();
    }
    const double result = read(w, e.time_us, id, distinct_scratch);
    if (!e.record || !has_value) return result;
    // A re-delivery carries the same id and time, so only events at that time can be it.
    auto pos = std::upper_bound(events_.begin(), events_.end(), e.time_us,
                                [](std::int64_t t, const StoredEvent &s) { return t < s.time_us; });
    for (auto it = pos; it != events_.begin() && std::prev(it)->time_us == e.time_us; --it)
      if (std::prev(it)->id == id) {
        out.duplicate = true;
        return result;
      }
    events_.insert(pos, StoredEvent{e.time_us, id, e.value, distinct});
    newest_ = std::max(newest_, e.time_us);
    // Nothing at or before the horizon can be read by an event that is not late.
    const std::int64_t horizon = newest_ - w.window_us - w.lateness_us;
    const auto keep = std::find_if(events_.begin(), events_.end(), [&](const StoredEvent &s) { return s.time_us > horizon; });
    events_.erase(events_.begin(), keep);
    if (events_.size() > max_events) {
      events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(events_.size() - max_events));
      out.overflow = true;
    }
    return result;
  }

 private:
  double read(const VelocityWindow &w, std::int64_t t, std::uint64_t id, std::vector<std::uint64_t> &distinct) const {
    const std::int64_t from = t - w.window_us;  // exclusive
    const auto after = [](std::int64_t x, const StoredEvent &s) { return x < s.time_us; };
    auto it = std::upper_bound(events_.begin(), events_.end(), from, after);
    if (w.aggregation == VelocityAggregation::count) {
      // Two binary searches; an event with the same id can only be at time t (a re-delivery).
      const auto end = std::upper_bound(it, events_.end(), t, after);
      double n = static_cast<double>(end - it);
      for (auto same = end; same != it && std::prev(same)->time_us == t; --same)
        if (std::prev(same)->id == id) n -= 1;
      return n;
    }
    double count = 0, sum = 0;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    distinct.clear();
    for (; it != events_.end() && it->time_us <= t; ++it) {
      if (it->id == id) continue;
      count += 1;
      sum += it->value;
      lo = std::min(lo, it->value);
      hi = std::max(hi, it->value);
      if (w.aggregation == VelocityAggregation::distinct_count) distinct.push_back(it->distinct);
    }
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    switch (w.aggregation) {
      case VelocityAggregation::count: return count;
      case VelocityAggregation::sum: return sum;
      case VelocityAggregation::min: return count > 0 ? lo : kNaN;
      case VelocityAggregation::max: return count > 0 ? hi : kNaN;
      case VelocityAggregation::mean: return count > 0 ? sum / count : kNaN;
      case VelocityAggregation::distinct_count:
        std::sort(distinct.begin(), distinct.end());
        return static_cast<double>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
    }
    return kNaN;
  }

  std::int64_t newest_ = kNever;
  std::vector<StoredEvent> events_;  // sorted by time; equal times in arrival order
};

}  // namespace riskkit::detail
