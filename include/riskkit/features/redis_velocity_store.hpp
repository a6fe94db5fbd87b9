#pragma once
/// \file
/// A VelocityStore in Redis, so many application servers share velocity state.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "riskkit/export.hpp"
#include "riskkit/features/velocity.hpp"

namespace riskkit {

/// Where and how to reach Redis.
struct RK_API RedisVelocityOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{50};  ///< per round trip (one per record)
  /// After a failure, requests are answered `unavailable` at once for this long before
  /// the next connection attempt, so a dead Redis does not cost a timeout per record.
  std::chrono::milliseconds retry_interval{1000};
  std::string key_prefix = "rk:v:";  ///< prepended to every key
  std::size_t max_idle_connections = 16;

  /// "host:port" (e.g. "127.0.0.1:6379"); throws Error(invalid_argument) otherwise.
  static RedisVelocityOptions from_address(const std::string &address);
};

/// Velocity state in Redis, exact and idempotent: per (feature, entity) a sorted set of
/// event ids scored by event time and a hash of their values, both under the hash tag
/// `{<state id>|<entity>}` (one Redis Cluster slot per entity). One Lua script per
/// request does, atomically: the late check, the windowed read (ZRANGEBYSCORE), the
/// duplicate check, ZADD, eviction of expired events (ZREMRANGEBYSCORE) and a TTL of
/// window + lateness. All requests of one apply() go in one pipelined round trip.
///
/// When Redis cannot be reached or answers an error, the requests are answered
/// `unavailable` (never an exception); the Engine's VelocityFailurePolicy decides what
/// that means for the decision. Thread-safe: each call borrows a pooled connection.
class RK_API RedisVelocityStore final : public VelocityStore {
 public:
  explicit RedisVelocityStore(RedisVelocityOptions options = {});
  ~RedisVelocityStore() override;
  RedisVelocityStore(const RedisVelocityStore &) = delete;
  RedisVelocityStore &operator=(const RedisVelocityStore &) = delete;

  void apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept override;
  VelocityStats stats() const override;
  /// Connects (if needed) and sends PING; returns "" when Redis answered, else why not.
  std::string ping();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riskkit
