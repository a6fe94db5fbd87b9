#pragma once
// The file format of InProcessVelocityStore snapshots (docs/features.md#snapshots).

#include <cstdint>
#include <string>
#include <vector>

#include "features/velocity_entity.hpp"

namespace riskkit::detail {

struct SnapshotEntity {
  std::uint64_t key_a = 0, key_b = 0;  // the 128-bit hash of "<state id>\x1e<entity key>"
  std::int64_t span_us = 0;
  std::int64_t newest = 0;
  std::vector<StoredEvent> events;
};

/// Writes `path` atomically (temporary file + rename). Throws Error(io).
void write_velocity_snapshot(const std::string &path, const std::vector<SnapshotEntity> &entities);
/// Reads a snapshot; throws Error(io), or Error(parse) if it is truncated, altered or
/// not a snapshot.
std::vector<SnapshotEntity> read_velocity_snapshot(const std::string &path);

}  // namespace riskkit::detail
