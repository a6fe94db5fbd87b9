// engine: bundle loading and its errors, decisions against the Python/xgboost oracle
// (tests/data/make_engine_fixtures.py), reload, concurrency.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "riskkit/riskkit.hpp"

#include "engine_test_support.hpp"

using namespace riskkit;
namespace fs = std::filesystem;

namespace {

using rk_test::slurp;

const std::string kBasic = RK_TEST_DATA "/bundles/basic";

void spit(const fs::path &p, const std::string &s) { std::ofstream(p, std::ios::binary) << s; }

// A private copy of the basic bundle.
struct BundleCopy : rk_test::BundleCopy {
  explicit BundleCopy(const std::string &name) : rk_test::BundleCopy(kBasic, "test_" + name) {}
};

std::string load_error(const fs::path &dir, ErrorCode *code = nullptr) {
  try {
    Bundle::load(dir.string());
  } catch (const Error &e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

Record record_of(const nlohmann::json &j) {
  // Through the public JSON entry point, as an integrator would.
  return Record::from_json(j.dump());
}

}  // namespace

TEST_CASE("decisions equal the independent oracle: outcome, grade, score, rule hits, reasons") {
  const Engine engine = Engine::open(kBasic);
  const auto cases = nlohmann::json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json"));
  REQUIRE(cases.size() == 7);
  for (const auto &c : cases) {
    const auto &want = c["expected"];
    CAPTURE(c["record"].dump());
    const Decision d = engine.decide(record_of(c["record"]));
    CHECK(to_string(d.outcome) == want["outcome"].get<std::string>());
    CHECK(d.grade == want["grade"].get<std::string>());
    REQUIRE(d.scores.size() == 1);
    CHECK(d.scores[0].name == "risk");
    CHECK(std::abs(d.scores[0].value - want["score"].get<double>()) <= 1e-6);
    std::vector<std::string> hits, reasons;
    for (const auto &h : d.rule_hits) hits.push_back(h.rule_id);
    for (const auto &r : d.reasons) reasons.push_back(r.code);
    CHECK(hits == want["rule_hits"].get<std::vector<std::string>>());
    CHECK(reasons == want["reasons"].get<std::vector<std::string>>());
    CHECK(d.event_id == c["record"]["application_id"].get<std::string>());
    CHECK(d.bundle_name == "basic-test");
    CHECK(d.bundle_digest.size() == 64);
  }
}

// tests/data/make_engine_fixtures.py predicts every decision of a stream: velocity
// windows (bounds, ties, a missing entity), a model reading a velocity sum, a scorecard
// with a "below" cutoff, a segment's cutoffs, a challenger arm's cutoffs and tables.
TEST_CASE("a stream of decisions equals the independent oracle: velocity, scorecard, segments, arms, tables") {
  const Engine engine = Engine::open(RK_TEST_DATA "/bundles/stream");
  const auto cases = nlohmann::json::parse(slurp(RK_TEST_DATA "/bundles/stream_expected.json"));
  REQUIRE(cases.size() == 15);
  const auto output = [](const Decision &d, const std::string &name) -> const Value & {
    const auto it = std::find_if(d.outputs.begin(), d.outputs.end(), [&](const TableOutput &o) { return o.name == name; });
    REQUIRE(it != d.outputs.end());
    REQUIRE(it->values.size() == 1);
    return it->values[0];
  };
  for (const auto &c : cases) {  // in order: each decision reads the velocity state the earlier ones left
    const auto &want = c["expected"];
    CAPTURE(c["record"].dump());
    const Decision d = engine.decide(record_of(c["record"]));
    CHECK(to_string(d.outcome) == want["outcome"].get<std::string>());
    CHECK(d.grade == want["grade"].get<std::string>());
    CHECK(d.segment == want["segment"].get<std::string>());
    CHECK(d.arm == want["arm"].get<std::string>());
    REQUIRE(d.scores.size() == 2);
    CHECK(std::abs(d.scores[0].value - want["risk"].get<double>()) <= 1e-6);
    CHECK(d.scores[1].value == want["card"].get<double>());
    std::vector<std::string> hits;
    for (const auto &h : d.rule_hits) hits.push_back(h.rule_id);
    CHECK(hits == want["rule_hits"].get<std::vector<std::string>>());
    CHECK(output(d, "limit.amount").as_number() == want["limit"].get<double>());
    const Value &apr = output(d, "price.apr");
    if (want["apr"].is_null()) CHECK(apr.is_missing());
    else CHECK(apr.as_number() == want["apr"].get<double>());
    if (d.outcome != Outcome::approve) CHECK(!d.reasons.empty());
  }
}

TEST_CASE("model reasons carry the contribution and source") {
  const Engine engine = Engine::open(kBasic);
  const Decision d = engine.decide(Record::from_json(
      R"({"application_id": "X", "income": 2000, "debt": 1800, "age": 23, "inquiries": 6, "channel": "app", "id_verified": true})"));
  REQUIRE(d.reasons.size() >= 2);
  CHECK(d.reasons[1].source.rfind("model:risk:", 0) == 0);
  CHECK(d.reasons[1].weight > 0);
  for (std::size_t i = 2; i < d.reasons.size(); ++i) CHECK(d.reasons[i].weight <= d.reasons[i - 1].weight);
}

TEST_CASE("records with missing, null, NaN, wrong-typed and extra fields are decided; required missing is rejected") {
  const Engine engine = Engine::open(kBasic);
  const Decision d = engine.decide(Record::from_json(
      R"({"application_id": "Y", "income": null, "debt": "lots", "age": "33", "inquiries": 1e300, "promo": "X1", "id_verified": 1})"));
  CHECK(d.issues.size() == 3);  // debt, id_verified, promo
  CHECK(d.scores.size() == 1);
  try {
    engine.decide(Record::from_json(R"({"age": 30, "income": 1e309})"));
    FAIL("1e309 is beyond double's range and must be refused");
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::parse);
    CHECK(std::string(e.what()).find("1e309") != std::string::npos);
  }
  Record nan_record;
  nan_record.set("age", Value::number(40)).set("income", Value::number(std::nan("")));
  CHECK_NOTHROW(engine.decide(nan_record));
  try {
    engine.decide(Record::from_json(R"({"income": 5000})"));
    FAIL("a record without its required field must be rejected");
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::invalid_record);
    CHECK(std::string(e.what()).find("field 'age'") != std::string::npos);
  }
}

TEST_CASE("an expression feature that divides by zero is missing and reported as an issue") {
  const Engine engine = Engine::open(kBasic);
  const Decision d = engine.decide(Record::from_json(R"({"application_id": "Z0", "age": 40, "income": 0, "debt": 100})"));
  const auto it = std::find_if(d.issues.begin(), d.issues.end(), [](const FieldIssue &i) { return i.field == "feature:dti"; });
  REQUIRE(it != d.issues.end());
  CHECK(it->message == "division by zero");
  const Decision ok = engine.decide(Record::from_json(R"({"application_id": "Z1", "age": 40, "income": 10, "debt": 100})"));
  CHECK(std::none_of(ok.issues.begin(), ok.issues.end(), [](const FieldIssue &i) { return i.field == "feature:dti"; }));
}

TEST_CASE("to_json carries every documented key") {
  const Engine engine = Engine::open(kBasic);
  const auto j = nlohmann::json::parse(engine.decide(Record::from_json(R"({"application_id": "Z", "age": 40})")).to_json());
  for (const char *key : {"event_id", "outcome", "grade", "scores", "rule_hits", "reasons", "issues", "bundle", "latency_us"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j["bundle"]["version"] == "1.0.0");
}

TEST_CASE("broken bundles are refused with the file, JSON path or line:column") {
  SUBCASE("wrong digest") {
    BundleCopy b("digest");
    std::string text = slurp(b.dir / "bundle.json");
    text = std::regex_replace(text, std::regex("\"sha256\": \"[0-9a-f]{64}\""), "\"sha256\": \"" + std::string(64, '0') + "\"",
                              std::regex_constants::format_first_only);
    spit(b.dir / "bundle.json", text);
    const std::string e = load_error(b.dir);
    CHECK(e.find("bundle.json: /models/risk/sha256: models/risk.json: SHA-256 is") != std::string::npos);
  }
  SUBCASE("a model file changed after signing") {
    BundleCopy b("tamper");
    spit(b.dir / "models" / "risk.json", slurp(b.dir / "models" / "risk.json") + " ");
    ErrorCode code{};
    CHECK(load_error(b.dir, &code).find("/models/risk/sha256") != std::string::npos);
    CHECK(code == ErrorCode::digest_mismatch);
  }
  SUBCASE("unknown feature in a rule, with a suggestion") {
    BundleCopy b("unknown");
    b.replace("age_years < 18", "age_yeers < 18");
    const std::string e = load_error(b.dir);
    CHECK(e.find("bundle.json: /rules/0/when: 1:1: unknown name 'age_yeers'") != std::string::npos);
  }
  SUBCASE("rule syntax error at line:column") {
    BundleCopy b("syntax");
    b.replace("age_years < 18", "age_years < < 18");
    CHECK(load_error(b.dir).find("bundle.json: /rules/0/when: 1:13:") != std::string::npos);
  }
  SUBCASE("missing model file") {
    BundleCopy b("nofile");
    fs::remove(b.dir / "models" / "risk.json");
    ErrorCode code{};
    const std::string e = load_error(b.dir, &code);
    CHECK(code == ErrorCode::io);
    CHECK(e.find("/models/risk/file") != std::string::npos);
    CHECK(e.find("risk.json: cannot open") != std::string::npos);
  }
  SUBCASE("malformed JSON") {
    BundleCopy b("malformed");
    b.replace("\"format\": 1,", "\"format\": 1,,");
    const std::string e = load_error(b.dir);
    CHECK(e.find("bundle.json: line 2, column") != std::string::npos);
  }
  SUBCASE("unknown actions") {
    BundleCopy b("action");
    b.replace("\"action\": \"decline\"", "\"action\": \"deny\"");
    CHECK(load_error(b.dir).find("/rules/0/action: unknown action 'deny'") != std::string::npos);
  }
  SUBCASE("every problem of a section is listed at once") {
    BundleCopy b("many");
    b.replace("\"default\": \"approve\"", "\"default\": \"accept\", \"defualt\": 1");
    b.replace("\"score\": \"risk\",\n      \"bands\"", "\"score\": \"rsik\",\n      \"bands\"");
    const std::string e = load_error(b.dir);
    CHECK(e.find("/policy/defualt: unknown key") != std::string::npos);
    CHECK(e.find("/policy/grades/score: unknown score 'rsik'") != std::string::npos);
    CHECK(e.find("/policy/default: unknown outcome 'accept'") != std::string::npos);
  }
  SUBCASE("model inputs must match the model") {
    BundleCopy b("inputs");
    b.replace("\"inputs\": [\n        \"dti\",", "\"inputs\": [\n        \"channel\", \"dti\",");
    const std::string e = load_error(b.dir);
    CHECK(e.find("/models/risk/inputs/0: 'channel' is a string") != std::string::npos);
  }
}

TEST_CASE("reload: a broken bundle leaves the old one serving; a good one is swapped in") {
  BundleCopy good("reload_good");
  BundleCopy broken("reload_broken");
  broken.replace("age_years < 18", "age_years <");
  Engine engine = Engine::open(good.dir.string());
  const std::string digest = engine.bundle()->digest();
  CHECK_THROWS_AS(engine.reload(broken.dir.string()), Error);
  CHECK(engine.bundle()->digest() == digest);
  good.replace("\"version\": \"1.0.0\"", "\"version\": \"1.0.1\"");
  engine.reload(good.dir.string());
  CHECK(engine.bundle()->version() == "1.0.1");
  CHECK(engine.bundle()->digest() != digest);
}

TEST_CASE("decide from many threads while reloading; batch equals one-by-one") {
  Engine engine = Engine::open(kBasic);
  const auto cases = nlohmann::json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json"));
  std::vector<Record> records;
  for (int rep = 0; rep < 50; ++rep)
    for (const auto &c : cases) records.push_back(record_of(c["record"]));
  std::vector<Decision> serial;
  for (const auto &r : records) serial.push_back(engine.decide(r));
  std::vector<std::pair<std::size_t, std::string>> errors;
  const auto batch = engine.decide_batch(records, 4, &errors);
  CHECK(errors.empty());
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(batch[i].outcome == serial[i].outcome);
    CHECK(batch[i].scores[0].value == serial[i].scores[0].value);  // bit-for-bit across threads
  }
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t)
    deciders.emplace_back([&] {
      while (!stop)
        for (std::size_t i = 0; i < cases.size(); ++i)
          if (engine.decide(records[i]).outcome != serial[i].outcome) ++mismatches;
    });
  for (int i = 0; i < 20; ++i) engine.reload(kBasic);
  stop = true;
  for (auto &t : deciders) t.join();
  CHECK(mismatches == 0);
}

TEST_CASE("decide_batch reports rejected records by index") {
  const Engine engine = Engine::open(kBasic);
  std::vector<Record> records{Record::from_json(R"({"age": 30})"), Record::from_json(R"({"income": 1})"),
                              Record::from_json(R"({"age": 50})")};
  std::vector<std::pair<std::size_t, std::string>> errors;
  const auto out = engine.decide_batch(records, 2, &errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].first == 1);
  CHECK(errors[0].second.find("field 'age'") != std::string::npos);
  CHECK(out[2].bundle_name == "basic-test");
}

TEST_CASE("the example application bundle loads and decides its applications") {
  const Engine engine = Engine::open(RK_SOURCE_DIR "/examples/bundles/application");
  std::ifstream in(RK_SOURCE_DIR "/examples/bundles/application/applications.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const Decision d = engine.decide(Record::from_json(line));
    CHECK(!d.event_id.empty());
    CHECK(d.scores.size() == 2);         // credit and bureau_scorecard
    CHECK(d.shadow_scores.size() == 1);  // credit_challenger, scored but never deciding
    CHECK((d.arm == "champion" || d.arm == "higher_limits"));
    if (d.outcome == Outcome::decline) CHECK(!d.reasons.empty());
    ++n;
  }
  CHECK(n >= 30);
}
