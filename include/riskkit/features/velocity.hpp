#pragma once
/// \file
/// Velocity features: aggregates of an entity's prior events over a sliding window of
/// event time, and the VelocityStore interface that keeps those events.
/// Semantics (docs/features.md#velocity):
///
/// - the value read for an event at time t is the aggregate of the stored events of the
///   same entity with time in (t - window, t], except a stored copy of this event (same
///   event id; a re-delivery carries the same id and time); then the event is recorded
///   (unless `record` is false or its filter is false);
/// - an event already stored is not recorded again (re-deliveries count once);
/// - an event older than the entity's latest recorded event time minus the allowed
///   lateness is *late*: it reads missing, is not recorded, and is counted in stats;
/// - state is keyed by the feature's state id, so two features never share events.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "riskkit/export.hpp"

namespace riskkit {

/// How a velocity feature aggregates the values of the events in its window.
enum class VelocityAggregation : std::uint8_t { count, sum, min, max, mean, distinct_count };

/// "count", "sum", "min", "max", "mean", "distinct_count".
RK_API const char *to_string(VelocityAggregation agg) noexcept;
/// The aggregation named `name`, or nullopt.
RK_API std::optional<VelocityAggregation> parse_velocity_aggregation(std::string_view name) noexcept;

/// Parses a duration: a positive integer and a unit `s`, `m`, `h` or `d` ("90s", "1h",
/// "30d"), or "0" / "0s". Returns microseconds, or nullopt if malformed or above 90 days.
RK_API std::optional<std::int64_t> parse_duration(std::string_view text) noexcept;

/// The longest window (and lateness) a velocity feature may have: 90 days.
inline constexpr std::int64_t kMaxVelocityWindowMicros = std::int64_t{90} * 24 * 3600 * 1000000;

/// What a store needs to know about one velocity feature. Built by the pipeline.
struct VelocityWindow {
  /// Namespace of this feature's state: "<feature name>#<8 hex digits of its definition's
  /// SHA-256>", so a redefined feature starts from empty state instead of misreading.
  std::string state_id;
  VelocityAggregation aggregation = VelocityAggregation::count;
  std::int64_t window_us = 0;    ///< (t - window, t] is read
  std::int64_t lateness_us = 0;  ///< how far behind the entity's latest event an event may be
};

/// One event as one velocity feature sees it. Views point into the caller's memory for
/// the duration of VelocityStore::apply.
struct VelocityEvent {
  std::string_view entity;    ///< entity key (see FeaturePipeline: field values joined by '\x1f')
  std::string_view event_id;  ///< unique per event; a re-delivery carries the same id and time
  std::int64_t time_us = 0;   ///< event time, microseconds since the epoch
  double value = 0;           ///< sum/min/max/mean: the value (events without one are not recorded)
  std::string_view distinct;  ///< distinct_count: the value's text (empty = not recorded)
  bool record = true;         ///< record the event after reading (false: read only)
};

/// One read-and-record for one velocity feature.
struct VelocityRequest {
  const VelocityWindow *window = nullptr;
  VelocityEvent event;
};

/// Why a result is what it is.
enum class VelocityStatus : std::uint8_t {
  ok,           ///< value is the aggregate (NaN for min/max/mean over no events)
  late,         ///< the event was beyond the allowed lateness: value NaN, nothing recorded
  unavailable,  ///< the store could not be reached: value NaN, nothing recorded
};

struct VelocityResult {
  double value = 0;
  VelocityStatus status = VelocityStatus::ok;
};

/// Counters a store keeps since it was created (or restored).
struct VelocityStats {
  std::uint64_t applied = 0;           ///< requests answered
  std::uint64_t late_dropped = 0;      ///< requests refused as late
  std::uint64_t duplicates = 0;        ///< events not recorded because their id was stored
  std::uint64_t evicted_entities = 0;  ///< entities dropped to bound memory before their events expired
  std::uint64_t unavailable = 0;       ///< requests answered `unavailable`
};

/// Where velocity state lives. Implementations are thread-safe; apply() never throws.
class RK_API VelocityStore {
 public:
  virtual ~VelocityStore() = default;
  /// Answers every request, in order, as described in the file comment; requests of one
  /// call may share an entity and then see each other's recordings in order.
  /// `results.size() == requests.size()`.
  virtual void apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept = 0;
  virtual VelocityStats stats() const = 0;
};

}  // namespace riskkit
