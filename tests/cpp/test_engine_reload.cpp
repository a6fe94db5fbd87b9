// Hot reload under load: threads decide while another thread reloads two bundle versions
// in turn (and tries a broken one). Every decision must succeed and match, exactly, the
// decision of the one version whose digest it carries (oracle: each version decided
// alone, single-threaded). scripts/tsan.sh runs this under ThreadSanitizer.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

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
    records.push_back(Record::from_json(Json{{"application_id", "R" + std::to_string(i)},
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
  for (int round = 0; round < 60; ++round) {
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
  // Let the deciders see the last version too before stopping.
  const long before = decided.load();
  while (decided.load() < before + 200) std::this_thread::yield();
  stop = true;
  for (auto &t : deciders) t.join();
  CHECK(failed == 0);
  CHECK(inconsistent == 0);
  CHECK(refused == reloads);
  CHECK(decided > 0);
}
