// RedisVelocityStore: pooled hiredis connections, one pipelined round trip per apply().
#include <hiredis/hiredis.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "features/velocity_redis_script.hpp"
#include "riskkit/error.hpp"
#include "riskkit/features/redis_velocity_store.hpp"

namespace riskkit {
namespace {

using Clock = std::chrono::steady_clock;

struct ContextDeleter {
  void operator()(redisContext *c) const noexcept { redisFree(c); }
};
using Connection = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply *r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// The SHA-1 Redis names the script by: computed by Redis itself on SCRIPT LOAD.
Reply command(redisContext *c, const std::vector<std::string> &args) {
  std::vector<const char *> argv;
  std::vector<std::size_t> lens;
  for (const auto &a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply *>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data())));
}

// The text of a value for the script: %.17g round-trips a double exactly.
std::string value_text(const VelocityRequest &r) {
  switch (r.window->aggregation) {
    case VelocityAggregation::count: return {};
    case VelocityAggregation::distinct_count: return std::string(r.event.distinct);
    default: return std::isnan(r.event.value) ? std::string() : fmt::format("{:.17g}", r.event.value);
  }
}

}  // namespace

RedisVelocityOptions RedisVelocityOptions::from_address(const std::string &address) {
  const auto colon = address.rfind(':');
  RedisVelocityOptions o;
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec != std::errc() ||
      port <= 0 || port > 65535)
    throw Error(ErrorCode::invalid_argument, fmt::format("Redis address '{}': expected host:port", address));
  o.host = address.substr(0, colon);
  o.port = port;
  return o;
}

struct RedisVelocityStore::Impl {
  RedisVelocityOptions options;
  std::mutex mutex;  // guards idle, script_sha, down_until
  std::vector<Connection> idle;
  std::string script_sha;
  Clock::time_point down_until{};
  std::atomic<std::uint64_t> applied{0}, late{0}, duplicates{0}, unavailable{0};

  // A connection with the script loaded, or null with `why` set.
  Connection acquire(std::string &why) {
    {
      std::lock_guard lock(mutex);
      if (Clock::now() < down_until) {
        why = "Redis was unreachable moments ago; waiting before the next attempt";
        return nullptr;
      }
      if (!idle.empty()) {
        Connection c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
    }
    const timeval connect_timeout = to_timeval(options.connect_timeout);
    Connection c(redisConnectWithTimeout(options.host.c_str(), options.port, connect_timeout));
    if (!c || c->err) {
      why = fmt::format("cannot connect to Redis at {}:{}: {}", options.host, options.port, c ? c->errstr : "out of memory");
      return nullptr;
    }
    const timeval command_timeout = to_timeval(options.command_timeout);
    redisSetTimeout(c.get(), command_timeout);
    if (!load_script(c.get(), why)) return nullptr;
    return c;
  }

  bool load_script(redisContext *c, std::string &why) {
    Reply r = command(c, {"SCRIPT", "LOAD", detail::kVelocityScript});
    if (!r || r->type != REDIS_REPLY_STRING) {
      why = fmt::format("Redis SCRIPT LOAD failed: {}", r ? std::string(r->str ? r->str : "") : c->errstr);
      return false;
    }
    std::lock_guard lock(mutex);
    script_sha.assign(r->str, r->len);
    return true;
  }

  void release(Connection c) {
    std::lock_guard lock(mutex);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(c));
  }

  void mark_down() {
    std::lock_guard lock(mutex);
    down_until = Clock::now() + options.retry_interval;
  }

  std::vector<std::string> arguments(const VelocityRequest &r, const std::string &sha) const {
    const VelocityWindow &w = *r.window;
    const std::string tag = fmt::format("{}{{{}|{}}}", options.key_prefix, w.state_id, r.event.entity);
    const std::int64_t ttl_ms = (w.window_us + w.lateness_us) / 1000 + 1;
    return {"EVALSHA",
            sha,
            "2",
            tag + ":e",
            tag + ":v",
            fmt::format("{}", r.event.time_us),
            fmt::format("{}", w.window_us),
            fmt::format("{}", w.lateness_us),
            std::string(r.event.event_id),
            to_string(w.aggregation),
            value_text(r),
            r.event.record ? "1" : "0",
            fmt::format("{}", ttl_ms),
            fmt::format("({}", r.event.time_us - w.window_us)};
  }

  // One pipelined round trip. Returns false if the connection failed (results untouched)
  // and sets `noscript` when Redis had forgotten the script.
  bool round_trip(redisContext *c, std::span<const VelocityRequest> requests, std::span<VelocityResult> results,
                  bool &noscript) {
    std::string sha;
    {
      std::lock_guard lock(mutex);
      sha = script_sha;
    }
    for (const VelocityRequest &r : requests) {
      const std::vector<std::string> args = arguments(r, sha);
      std::vector<const char *> argv;
      std::vector<std::size_t> lens;
      for (const auto &a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      if (redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()) != REDIS_OK) return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      void *raw = nullptr;
      if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) return false;
      Reply reply(static_cast<redisReply *>(raw));
      if (reply->type == REDIS_REPLY_ERROR) {
        if (std::string_view(reply->str, reply->len).starts_with("NOSCRIPT")) noscript = true;
        results[i] = VelocityResult{std::nan(""), VelocityStatus::unavailable};
        ok = false;
        continue;
      }
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
        results[i] = VelocityResult{std::nan(""), VelocityStatus::unavailable};
        ok = false;
        continue;
      }
      const std::string_view status(reply->element[0]->str, reply->element[0]->len);
      if (status == "late") {
        results[i] = VelocityResult{std::nan(""), VelocityStatus::late};
        ++late;
        continue;
      }
      const std::string text(reply->element[1]->str, reply->element[1]->len);
      results[i] = VelocityResult{text == "nan" ? std::nan("") : std::strtod(text.c_str(), nullptr), VelocityStatus::ok};
      if (std::string_view(reply->element[2]->str, reply->element[2]->len) == "1") ++duplicates;
    }
    (void)ok;  // per-request errors are already answered `unavailable`
    return true;
  }
};

RedisVelocityStore::RedisVelocityStore(RedisVelocityOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

RedisVelocityStore::~RedisVelocityStore() = default;

void RedisVelocityStore::apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept {
  if (requests.empty()) return;
  const auto fail_all = [&] {
    for (auto &r : results) r = VelocityResult{std::nan(""), VelocityStatus::unavailable};
    impl_->unavailable += requests.size();
  };
  try {
    std::string why;
    Connection c = impl_->acquire(why);
    if (!c) {
      impl_->mark_down();
      return fail_all();
    }
    bool noscript = false;
    bool connected = impl_->round_trip(c.get(), requests, results, noscript);
    if (connected && noscript) {
      // The server lost its script cache (restart, SCRIPT FLUSH): reload and resend. The
      // requests that did run are not counted twice: recording is idempotent by event id.
      noscript = false;
      connected = impl_->load_script(c.get(), why) && impl_->round_trip(c.get(), requests, results, noscript);
    }
    if (!connected || c->err) {
      impl_->mark_down();
      return fail_all();
    }
    for (const auto &r : results)
      if (r.status == VelocityStatus::unavailable) ++impl_->unavailable;
    impl_->applied += requests.size();
    impl_->release(std::move(c));
  } catch (...) {
    fail_all();
  }
}

VelocityStats RedisVelocityStore::stats() const {
  VelocityStats s;
  s.applied = impl_->applied;
  s.late_dropped = impl_->late;
  s.duplicates = impl_->duplicates;
  s.unavailable = impl_->unavailable;
  return s;
}

std::string RedisVelocityStore::ping() {
  std::string why;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->down_until = {};
  }
  Connection c = impl_->acquire(why);
  if (!c) return why;
  Reply r = command(c.get(), {"PING"});
  if (!r || r->type != REDIS_REPLY_STATUS) return fmt::format("Redis did not answer PING: {}", c->errstr);
  impl_->release(std::move(c));
  return {};
}

}  // namespace riskkit
