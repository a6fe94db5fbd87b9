// Policy by stage: stage outcomes (behaviour raise/keep/cut...), named segments,
// champion/challenger arms (oracle: the split recomputed with OpenSSL's SHA-256) and
// shadow models. Scores come from the basic bundle's xgboost oracle fixture.
#include <doctest/doctest.h>

#include <openssl/sha.h>

#include <cmath>
#include <map>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

const std::string kBasic = RK_TEST_DATA "/bundles/basic";

Json cases() { return Json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json")); }

Decision decide(const Engine &e, const Json &record) { return e.decide(Record::from_json(record.dump())); }

// The split's bucket, recomputed independently: SHA-256(salt 0x1f id), first 8 bytes big-endian, mod 10000.
unsigned bucket(const std::string &salt, const std::string &id) {
  const std::string text = salt + '\x1f' + id;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char *>(text.data()), text.size(), digest);
  unsigned long long prefix = 0;
  for (int i = 0; i < 8; ++i) prefix = (prefix << 8) | digest[i];
  return static_cast<unsigned>(prefix % 10000);
}

}  // namespace

TEST_CASE("the behaviour stage: raise/keep/review/cut, rule actions mapped to the stage's outcomes") {
  BundleCopy b(kBasic, "stage_behaviour");
  b.edit([](nlohmann::ordered_json &j) {
    j["stage"] = "behaviour";
    j["policy"]["cutoffs"] = Json::parse(R"([
      {"score": "risk", "above": 0.3, "outcome": "cut", "reason": {"code": "P01", "text": "Risk rose"}},
      {"score": "risk", "above": 0.1, "outcome": "keep"}])");
    j["policy"]["default"] = "raise";
  });
  const Engine engine = Engine::open(b.path());
  CHECK(engine.bundle()->outcome_names() == std::vector<std::string>{"raise", "keep", "review", "cut"});
  for (const auto &c : cases()) {
    CAPTURE(c["record"].dump());
    const Decision d = decide(engine, c["record"]);
    const double score = c["expected"]["score"].get<double>();
    // Oracle: a decline rule → cut, a review rule → review; else the cutoffs by hand.
    std::string want = score > 0.3 ? "cut" : score > 0.1 ? "keep" : "raise";
    const auto &hits = c["expected"]["rule_hits"];
    const bool decline_rule = std::find(hits.begin(), hits.end(), "R001") != hits.end();
    const bool review_rule = std::find(hits.begin(), hits.end(), "R002") != hits.end();
    if (decline_rule) want = "cut";
    else if (review_rule && want != "cut") want = "review";
    CHECK(d.action == want);
    const Outcome kind = want == "cut" ? Outcome::decline : want == "review" ? Outcome::review : Outcome::approve;
    CHECK(d.outcome == kind);
    CHECK(Json::parse(d.to_json())["action"] == want);
    if (want == "cut") CHECK(!d.reasons.empty());
    if (want == "raise") CHECK(d.reasons.empty());
  }
}

TEST_CASE("custom outcomes are checked: kinds in order, names known") {
  BundleCopy b(kBasic, "stage_custom");
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["outcomes"] = Json::parse(R"([{"name": "go", "kind": "approve"}, {"name": "stop", "kind": "decline"},
                                              {"name": "look", "kind": "review"}])");
    j["policy"]["cutoffs"][0]["outcome"] = "stop";
    j["policy"]["cutoffs"][1]["outcome"] = "maybe";
    j["policy"]["default"] = "go";
  });
  const std::string error = b.load_error();
  CHECK(error.find("/policy/cutoffs/1/outcome: unknown outcome 'maybe' (go, stop, look)") != std::string::npos);
  b.edit([](nlohmann::ordered_json &j) { j["policy"]["cutoffs"][1]["outcome"] = "look"; });
  CHECK(b.load_error().find("outcome 'look' (review) follows 'stop' (decline)") != std::string::npos);
}

TEST_CASE("segments: the first whose condition holds names the decision and brings its cutoffs") {
  BundleCopy b(kBasic, "segments");
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["segments"] = Json::parse(R"([
      {"name": "online", "when": "channel in [\"web\", \"h5\"]",
       "cutoffs": [{"score": "risk", "above": 0.5, "outcome": "decline"}]},
      {"name": "thin_income", "when": "is_missing(income) or income < 3500"}])");
  });
  const Engine engine = Engine::open(b.path());
  for (const auto &c : cases()) {
    const Json &r = c["record"];
    CAPTURE(r.dump());
    const Decision d = decide(engine, r);
    const std::string channel = r.value("channel", Json()).is_string() ? r["channel"].get<std::string>() : "";
    const bool online = channel == "web" || channel == "h5";
    const bool thin = !online && (r["income"] == -999 || r["income"].get<double>() < 3500);
    CHECK(d.segment == (online ? "online" : thin ? "thin_income" : ""));
    const double score = c["expected"]["score"].get<double>();
    const bool rule = !c["expected"]["reasons"].empty() && c["expected"]["reasons"][0].get<std::string>()[0] == 'U';
    if (online && !rule) {
      // Oracle: only the segment's cutoff applies (decline above 0.5), plus the review rule R002.
      const auto &hits = c["expected"]["rule_hits"];
      const bool review_rule = std::find(hits.begin(), hits.end(), "R002") != hits.end();
      CHECK(to_string(d.outcome) == std::string(score > 0.5 ? "decline" : review_rule ? "review" : "approve"));
    } else {
      CHECK(to_string(d.outcome) == c["expected"]["outcome"].get<std::string>());
    }
  }
}

TEST_CASE("champion/challenger: a deterministic split by the id, in the set shares, each arm its own cutoffs") {
  BundleCopy b(kBasic, "challenger");
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["challenger"] = Json::parse(R"({"field": "application_id", "salt": "test-2026",
      "arms": [{"name": "champion", "percent": 80},
               {"name": "strict", "percent": 20, "cutoffs": [{"score": "risk", "above": 0.01, "outcome": "decline",
                                                               "reason": {"code": "P09", "text": "Strict arm"}}]}]})");
  });
  const Engine engine = Engine::open(b.path());
  const Json base = cases()[0]["record"];  // score 0.0288: approve for the champion, decline for the strict arm
  std::map<std::string, int> count;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    Json r = base;
    r["application_id"] = "C-" + std::to_string(i);
    const Decision d = decide(engine, r);
    const std::string want = bucket("test-2026", r["application_id"]) < 8000 ? "champion" : "strict";
    REQUIRE(d.arm == want);
    CHECK(d.outcome == (want == "strict" ? Outcome::decline : Outcome::approve));
    ++count[d.arm];
  }
  // 20% ± 2 percentage points (a binomial sd is 0.6 points at n = 4000).
  CHECK(std::abs(count["strict"] / double(n) - 0.2) < 0.02);
  Json anonymous = base;
  anonymous.erase("application_id");
  CHECK(decide(engine, anonymous).arm == "champion");  // no id: the champion

  b.edit([](nlohmann::ordered_json &j) { j["policy"]["challenger"]["arms"][1]["percent"] = 30; });
  CHECK(b.load_error().find("add up to 110, not 100") != std::string::npos);
}

TEST_CASE("shadow models are scored and logged, never act, and cannot be used by the policy") {
  BundleCopy b(kBasic, "shadow");
  b.edit([](nlohmann::ordered_json &j) {
    j["models"]["risk_v2"] = j["models"]["risk"];
    j["models"]["risk_v2"]["mode"] = "shadow";
  });
  const Engine engine = Engine::open(b.path());
  CHECK(engine.bundle()->model_names() == std::vector<std::string>{"risk"});
  CHECK(engine.bundle()->shadow_model_names() == std::vector<std::string>{"risk_v2"});
  for (const auto &c : cases()) {
    const Decision d = decide(engine, c["record"]);
    REQUIRE(d.scores.size() == 1);
    REQUIRE(d.shadow_scores.size() == 1);
    CHECK(d.shadow_scores[0].value == d.scores[0].value);  // the same model file
    CHECK(to_string(d.outcome) == c["expected"]["outcome"].get<std::string>());
    CHECK(Json::parse(d.to_json())["shadow_scores"]["risk_v2"].get<double>() == d.scores[0].value);
  }
  b.edit([](nlohmann::ordered_json &j) { j["policy"]["cutoffs"][0]["score"] = "risk_v2"; });
  CHECK(b.load_error().find("'risk_v2' is a shadow model") != std::string::npos);
}

TEST_CASE("the automated share counts decisions not sent to review") {
  const Engine engine = Engine::open(kBasic);
  std::vector<Decision> decisions;
  for (const auto &c : cases()) decisions.push_back(decide(engine, c["record"]));
  std::size_t reviewed = 0;
  for (const auto &c : cases()) reviewed += c["expected"]["outcome"] == "review";
  CHECK(automated_share(decisions) == doctest::Approx(1.0 - double(reviewed) / double(decisions.size())));
  CHECK(std::isnan(automated_share({})));
}
