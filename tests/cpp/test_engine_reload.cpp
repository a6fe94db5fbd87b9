// Hot reload under load: threads decide while another thread reloads two bundle versions
// in turn (and tries a broken one). Every decision must succeed and match, exactly, the
// decision of the one version whose digest it carries (oracle: each version decided
// alone, single-threaded; with velocity state and an audit log, each version's replay of
// the lines carrying its digest). The suite also runs it under ThreadSanitizer
// (test_engine_reload_tsan); RISKKIT_RELOAD_ROUNDS sets the stress length (default 60),
// scripts/tsan.sh runs a long form.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

// Reload rounds of each stress test: RISKKIT_RELOAD_ROUNDS (scripts/tsan.sh's long form), else 60.
int reload_rounds() {
  const char *rounds_env = std::getenv("RISKKIT_RELOAD_ROUNDS");
  return rounds_env ? std::max(1, std::atoi(rounds_env)) : 60;
}

// Lets the deciders make 200 more decisions, so they see the last version too, then stops
// and joins them.
void stop_deciders(std::atomic<long> &decided, std::atomic<bool> &stop, std::vector<std::thread> &deciders) {
  const long before = decided.load();
  while (decided.load() < before + 200) std::this_thread::yield();
  stop = true;
  for (auto &t : deciders) t.join();
}

}  // namespace

TEST_CASE("reload under load: no failed decision, each consistent with exactly one version, broken never served") {
  const std::string basic = RK_TEST_DATA "/bundles/basic";
  BundleCopy v1(basic, "reload_v1"), v2(basic, "reload_v2"), broken(basic, "reload_broken");
  // v2 moves the cutoffs, so many records decide differently under the two versions.
  v2.edit([](nlohmann::ordered_json &j) {
    j["version"] = "2.0.0";
    j["policy"]["cutoffs"][0]["above"] = 0.1;
    j["policy"]["cutoffs"][1]["above"] = 0.04;
  });
  broken.edit([](nlohmann::ordered_json &j) { j["rules"][0]["when"] = "age_years <"; });

  std::vector<Record> records;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 64; ++i)
    records.push_back(Record::from_json(Json{{"application_id", fmt::format("R{}", i)},
                                             {"income", std::round(u(rng) * 9000) + 500},
                                             {"debt", std::round(u(rng) * 3000)},
                                             {"age", 18 + static_cast<int>(u(rng) * 50)},
                                             {"inquiries", static_cast<int>(u(rng) * 7)},
                                             {"channel", u(rng) < 0.5 ? "web" : "app"}}
                                            .dump()));
  // The oracle: every record decided by each version alone.
  std::map<std::string, std::vector<std::string>> expected;  // digest → decision JSON without latency
  const auto key = [](const Decision &d) {
    Json j = Json::parse(d.to_json());
    j.erase("latency_us");
    return j.dump();
  };
  for (const BundleCopy *v : {&v1, &v2}) {
    const Engine alone = Engine::open(v->path());
    auto &out = expected[alone.bundle()->digest()];
    for (const Record &r : records) out.push_back(key(alone.decide(r)));
  }
  REQUIRE(expected.size() == 2);
  int differ = 0;
  for (std::size_t i = 0; i < records.size(); ++i)
    differ += expected.begin()->second[i] != std::next(expected.begin())->second[i];
  REQUIRE(differ > 10);

  Engine engine = Engine::open(v1.path());
  std::atomic<bool> stop{false};
  std::atomic<long> decided{0}, failed{0}, inconsistent{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 4; ++t)
    deciders.emplace_back([&, t] {
      for (std::size_t i = t; !stop.load(); i = (i + 1) % records.size()) {
        try {
          const Decision d = engine.decide(records[i]);
          const auto it = expected.find(d.bundle_digest);
          if (it == expected.end() || it->second[i] != key(d)) ++inconsistent;
          ++decided;
        } catch (...) {
          ++failed;
        }
      }
    });
  int reloads = 0, refused = 0;
  const int rounds = reload_rounds();
  for (int round = 0; round < rounds; ++round) {
    engine.reload((round % 2 ? v1 : v2).path());
    ++reloads;
    try {
      engine.reload(broken.path());
    } catch (const Error &) {
      ++refused;
    }
    CHECK(expected.count(engine.bundle()->digest()) == 1);  // the broken bundle never replaced a good one
    std::this_thread::yield();
  }
  stop_deciders(decided, stop, deciders);
  CHECK(failed == 0);
  CHECK(inconsistent == 0);
  CHECK(refused == reloads);
  CHECK(decided > 0);
}

TEST_CASE("reload under load with velocity state, an audit log and snapshots: every line replays with its version") {
  const std::string features = RK_TEST_DATA "/bundles/features";
  BundleCopy v1(features, "reload_feat_v1"), v2(features, "reload_feat_v2");
  // v2 reviews from the second application of a device in the hour, v1 from the third.
  v2.edit([](nlohmann::ordered_json &j) {
    j["version"] = "2.0.0";
    j["rules"][1]["when"] = "apps_per_device_1h >= 2";
  });
  TempFile log("reload_audit"), snapshot("reload_velocity");
  EngineOptions options = keyed();
  options.audit.path = log.path.string();
  Engine engine = Engine::open(v1.path(), options);
  auto *store = dynamic_cast<InProcessVelocityStore *>(engine.velocity_store().get());
  REQUIRE(store != nullptr);

  std::atomic<bool> stop{false};
  std::atomic<long> decided{0}, failed{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 4; ++t)
    deciders.emplace_back([&, t] {
      for (long i = 0; !stop.load(); ++i) {
        // Each thread its own event ids and clock; devices shared across threads.
        const long minute = i % (24 * 60);
        const std::string time =
            fmt::format("2026-03-{:02}T{:02}:{:02}:00Z", 1 + i / (24 * 60) % 28, minute / 60, minute % 60);
        const Json a = {{"application_id", fmt::format("T{}-{}", t, i)},
                        {"applied_at", time},
                        {"device_id", fmt::format("dev-{}", i % 5)},
                        {"phone", fmt::format("138 1234 56{}", 10 + (i + t) % 7)},
                        {"email", "x@example.com"},
                        {"channel", i % 3 ? "app" : "web"},
                        {"amount", 100 + 10 * (i % 9)}};
        try {
          engine.decide(Record::from_json(a.dump()));
          ++decided;
        } catch (...) {
          ++failed;
        }
      }
    });
  const int rounds = reload_rounds();
  for (int round = 0; round < rounds; ++round) {
    engine.reload((round % 2 ? v1 : v2).path());
    store->snapshot(snapshot.path.string());  // while threads record events
    std::this_thread::yield();
  }
  stop_deciders(decided, stop, deciders);
  CHECK(failed == 0);

  // The oracle: each version replays the lines that carry its digest, bit for bit, from
  // the logged inputs and velocity values.
  const std::map<std::string, std::string> dir_of = {{Engine::open(v1.path(), keyed()).bundle()->digest(), v1.path()},
                                                     {Engine::open(v2.path(), keyed()).bundle()->digest(), v2.path()}};
  std::map<std::string, std::string> lines_of;
  std::size_t lines = 0, unknown = 0;
  std::istringstream in(slurp(log.path));
  for (std::string line; std::getline(in, line); ++lines) {
    const std::string digest = Json::parse(line)["bundle"]["digest"];
    if (dir_of.count(digest)) lines_of[digest] += line + "\n";
    else ++unknown;
  }
  CHECK(unknown == 0);
  CHECK(lines == static_cast<std::size_t>(decided.load()));
  CHECK(lines_of.size() == 2);
  for (const auto &[digest, text] : lines_of) {
    TempFile part("reload_audit_part");
    std::ofstream(part.path) << text;
    const ReplayReport report = replay(part.path.string(), dir_of.at(digest));
    CHECK(report.decisions > 0);
    CHECK(report.identical == report.decisions);
  }
}
