// velocity: both stores against a brute-force oracle on random event streams (duplicates,
// out-of-order and late events, timestamps exactly on window edges), snapshots, memory
// bounds, and a Redis that is not there. The Redis cases run when RISKKIT_TEST_REDIS
// (host:port, set by scripts/test.sh via scripts/redis.sh) is set, and fail if it is set
// but Redis cannot be reached.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/features/velocity.hpp"

using namespace riskkit;

namespace {

constexpr std::int64_t kSecond = 1000000;

// prefix + i, built by append (GCC 12 warns falsely about `"literal" + std::to_string(i)`).
std::string tag(const char *prefix, long i) { return std::string(prefix).append(std::to_string(i)); }

struct Event {
  std::string entity, id, distinct;
  std::int64_t time = 0;
  double value = 0;
  bool record = true;
};

// The definition, evaluated the slow way: every accepted event is kept forever.
class Oracle {
 public:
  explicit Oracle(const VelocityWindow &w) : w_(w) {}

  VelocityResult apply(const Event &e) {
    Entity &s = entities_[e.entity];
    if (s.newest && e.time < *s.newest - w_.lateness_us) return {std::nan(""), VelocityStatus::late};
    double count = 0, sum = 0, lo = INFINITY, hi = -INFINITY;
    std::vector<std::string> distinct;
    for (const Event &x : s.accepted) {  // in (time, arrival) order
      if (x.time <= e.time - w_.window_us || x.time > e.time || x.id == e.id) continue;
      count += 1;
      sum += x.value;
      lo = std::min(lo, x.value);
      hi = std::max(hi, x.value);
      if (std::find(distinct.begin(), distinct.end(), x.distinct) == distinct.end()) distinct.push_back(x.distinct);
    }
    double v = NAN;
    switch (w_.aggregation) {
      case VelocityAggregation::count: v = count; break;
      case VelocityAggregation::sum: v = sum; break;
      case VelocityAggregation::min: v = count ? lo : NAN; break;
      case VelocityAggregation::max: v = count ? hi : NAN; break;
      case VelocityAggregation::mean: v = count ? sum / count : NAN; break;
      case VelocityAggregation::distinct_count: v = static_cast<double>(distinct.size()); break;
    }
    const bool has_value = w_.aggregation == VelocityAggregation::count ? true
                           : w_.aggregation == VelocityAggregation::distinct_count ? !e.distinct.empty()
                                                                                  : !std::isnan(e.value);
    const bool known = std::any_of(s.accepted.begin(), s.accepted.end(), [&](const Event &x) { return x.id == e.id; });
    if (e.record && has_value && !known) {
      auto pos = std::upper_bound(s.accepted.begin(), s.accepted.end(), e.time,
                                  [](std::int64_t t, const Event &x) { return t < x.time; });
      s.accepted.insert(pos, e);
      s.newest = std::max(s.newest.value_or(e.time), e.time);
    }
    return {v, VelocityStatus::ok};
  }

 private:
  struct Entity {
    std::vector<Event> accepted;
    std::optional<std::int64_t> newest;
  };
  VelocityWindow w_;
  std::map<std::string, Entity> entities_;
};

// A stream on a one-second grid, so many events fall exactly on t - window, with
// re-deliveries, jitter beyond the allowed lateness, missing values and read-only events.
std::vector<Event> random_stream(std::mt19937_64 &rng, const VelocityWindow &w, std::size_t n) {
  std::vector<Event> out;
  std::int64_t clock = 1'700'000'000 * kSecond;
  const std::int64_t grid = std::max<std::int64_t>(kSecond, w.window_us / 5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (std::size_t i = 0; i < n; ++i) {
    if (!out.empty() && pick(0, 9) == 0) {  // a re-delivery
      out.push_back(out[static_cast<std::size_t>(pick(0, static_cast<int>(out.size()) - 1))]);
      continue;
    }
    clock += grid * pick(0, 2);
    Event e;
    e.entity = tag("entity-", pick(0, 3));
    e.id = tag("ev-", static_cast<long>(i));
    e.time = clock - (pick(0, 4) == 0 ? grid * pick(0, 3) : 0);  // out of order, sometimes late
    e.value = pick(0, 9) == 0 ? std::nan("") : static_cast<double>(pick(-5, 20));
    e.distinct = pick(0, 9) == 0 ? std::string() : tag("d", pick(0, 5));
    e.record = pick(0, 9) != 0;
    out.push_back(e);
  }
  return out;
}

// Runs random streams for every aggregation through `store` and the oracle; requests go
// to the store in batches of 1-3 (as a record with several velocity features would).
void check_against_oracle(VelocityStore &store, const std::string &namespace_prefix, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (VelocityAggregation agg : {VelocityAggregation::count, VelocityAggregation::sum, VelocityAggregation::min,
                                  VelocityAggregation::max, VelocityAggregation::mean,
                                  VelocityAggregation::distinct_count}) {
    for (int round = 0; round < 3; ++round) {
      VelocityWindow w;
      w.state_id = namespace_prefix + to_string(agg) + "#" + std::to_string(round);
      w.aggregation = agg;
      w.window_us = (5 + 5 * round) * kSecond;
      w.lateness_us = round * 2 * kSecond;
      const std::vector<Event> stream = random_stream(rng, w, 400);
      Oracle oracle(w);
      std::size_t i = 0;
      while (i < stream.size()) {
        const std::size_t batch = std::min<std::size_t>(stream.size() - i, static_cast<std::size_t>(rng() % 3 + 1));
        std::vector<VelocityRequest> requests;
        for (std::size_t k = 0; k < batch; ++k) {
          const Event &e = stream[i + k];
          requests.push_back(VelocityRequest{&w, VelocityEvent{e.entity, e.id, e.time, e.value, e.distinct, e.record}});
        }
        std::vector<VelocityResult> results(batch);
        store.apply(requests, results);
        for (std::size_t k = 0; k < batch; ++k) {
          const VelocityResult want = oracle.apply(stream[i + k]);
          INFO(to_string(agg), " round ", round, " event ", i + k, " t=", stream[i + k].time);
          REQUIRE(results[k].status == want.status);
          if (std::isnan(want.value)) CHECK(std::isnan(results[k].value));
          else CHECK(results[k].value == want.value);
        }
        i += batch;
      }
    }
  }
}

std::optional<std::string> test_redis() {
  const char *address = std::getenv("RISKKIT_TEST_REDIS");
  if (!address || !*address) return std::nullopt;
  return std::string(address);
}

std::string unique_prefix() { return "test:" + std::to_string(::getpid()) + ":" + std::to_string(std::random_device{}()) + ":"; }

}  // namespace

TEST_CASE("durations and aggregation names") {
  CHECK(parse_duration("90s") == 90 * kSecond);
  CHECK(parse_duration("15m") == 900 * kSecond);
  CHECK(parse_duration("1h") == 3600 * kSecond);
  CHECK(parse_duration("90d") == kMaxVelocityWindowMicros);
  CHECK(parse_duration("0") == 0);
  CHECK_FALSE(parse_duration("91d"));
  CHECK_FALSE(parse_duration("1w"));
  CHECK_FALSE(parse_duration("-1h"));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("1.5h"));
  CHECK(parse_velocity_aggregation("distinct_count") == VelocityAggregation::distinct_count);
  CHECK_FALSE(parse_velocity_aggregation("median"));
}

TEST_CASE("in-process store equals the brute-force oracle") {
  InProcessVelocityStore store;
  for (std::uint64_t seed : {1u, 2u, 3u}) check_against_oracle(store, "seed" + std::to_string(seed) + ":", seed);
  CHECK(store.stats().duplicates > 0);
  CHECK(store.stats().late_dropped > 0);
}

TEST_CASE("a window edge: an event exactly `window` earlier is outside, one at the same time is inside") {
  InProcessVelocityStore store;
  VelocityWindow w{"edge#0", VelocityAggregation::count, 10 * kSecond, 0};
  std::vector<VelocityResult> r(1);
  auto send = [&](const char *id, std::int64_t t) {
    const VelocityRequest req{&w, VelocityEvent{"e", id, t, 0, "", true}};
    store.apply({&req, 1}, r);
    return r[0].value;
  };
  CHECK(send("a", 100 * kSecond) == 0);
  CHECK(send("b", 110 * kSecond) == 0);  // a is at exactly t - window: excluded
  CHECK(send("c", 110 * kSecond) == 1);  // b, at the same time: included
  CHECK(send("c", 110 * kSecond) == 1);  // a re-delivery of c does not see itself
  CHECK(send("d", 119 * kSecond) == 2);
  CHECK(store.stats().duplicates == 1);
}

TEST_CASE("snapshot and restore lose nothing; a damaged snapshot is refused") {
  std::mt19937_64 rng(7);
  VelocityWindow w{"snap#0", VelocityAggregation::sum, 30 * kSecond, 4 * kSecond};
  const std::vector<Event> stream = random_stream(rng, w, 600);
  InProcessVelocityStore straight, first;
  const auto path = std::filesystem::temp_directory_path() / tag("riskkit_velocity_", ::getpid()).append(".bin");
  auto run = [&](VelocityStore &s, const Event &e) {
    const VelocityRequest req{&w, VelocityEvent{e.entity, e.id, e.time, e.value, e.distinct, e.record}};
    VelocityResult r;
    s.apply({&req, 1}, {&r, 1});
    return r;
  };
  for (std::size_t i = 0; i < 300; ++i) run(straight, stream[i]), run(first, stream[i]);
  first.snapshot(path.string());
  InProcessVelocityStore second;
  second.restore(path.string());
  CHECK(second.entity_count() == first.entity_count());
  for (std::size_t i = 300; i < stream.size(); ++i) {
    const VelocityResult a = run(straight, stream[i]), b = run(second, stream[i]);
    REQUIRE(a.status == b.status);
    CHECK((a.value == b.value || (std::isnan(a.value) && std::isnan(b.value))));
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  CHECK_THROWS_AS(second.restore(path.string()), Error);
  std::filesystem::resize_file(path, 10);
  CHECK_THROWS_AS(second.restore(path.string()), Error);
  std::filesystem::remove(path);
}

TEST_CASE("memory is bounded: idle entities expire and the entity cap holds") {
  InProcessVelocityOptions options;
  options.shards = 4;
  options.max_entities = 200;
  options.max_events_per_entity = 8;
  InProcessVelocityStore store(options);
  // A long window: nothing expires, so only the cap bounds the entities.
  VelocityWindow w{"cap#0", VelocityAggregation::count, 86400 * kSecond, 0};
  for (int i = 0; i < 5000; ++i) {
    const std::string entity = tag("device-", i), id = tag("e", i);
    const VelocityRequest req{&w, VelocityEvent{entity, id, i * kSecond, 0, "", true}};
    VelocityResult r;
    store.apply({&req, 1}, {&r, 1});
    REQUIRE(store.entity_count() <= options.max_entities);
  }
  CHECK(store.stats().evicted_entities > 0);
  // A short window: entities whose events have all expired are forgotten, not evicted.
  InProcessVelocityStore idle(options);
  VelocityWindow brief{"idle#0", VelocityAggregation::count, 60 * kSecond, 0};
  for (int i = 0; i < 20000; ++i) {
    const std::string entity = tag("device-", i), id = tag("e", i);
    const VelocityRequest req{&brief, VelocityEvent{entity, id, i * kSecond, 0, "", true}};
    VelocityResult r;
    idle.apply({&req, 1}, {&r, 1});
  }
  CHECK(idle.stats().evicted_entities == 0);
  CHECK(idle.entity_count() < options.max_entities);
  // One runaway entity keeps at most max_events_per_entity events.
  VelocityResult r;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "bot" + std::to_string(i);
    const VelocityRequest req{&w, VelocityEvent{"bot", id, 10000 * kSecond, 0, "", true}};
    store.apply({&req, 1}, {&r, 1});
  }
  CHECK(r.value == 8);
}

TEST_CASE("Redis store equals the brute-force oracle") {
  const auto address = test_redis();
  if (!address) {
    MESSAGE("RISKKIT_TEST_REDIS is not set: Redis cases skipped (scripts/test.sh sets it)");
    return;
  }
  RedisVelocityStore store(RedisVelocityOptions::from_address(*address));
  const std::string why = store.ping();
  INFO("RISKKIT_TEST_REDIS=", *address);
  REQUIRE_MESSAGE(why.empty(), why);
  const std::string prefix = unique_prefix();
  check_against_oracle(store, prefix, 11);
  CHECK(store.stats().duplicates > 0);
  CHECK(store.stats().late_dropped > 0);
  CHECK(store.stats().unavailable == 0);
}

TEST_CASE("Redis store: the script is reloaded after SCRIPT FLUSH") {
  const auto address = test_redis();
  if (!address) return;
  RedisVelocityStore store(RedisVelocityOptions::from_address(*address));
  REQUIRE(store.ping().empty());
  VelocityWindow w{unique_prefix() + "flush#0", VelocityAggregation::count, 60 * kSecond, 0};
  VelocityResult r;
  const VelocityRequest a{&w, VelocityEvent{"e", "a", 10 * kSecond, 0, "", true}};
  store.apply({&a, 1}, {&r, 1});
  REQUIRE(r.status == VelocityStatus::ok);
  RedisVelocityStore flusher(RedisVelocityOptions::from_address(*address));
  const auto port = address->substr(address->rfind(':') + 1);
  REQUIRE(std::system(("redis-cli -p " + port + " SCRIPT FLUSH >/dev/null").c_str()) == 0);
  const VelocityRequest b{&w, VelocityEvent{"e", "b", 11 * kSecond, 0, "", true}};
  store.apply({&b, 1}, {&r, 1});
  CHECK(r.status == VelocityStatus::ok);
  CHECK(r.value == 1);
}

TEST_CASE("a Redis that is not there answers unavailable, quickly after the first failure") {
  RedisVelocityOptions options;
  options.port = 1;  // nothing listens on port 1
  options.connect_timeout = std::chrono::milliseconds(100);
  RedisVelocityStore store(options);
  CHECK_FALSE(store.ping().empty());
  VelocityWindow w{"down#0", VelocityAggregation::count, 60 * kSecond, 0};
  const VelocityRequest req[2] = {{&w, VelocityEvent{"e", "a", 1, 0, "", true}}, {&w, VelocityEvent{"f", "a", 1, 0, "", true}}};
  VelocityResult r[2];
  for (int i = 0; i < 3; ++i) {
    store.apply(req, r);
    CHECK(r[0].status == VelocityStatus::unavailable);
    CHECK(r[1].status == VelocityStatus::unavailable);
    CHECK(std::isnan(r[0].value));
  }
  CHECK(store.stats().unavailable == 6);
  CHECK_THROWS_AS(RedisVelocityOptions::from_address("localhost"), Error);
  CHECK_THROWS_AS(RedisVelocityOptions::from_address("localhost:99999"), Error);
}

TEST_CASE("Redis store: a window of thousands of events (chunked reads) agrees with the in-process store") {
  const auto address = test_redis();
  if (!address) return;
  RedisVelocityStore redis(RedisVelocityOptions::from_address(*address));
  REQUIRE(redis.ping().empty());
  InProcessVelocityStore local;
  const std::string prefix = unique_prefix();
  for (VelocityAggregation agg : {VelocityAggregation::sum, VelocityAggregation::distinct_count}) {
    VelocityWindow w{prefix + "big" + to_string(agg), agg, 86400 * kSecond, 0};
    VelocityResult a, b;
    for (int i = 0; i < 2500; ++i) {
      const std::string id = tag("e", i), distinct = tag("d", i % 1700);
      const VelocityRequest req{&w, VelocityEvent{"heavy", id, i * kSecond, double(i % 7), distinct, true}};
      redis.apply({&req, 1}, {&a, 1});
      local.apply({&req, 1}, {&b, 1});
    }
    REQUIRE(a.status == VelocityStatus::ok);
    CHECK(a.value == b.value);
    CHECK(a.value == (agg == VelocityAggregation::sum ? 7497.0 : 1700.0));
  }
}
