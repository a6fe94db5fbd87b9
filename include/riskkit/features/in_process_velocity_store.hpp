#pragma once
/// \file
/// The default VelocityStore: exact event lists per entity in this process's memory.

#include <cstddef>
#include <memory>
#include <string>

#include "riskkit/export.hpp"
#include "riskkit/features/velocity.hpp"

namespace riskkit {

/// Bounds of an InProcessVelocityStore.
struct InProcessVelocityOptions {
  std::size_t shards = 64;  ///< independent locks; entities are spread by hash
  /// Entities kept at most (all features together). Beyond it, the entities whose newest
  /// event is oldest are dropped first (VelocityStats::evicted_entities).
  std::size_t max_entities = std::size_t{1} << 22;
  /// Events kept per entity at most; beyond it the oldest is dropped (a cap against a
  /// single runaway entity, e.g. a bot hammering one device id).
  std::size_t max_events_per_entity = 100000;
};

/// Velocity state in memory: per (feature, entity) the events of the last window +
/// lateness, sorted by event time, so every aggregate is exact. Entities are spread over
/// shards, each with its own mutex; an entity whose events have all expired relative
/// to the newest event of its shard is forgotten on the next sweep, so memory follows
/// the active entities. Event ids and distinct values are kept as 64-bit hashes.
///
/// snapshot() writes the whole state to a file (atomically: a temporary file renamed
/// into place) and restore() reads it back, so a restart loses nothing.
///
///     auto store = std::make_shared<riskkit::InProcessVelocityStore>();
///     riskkit::EngineOptions opt; opt.velocity_store = store;
///     auto engine = riskkit::Engine::open("bundle", opt);
///     ...; store->snapshot("/var/lib/app/velocity.bin");
class RK_API InProcessVelocityStore final : public VelocityStore {
 public:
  explicit InProcessVelocityStore(InProcessVelocityOptions options = {});
  ~InProcessVelocityStore() override;
  InProcessVelocityStore(const InProcessVelocityStore &) = delete;
  InProcessVelocityStore &operator=(const InProcessVelocityStore &) = delete;

  void apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept override;
  VelocityStats stats() const override;
  /// Entities currently held.
  std::size_t entity_count() const;

  /// Writes the state to `path`. Thread-safe (each shard is copied under its lock).
  /// Throws Error(io).
  void snapshot(const std::string &path) const;
  /// Replaces the state by the snapshot in `path`. Throws Error(io) or Error(parse) for
  /// a file that is not an intact snapshot (it carries its own SHA-256).
  void restore(const std::string &path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riskkit
