// features: the bundle's lists (in_list rules and features), velocity features through
// the engine, privacy on entry (pseudonyms from Python's hmac in the list fixture, no raw
// value in any output, no key → refused), the velocity failure policy, and load errors.
// Fixture: tests/data/bundles/features (tests/data/make_feature_bundle.py).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/sha256.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/riskkit.hpp"

using namespace riskkit;
namespace fs = std::filesystem;

namespace {

const std::string kBundle = RK_TEST_DATA "/bundles/features";
const char *kTestKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

EngineOptions keyed() {
  EngineOptions o;
  o.pseudonym_key = privacy::PseudonymKey::from_text(kTestKey);
  return o;
}

Record application(const std::string &id, const std::string &time, const std::string &device, double amount,
                   const std::string &channel = "app", const std::string &phone = "138 1234 5678") {
  nlohmann::json j = {{"application_id", id}, {"applied_at", time}, {"device_id", device},
                      {"phone", phone},       {"email", "Jane.Roe@Example.com"}, {"channel", channel},
                      {"amount", amount}};
  return Record::from_json(j.dump());
}

std::map<std::string, double> features_of(const Engine &e, const Record &r) {
  const std::vector<double> values = e.features(r);
  const std::vector<std::string> names = e.bundle()->feature_names();
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = values[i];
  return out;
}

struct BundleCopy {
  fs::path dir;
  BundleCopy() {
    dir = fs::temp_directory_path() / ("riskkit_features_" + std::to_string(std::random_device{}()));
    fs::copy(kBundle, dir, fs::copy_options::recursive);
  }
  ~BundleCopy() { fs::remove_all(dir); }
  void edit(const std::function<void(nlohmann::json &)> &change) {
    nlohmann::json j = nlohmann::json::parse(std::ifstream(dir / "bundle.json"));
    change(j);
    std::ofstream(dir / "bundle.json") << j.dump(2);
  }
  std::string load_error() const {
    try {
      Bundle::load(dir.string());
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
};

// Restores an environment variable when the scope ends.
struct SavedVariable {
  std::string name;
  std::optional<std::string> value;
  explicit SavedVariable(std::string n) : name(std::move(n)) {
    if (const char *v = std::getenv(name.c_str())) value = v;
  }
  ~SavedVariable() {
    if (value) setenv(name.c_str(), value->c_str(), 1);
    else unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("block list: rule and feature match pseudonyms computed by Python's hmac") {
  const Engine engine = Engine::open(kBundle, keyed());
  const Decision d = engine.decide(application("A1", "2026-11-25T10:00:00Z", "dev-blocked-2", 100));
  CHECK(d.outcome == Outcome::decline);
  REQUIRE(d.rule_hits.size() == 1);
  CHECK(d.rule_hits[0].rule_id == "L001");
  CHECK(features_of(engine, application("A2", "2026-11-25T10:00:01Z", " dev-blocked-1", 1))["device_blocked"] == 1);
  CHECK(features_of(engine, application("A3", "2026-11-25T10:00:02Z", "dev-ok", 1))["device_blocked"] == 0);
  const Decision ok = engine.decide(application("A4", "2026-11-25T10:00:03Z", "dev-ok", 1));
  CHECK(ok.outcome == Outcome::approve);
}

TEST_CASE("velocity features through the engine: read prior events, then record") {
  const Engine engine = Engine::open(kBundle, keyed());
  auto f1 = features_of(engine, application("B1", "2026-11-25T10:00:00Z", "dev-9", 100, "web"));
  CHECK(f1["apps_per_device_1h"] == 0);
  CHECK(f1["amount_per_phone_1d"] == 0);
  CHECK(f1["devices_per_phone_30d"] == 0);
  CHECK(std::isnan(f1["max_amount_per_device_1d"]));
  auto f2 = features_of(engine, application("B2", "2026-11-25T10:20:00Z", "dev-9", 250, "app", "+86 138-1234-5678"));
  CHECK(f2["apps_per_device_1h"] == 1);
  CHECK(f2["amount_per_phone_1d"] == 100);  // the same phone, written differently
  CHECK(f2["web_apps_per_phone_1h"] == 1);
  CHECK(f2["max_amount_per_device_1d"] == 100);
  CHECK(f2["amount_share"] == doctest::Approx(250.0 / 350.0));
  // A re-delivery of B2 counts once and does not see itself.
  auto again = features_of(engine, application("B2", "2026-11-25T10:20:00Z", "dev-9", 250, "app", "+86 138-1234-5678"));
  CHECK(again["apps_per_device_1h"] == 1);
  auto f3 = features_of(engine, application("B3", "2026-11-25T10:40:00Z", "dev-10", 5));
  CHECK(f3["devices_per_phone_30d"] == 1);  // dev-9 once, though seen twice
  CHECK(features_of(engine, application("B4", "2026-11-25T10:50:00Z", "dev-9", 5))["apps_per_device_1h"] == 2);
  const Decision d = engine.decide(application("B5", "2026-11-25T10:59:59Z", "dev-9", 5));
  CHECK(d.outcome == Outcome::review);  // V001: three earlier applications within the hour
  // An hour after B1 (exactly): B1 has left the window.
  CHECK(features_of(engine, application("B6", "2026-11-25T11:00:00Z", "dev-9", 5))["apps_per_device_1h"] == 3);
  // Later than the allowed lateness (10m for max_amount..., 5m otherwise): missing, with an issue.
  const Decision late = engine.decide(application("B7", "2026-11-25T10:30:00Z", "dev-9", 5));
  CHECK(std::any_of(late.issues.begin(), late.issues.end(),
                    [](const FieldIssue &i) { return i.field == "velocity" && i.message.find("later") != std::string::npos; }));
  CHECK(engine.velocity_store()->stats().late_dropped > 0);
}

TEST_CASE("raw identifiers never reach the decision; a usable value is required") {
  const Engine engine = Engine::open(kBundle, keyed());
  const Decision d = engine.decide(application("C1", "2026-11-25T10:00:00Z", "dev-secret-77", 5, "app", "13812345678"));
  const std::string json = d.to_json();
  for (const char *raw : {"dev-secret-77", "13812345678", "Jane.Roe", "jane.roe", "example.com"})
    CHECK_MESSAGE(json.find(raw) == std::string::npos, raw);
  const Decision bad = engine.decide(application("C2", "2026-11-25T10:00:00Z", "dev-1", 5, "app", "call me"));
  REQUIRE(bad.issues.size() == 1);
  CHECK(bad.issues[0].field == "phone");
  CHECK(bad.to_json().find("call me") == std::string::npos);
}

TEST_CASE("a bundle with personal data and no key is refused, naming the variables") {
  SavedVariable key(privacy::kKeyVariable), file(privacy::kKeyFileVariable);
  unsetenv(privacy::kKeyVariable);
  unsetenv(privacy::kKeyFileVariable);
  try {
    Engine::open(kBundle);
    FAIL("expected a refusal");
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("RISKKIT_PSEUDONYM_KEY") != std::string::npos);
    CHECK(std::string(e.what()).find("RISKKIT_PSEUDONYM_KEY_FILE") != std::string::npos);
  }
  CHECK_NOTHROW(Bundle::load(kBundle));  // validating needs no key
  setenv(privacy::kKeyVariable, kTestKey, 1);
  CHECK_NOTHROW(Engine::open(kBundle));
  // Reload to a pii bundle on an engine without a key is refused; the old bundle serves on.
  unsetenv(privacy::kKeyVariable);
  Engine plain = Engine::open(RK_TEST_DATA "/bundles/basic");
  CHECK_THROWS_AS(plain.reload(kBundle), Error);
  CHECK(plain.bundle()->name() != "features-test");
}

TEST_CASE("velocity store down: fail-open adds an issue, fail-closed also forces review with its reason") {
  RedisVelocityOptions nowhere;
  nowhere.port = 1;
  nowhere.connect_timeout = std::chrono::milliseconds(50);
  EngineOptions open_options = keyed();
  open_options.velocity_store = std::make_shared<RedisVelocityStore>(nowhere);
  const Engine fail_open = Engine::open(kBundle, open_options);
  const Decision a = fail_open.decide(application("D1", "2026-11-25T10:00:00Z", "dev-1", 5));
  CHECK(a.outcome == Outcome::approve);
  CHECK(std::any_of(a.issues.begin(), a.issues.end(), [](const FieldIssue &i) { return i.field == "velocity"; }));
  CHECK(std::isnan(features_of(fail_open, application("D2", "2026-11-25T10:00:00Z", "dev-1", 5))["apps_per_device_1h"]));

  EngineOptions closed_options = open_options;
  closed_options.velocity_failure = VelocityFailurePolicy::fail_closed;
  const Engine fail_closed = Engine::open(kBundle, closed_options);
  const Decision b = fail_closed.decide(application("D3", "2026-11-25T10:00:00Z", "dev-1", 5));
  CHECK(b.outcome == Outcome::review);
  REQUIRE_FALSE(b.reasons.empty());
  CHECK(b.reasons[0].code == "RK_VELOCITY_UNAVAILABLE");
  const Decision c = fail_closed.decide(application("D4", "2026-11-25T10:00:00Z", "dev-blocked-1", 5));
  CHECK(c.outcome == Outcome::decline);  // never weakened
}

TEST_CASE("the Redis store gives the engine the same features as the in-process store") {
  const char *address = std::getenv("RISKKIT_TEST_REDIS");
  if (!address || !*address) return;
  auto redis = std::make_shared<RedisVelocityStore>(RedisVelocityOptions::from_address(address));
  REQUIRE_MESSAGE(redis->ping().empty(), redis->ping());
  EngineOptions with_redis = keyed();
  with_redis.velocity_store = redis;
  const Engine a = Engine::open(kBundle, keyed()), b = Engine::open(kBundle, with_redis);
  std::mt19937_64 rng(5);
  // Unique devices and phones per run, so state left in Redis by an earlier run is not read.
  const std::string run = std::to_string(std::random_device{}());
  for (int i = 0; i < 300; ++i) {
    const int minute = i * 3 + static_cast<int>(rng() % 5);
    const std::string time = fmt::format("2026-11-25T{:02}:{:02}:00Z", 8 + minute / 60, minute % 60);
    const Record r = application(fmt::format("R{}-{}", run, i), time, fmt::format("dev-{}-{}", run, rng() % 4),
                                 static_cast<double>(rng() % 500), rng() % 2 ? "web" : "app",
                                 fmt::format("139{}{:04}", run.substr(0, 4), rng() % 3));
    const std::vector<double> x = a.features(r), y = b.features(r);
    for (std::size_t k = 0; k < x.size(); ++k) CHECK((x[k] == y[k] || (std::isnan(x[k]) && std::isnan(y[k]))));
  }
}

TEST_CASE("load errors name the JSON path and what is wrong") {
  SUBCASE("in_list of an unknown list, at line:column") {
    BundleCopy b;
    b.edit([](nlohmann::json &j) { j["rules"][0]["when"] = "in_list(\"device_blocklst\", device_id)"; });
    const std::string e = b.load_error();
    CHECK(e.find("/rules/0/when") != std::string::npos);
    CHECK(e.find("unknown list 'device_blocklst' (did you mean 'device_blocklist'?)") != std::string::npos);
  }
  SUBCASE("in_list's first argument must be a literal") {
    BundleCopy b;
    b.edit([](nlohmann::json &j) { j["rules"][0]["when"] = "in_list(channel, device_id)"; });
    CHECK(b.load_error().find("must be a list name in quotes") != std::string::npos);
  }
  SUBCASE("an in_list feature on a field of another kind") {
    BundleCopy b;
    b.edit([](nlohmann::json &j) { j["features"][5]["in_list"]["field"] = "phone"; });
    CHECK(b.load_error().find("list 'device_blocklist' holds 'device' pseudonyms but field 'phone' holds 'phone' values") !=
          std::string::npos);
  }
  SUBCASE("a list file with a raw value, and a list file that was changed") {
    BundleCopy b;
    const std::string raw = "# blocked\ndev-blocked-1\n";
    std::ofstream(b.dir / "lists" / "device_blocklist.txt") << raw;
    CHECK(b.load_error().find("/lists/device_blocklist/sha256: lists/device_blocklist.txt: SHA-256 is") !=
          std::string::npos);
    b.edit([&](nlohmann::json &j) { j["lists"]["device_blocklist"]["sha256"] = detail::sha256_hex(raw); });
    CHECK(b.load_error().find("lists/device_blocklist.txt:2: a 'device' list holds pseudonyms") != std::string::npos);
  }
  SUBCASE("velocity definitions") {
    BundleCopy b;
    b.edit([](nlohmann::json &j) {
      j["features"][0]["velocity"]["window"] = "2w";
    });
    CHECK(b.load_error().find("window '2w' is not a duration") != std::string::npos);
    b.edit([](nlohmann::json &j) {
      j["features"][0]["velocity"]["window"] = "1h";
      j["features"][1]["velocity"].erase("value");
    });
    CHECK(b.load_error().find("'sum' needs a 'value' field") != std::string::npos);
    b.edit([](nlohmann::json &j) {
      j["features"][1]["velocity"]["value"] = "channel";
    });
    CHECK(b.load_error().find("'sum' needs a number field; 'channel' is a string") != std::string::npos);
    b.edit([](nlohmann::json &j) {
      j["features"][1]["velocity"]["value"] = "amount";
      j["features"][3]["velocity"]["filter"] = "apps_per_device_1h > 1";  // features are not visible to filters
    });
    CHECK(b.load_error().find("unknown name 'apps_per_device_1h'") != std::string::npos);
    b.edit([](nlohmann::json &j) {
      j["features"][3]["velocity"]["filter"] = "channel == \"web\"";
      j["schema"]["applied_at"].erase("role");
    });
    CHECK(b.load_error().find("role 'event_time'") != std::string::npos);
  }
  SUBCASE("unknown pii kind, and pii on a number field") {
    BundleCopy b;
    b.edit([](nlohmann::json &j) {
      j["schema"]["email"]["pii"] = "emial";
      j["schema"]["amount"]["pii"] = "account";
    });
    const std::string e = b.load_error();
    CHECK(e.find("/schema/email/pii: unknown kind 'emial'") != std::string::npos);
    CHECK(e.find("/schema/amount/pii: personal data fields must have type 'string'") != std::string::npos);
  }
}

TEST_CASE("the state id follows the definition, not the window") {
  BundleCopy b;
  const Engine before = Engine::open(b.dir.string(), keyed());
  b.edit([](nlohmann::json &j) { j["features"][0]["velocity"]["window"] = "2h"; });
  EngineOptions shared = keyed();
  shared.velocity_store = before.velocity_store();
  features_of(before, application("S1", "2026-11-25T10:00:00Z", "dev-s", 1));
  const Engine after = Engine::open(b.dir.string(), shared);
  CHECK(features_of(after, application("S2", "2026-11-25T11:30:00Z", "dev-s", 1))["apps_per_device_1h"] == 1);
}

TEST_CASE("bins with WOE values and category maps, by hand") {
  BundleCopy b;
  b.edit([](nlohmann::json &j) {
    j["features"].push_back({{"name", "amount_woe"},
                             {"bins", {{"input", "amount"}, {"edges", {100, 1000}}, {"woe", {-1, 0, 1}},
                                       {"missing", -9}, {"special", {{{"value", 0}, {"woe", 5}}}}}}});
    j["features"].push_back({{"name", "channel_code"},
                             {"map", {{"input", "channel"}, {"values", {{"web", 1}, {"app", 2}}}, {"other", 0},
                                      {"missing", -1}}}});
    j["features"].push_back({{"name", "share_woe"},  // bins over an earlier feature, no missing bin
                             {"bins", {{"input", "amount_share"}, {"edges", {0.5}}, {"woe", {10, 20}}}}});
  });
  const Engine engine = Engine::open(b.dir.string(), keyed());
  const struct {
    double amount;
    const char *channel;
    double woe, code;
  } cases[] = {{50, "web", -1, 1}, {100, "app", 0, 2}, {999.5, "h5", 0, 0}, {1000, "web", 1, 1}, {0, "web", 5, 1},
               {NAN, "", -9, 0}};
  int i = 0;
  for (const auto &c : cases) {
    nlohmann::json j = {{"application_id", fmt::format("W{}", i)}, {"applied_at", "2026-11-25T10:00:00Z"}};
    if (!std::isnan(c.amount)) j["amount"] = c.amount;
    if (*c.channel) j["channel"] = c.channel;
    const auto f = features_of(engine, Record::from_json(j.dump()));
    INFO("case ", i);
    CHECK(f.at("amount_woe") == c.woe);
    CHECK(f.at("channel_code") == (*c.channel ? c.code : -1));
    ++i;
  }
  const auto f = features_of(engine, Record::from_json(R"({"application_id": "W9", "applied_at": "2026-11-25T10:00:00Z"})"));
  CHECK(std::isnan(f.at("share_woe")));  // amount_share is missing and there is no missing bin

  BundleCopy bad;
  bad.edit([](nlohmann::json &j) {
    j["features"].push_back({{"name", "w"}, {"bins", {{"input", "amount"}, {"edges", {5, 5}}, {"woe", {1, 2, 3}}}}});
  });
  CHECK(bad.load_error().find("edges must be strictly increasing") != std::string::npos);
  bad.edit([](nlohmann::json &j) { j["features"].back()["bins"]["edges"] = {1, 5}; j["features"].back()["bins"]["woe"] = {1, 2}; });
  CHECK(bad.load_error().find("2 edges make 3 bins, but 2 values are given") != std::string::npos);
  bad.edit([](nlohmann::json &j) {
    j["features"].back() = {{"name", "m"}, {"map", {{"input", "amount"}, {"values", {{"a", 1}}}}}};
  });
  CHECK(bad.load_error().find("input 'amount' is a number; a map needs a string field") != std::string::npos);
}

TEST_CASE("derived parts of personal data: e-mail domain, phone prefix, length — taken before pseudonymization") {
  BundleCopy b;
  b.edit([](nlohmann::json &j) {
    j["schema"]["email_domain"] = {{"type", "string"}, {"from", {{"field", "email"}, {"part", "domain"}}}};
    j["schema"]["phone_prefix"] = {{"type", "string"}, {"from", {{"field", "phone"}, {"part", "prefix"}}}};
    j["schema"]["email_length"] = {{"type", "number"}, {"from", {{"field", "email"}, {"part", "length"}}}};
    j["features"].push_back({{"name", "free_email"},
                             {"map", {{"input", "email_domain"}, {"values", {{"qq.com", 1}, {"gmail.com", 1}}},
                                      {"other", 0}}}});
    j["features"].push_back({{"name", "mobile_segment_138"}, {"expr", "phone_prefix == \"86138\""}});
    j["features"].push_back({{"name", "email_len"}, {"field", "email_length"}});
    j["rules"].push_back({{"id", "E001"}, {"when", "email_domain in [\"example.com\"]"}, {"action", "review"},
                          {"reason", {{"code", "E01"}, {"text", "Test domain"}}}});
  });
  const Engine engine = Engine::open(b.dir.string(), keyed());
  auto record = [](const char *email, const char *phone) {
    nlohmann::json j = {{"application_id", "P1"}, {"applied_at", "2026-11-25T10:00:00Z"}, {"email", email}, {"phone", phone}};
    return Record::from_json(j.dump());
  };
  auto f = features_of(engine, record(" Someone@QQ.com", "138-0000-1111"));
  CHECK(f["free_email"] == 1);
  CHECK(f["mobile_segment_138"] == 1);
  CHECK(f["email_len"] == 14);  // "someone@qq.com"
  f = features_of(engine, record("x@corp.cn", "+44 20 7946 0958"));
  CHECK(f["free_email"] == 0);
  CHECK(f["mobile_segment_138"] == 0);
  const Decision d = engine.decide(record("Jane.Roe@Example.com", "13812345678"));
  CHECK(d.outcome == Outcome::review);
  CHECK(d.to_json().find("jane.roe") == std::string::npos);
  f = features_of(engine, record("no-at-sign", "12"));
  CHECK(std::isnan(f["free_email"]));  // no domain: the map's input is missing (no `missing` value given)
  CHECK(f["mobile_segment_138"] == 0);

  BundleCopy bad;
  bad.edit([](nlohmann::json &j) {
    j["schema"]["a"] = {{"type", "string"}, {"from", {{"field", "phone"}, {"part", "domain"}}}};
    j["schema"]["b"] = {{"type", "string"}, {"from", {{"field", "channel"}, {"part", "length"}}}};
    j["schema"]["c"] = {{"type", "string"}, {"from", {{"field", "email"}, {"part", "length"}}}};
    j["schema"]["d"] = {{"type", "string"}, {"from", {{"field", "email"}, {"part", "tld"}}}};
  });
  const std::string e = bad.load_error();
  CHECK(e.find("/schema/a/from/part: a 'phone' value has no part 'domain'") != std::string::npos);
  CHECK(e.find("/schema/b/from/field: 'channel' is not a personal-data (pii) field") != std::string::npos);
  CHECK(e.find("/schema/c/type: part 'length' is a number") != std::string::npos);
  CHECK(e.find("/schema/d/from/part: unknown part 'tld'") != std::string::npos);
}

TEST_CASE("a batch with velocity features equals deciding its records one by one, whatever the thread count") {
  std::vector<Record> records;
  for (int i = 0; i < 400; ++i)
    records.push_back(application(fmt::format("K{}", i), fmt::format("2026-11-25T10:{:02}:{:02}Z", i / 60 % 60, i % 60),
                                  fmt::format("dev-{}", i % 3), i));
  const Engine one = Engine::open(kBundle, keyed()), many = Engine::open(kBundle, keyed());
  std::vector<std::string> expected;
  for (const Record &r : records) expected.push_back(to_string(one.decide(r).outcome));
  const std::vector<Decision> batch = many.decide_batch(records, 4);
  for (std::size_t i = 0; i < records.size(); ++i) CHECK(to_string(batch[i].outcome) == expected[i]);
  CHECK(std::count(expected.begin(), expected.end(), "review") > 0);
}
