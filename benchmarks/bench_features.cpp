// Features: velocity stores, a 60-feature pipeline with 6 velocity features, and the
// pseudonymizer — each next to the peer it replaces, measured in the same run.
//
//   BM_Velocity_InProcess       update+read per second per core, in-process store
//   BM_Velocity_NaiveMap        peer: one global mutex, std::map of per-entity event vectors
//   BM_Pipeline60               60 features (54 expressions, 6 velocity) per record
//   BM_Pseudonymize_Riskkit     one pseudonym (precomputed HMAC pads)
//   BM_Pseudonymize_OpenSSL     peer: OpenSSL's one-shot HMAC() per call
//   BM_Velocity_Redis           records/s with 6 velocity features each, one pipelined round trip
//                               per record (needs RISKKIT_BENCH_REDIS or RISKKIT_TEST_REDIS=host:port)
#include <benchmark/benchmark.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "riskkit/features/feature_pipeline.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

using namespace riskkit;

namespace {

constexpr std::int64_t kSecond = 1000000;
constexpr int kEntities = 100000;

// Writes entity k's 64-character pseudonym-like key into `out`, as the pipeline has its
// freshly built key at hand (reading it from a 100k-entry table would add the table's
// cache misses to the store's).
void entity_key(std::uint64_t k, std::string &out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.assign(64, '0');
  std::uint64_t x = k * 0x9e3779b97f4a7c15ULL;
  for (int i = 63; i >= 48; --i, x >>= 4) out[static_cast<std::size_t>(i)] = kHex[x & 15];
}

// The peer: what a first implementation looks like.
class NaiveStore {
 public:
  double apply(const std::string &entity, std::int64_t t, std::int64_t window) {
    std::lock_guard lock(mutex_);
    auto &events = events_[entity];
    double count = 0;
    for (std::int64_t e : events)
      if (e > t - window && e <= t) ++count;
    events.push_back(t);
    std::erase_if(events, [&](std::int64_t e) { return e <= t - window; });
    return count;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::int64_t>> events_;
};

// Arg: how many entities the events are spread over (the working set).
void BM_Velocity_InProcess(benchmark::State &state) {
  static InProcessVelocityStore store;
  const auto entities = static_cast<std::uint64_t>(state.range(0));
  const VelocityWindow w{"bench#0", VelocityAggregation::count, 3600 * kSecond, 300 * kSecond};
  std::mt19937_64 rng(static_cast<std::uint64_t>(state.thread_index()) + 1);
  std::int64_t t = 1'700'000'000 * kSecond;
  std::uint64_t n = static_cast<std::uint64_t>(state.thread_index()) << 40;
  std::string id, entity;
  VelocityResult r;
  for (auto _ : state) {
    t += 10000;  // 100 events per second of event time
    id = std::to_string(++n);
    entity_key(rng() % entities, entity);
    const VelocityRequest req{&w, VelocityEvent{entity, id, t, 0, "", true}};
    store.apply({&req, 1}, {&r, 1});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Velocity_InProcess)->Arg(1000)->Arg(kEntities)->Threads(1)->Threads(2)->UseRealTime();

void BM_Velocity_NaiveMap(benchmark::State &state) {
  static NaiveStore store;
  const auto entities = static_cast<std::uint64_t>(state.range(0));
  std::mt19937_64 rng(static_cast<std::uint64_t>(state.thread_index()) + 1);
  std::int64_t t = 1'700'000'000 * kSecond;
  std::string entity;
  for (auto _ : state) {
    t += 10000;
    entity_key(rng() % entities, entity);
    benchmark::DoNotOptimize(store.apply(entity, t, 3600 * kSecond));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Velocity_NaiveMap)->Arg(1000)->Arg(kEntities)->Threads(1)->Threads(2)->UseRealTime();

// A schema of 20 fields and 60 features: 6 velocity features over 3 entities, 54
// expressions of the shapes real bundles use (ratios, logs, clamps, flags, categories).
struct Pipeline60 {
  Schema schema;
  FeaturePipeline pipeline;
  std::vector<Value> slots;
  Pipeline60() {
    std::vector<FieldSpec> fields = {
        {"application_id", FieldType::string, true, FieldRole::event_id, {}, ""},
        {"applied_at", FieldType::timestamp, true, FieldRole::event_time, {}, ""},
        {"device_id", FieldType::string, false, FieldRole::entity, {}, "device"},
        {"phone", FieldType::string, false, FieldRole::entity, {}, "phone"},
        {"id_number", FieldType::string, false, FieldRole::entity, {}, "id_number"},
        {"channel", FieldType::string, false, FieldRole::none, {}, ""},
    };
    for (int i = 0; i < 14; ++i) fields.push_back({fmt::format("x{}", i), FieldType::number, false, FieldRole::none, {}, ""});
    schema = Schema(fields);
    std::vector<FeatureDefinition> defs;
    auto velocity = [&](const char *name, const char *entity, const char *window, VelocityAggregation agg,
                        const char *value) {
      FeatureDefinition d;
      d.name = name;
      d.velocity = VelocityDefinition{{entity}, window, "5m", agg, value, "", true};
      d.origin = "bench";
      defs.push_back(d);
    };
    velocity("apps_device_1h", "device_id", "1h", VelocityAggregation::count, "");
    velocity("apps_device_7d", "device_id", "7d", VelocityAggregation::count, "");
    velocity("apps_phone_30d", "phone", "30d", VelocityAggregation::count, "");
    velocity("amount_phone_1d", "phone", "1d", VelocityAggregation::sum, "x0");
    velocity("phones_id_30d", "id_number", "30d", VelocityAggregation::distinct_count, "phone");
    velocity("max_amount_id_7d", "id_number", "7d", VelocityAggregation::max, "x0");
    const char *shapes[] = {"x{a} / max(x{b}, 1)", "log(max(x{a}, 1))", "clamp(x{a} * 0.01 + x{b}, 0, 100)",
                            "x{a} > 3 and x{b} < 10", "channel in [\"web\", \"h5\"] and x{a} > 1",
                            "coalesce(x{a}, 0) + coalesce(x{b}, 0)"};
    for (int i = 0; i < 54; ++i) {
      FeatureDefinition d;
      d.name = fmt::format("f{}", i);
      d.expr = fmt::format(fmt::runtime(shapes[i % 6]), fmt::arg("a", i % 14), fmt::arg("b", (i * 7 + 3) % 14));
      d.origin = "bench";
      defs.push_back(d);
    }
    pipeline = FeaturePipeline(schema, defs);
    slots.resize(pipeline.num_slots());
    for (int i = 0; i < 14; ++i) slots[6 + static_cast<std::size_t>(i)] = Value::number(i * 1.5 + 1);
    slots[5] = Value::string("web");
  }
};

void BM_Pipeline60(benchmark::State &state) {
  Pipeline60 p;
  InProcessVelocityStore store;
  std::mt19937_64 rng(3);
  std::int64_t t = 1'700'000'000 * kSecond;
  std::uint64_t n = 0;
  FeatureContext context;
  context.velocity = &store;
  std::string key;
  for (auto _ : state) {
    t += 10000;
    p.slots[0] = Value::string(std::to_string(++n));
    p.slots[1] = Value::timestamp(Timestamp{t});
    for (std::size_t f = 2; f <= 4; ++f) {
      entity_key(rng() % kEntities, key);
      p.slots[f] = Value::string(key);
    }
    p.pipeline.compute(p.slots, context);
    benchmark::DoNotOptimize(p.slots.back());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["features"] = static_cast<double>(p.pipeline.num_features());
  state.counters["velocity"] = static_cast<double>(p.pipeline.num_velocity_features());
}
BENCHMARK(BM_Pipeline60);

const char *kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

void BM_Pseudonymize_Riskkit(benchmark::State &state) {
  const privacy::Pseudonymizer p(privacy::PseudonymKey::from_text(kKeyHex));
  for (auto _ : state) benchmark::DoNotOptimize(p.hmac_hex("8613812345678"));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Pseudonymize_Riskkit);

void BM_Pseudonymize_OpenSSL(benchmark::State &state) {
  const std::string key = privacy::PseudonymKey::from_text(kKeyHex).bytes();
  const std::string msg = "8613812345678";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(msg.data()),
         msg.size(), mac, &len);
    benchmark::DoNotOptimize(mac);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Pseudonymize_OpenSSL);

void BM_Velocity_Redis(benchmark::State &state) {
  const char *address = std::getenv("RISKKIT_BENCH_REDIS");
  if (!address || !*address) address = std::getenv("RISKKIT_TEST_REDIS");
  if (!address || !*address) {
    state.SkipWithError("set RISKKIT_BENCH_REDIS=host:port (e.g. eval \"$(scripts/redis.sh start)\")");
    return;
  }
  static RedisVelocityStore store(RedisVelocityOptions::from_address(address));
  if (const std::string why = store.ping(); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  const std::string run = std::to_string(std::random_device{}());
  std::vector<VelocityWindow> windows;
  for (int i = 0; i < 6; ++i)
    windows.push_back(VelocityWindow{fmt::format("bench{}-{}#0", run, i), VelocityAggregation::count,
                                     3600 * kSecond, 300 * kSecond});
  std::mt19937_64 rng(static_cast<std::uint64_t>(state.thread_index()) + 9);
  std::int64_t t = 1'700'000'000 * kSecond;
  std::uint64_t n = static_cast<std::uint64_t>(state.thread_index()) << 40;
  std::vector<VelocityRequest> requests(6);
  std::vector<VelocityResult> results(6);
  std::string id;
  std::vector<std::string> keys(6);
  for (auto _ : state) {
    t += 10000;
    id = std::to_string(++n);
    for (std::size_t i = 0; i < 6; ++i) {
      entity_key(rng() % 1000, keys[i]);
      requests[i] = VelocityRequest{&windows[i], VelocityEvent{keys[i], id, t, 0, "", true}};
    }
    store.apply(requests, results);
    if (results[0].status != VelocityStatus::ok) {
      state.SkipWithError("Redis stopped answering");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Velocity_Redis)->Threads(1)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
