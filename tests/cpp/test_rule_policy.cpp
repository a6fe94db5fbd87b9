// Rule sets inside decisions — scores, tags, shadow and disabled rules, allow-list hits,
// rule_score cutoffs and grades, decision-table outputs, division-by-zero issues — on
// tests/data/bundles/rule_policy, with every expected value worked out by hand.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/error.hpp"

using riskkit::Bundle;
using riskkit::Decision;
using riskkit::Engine;
using riskkit::Error;
using riskkit::Outcome;
using riskkit::Record;
using riskkit::Value;
namespace fs = std::filesystem;

namespace {

const std::string kBundle = RK_TEST_DATA "/bundles/rule_policy";

// A private copy of the bundle in which bundle.json may be edited.
struct BundleCopy {
  fs::path dir;
  BundleCopy() {
    dir = fs::temp_directory_path() / ("riskkit_rule_policy_" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    fs::copy(kBundle, dir, fs::copy_options::recursive);
  }
  ~BundleCopy() { fs::remove_all(dir); }
  void replace(const std::string &from, const std::string &to) {
    std::ifstream in(dir / "bundle.json");
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    std::ofstream(dir / "bundle.json") << text.replace(at, from.size(), to);
  }
  std::string error() const {
    try {
      Bundle::load(dir.string());
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
};

Decision decide(const Engine &e, const char *json) { return e.decide(Record::from_json(json)); }

std::vector<std::string> hit_ids(const Decision &d) {
  std::vector<std::string> ids;
  for (const auto &h : d.rule_hits) ids.push_back(h.rule_id);
  return ids;
}

std::vector<std::string> reason_codes(const Decision &d) {
  std::vector<std::string> codes;
  for (const auto &r : d.reasons) codes.push_back(r.code);
  return codes;
}

const riskkit::TableOutput &output(const Decision &d, const std::string &name) {
  for (const auto &o : d.outputs)
    if (o.name == name) return o;
  FAIL("no output " << name);
  return d.outputs.front();
}

constexpr const char *kClean = R"({"application_id": "C", "applied_at": "2026-03-10T12:00:00Z",
  "account_opened_at": "2025-01-01T00:00:00Z", "amount": 1000, "income": 9000, "email": "a@b.com", "device_os": "ios"})";
// A001 (decline, 40), I001 (review, 25: opened 9 days earlier), T001 (flag, 10: 03:00 UTC),
// E001 (shadow decline, 50: not counted).
constexpr const char *kRisky = R"({"application_id": "R", "applied_at": "2026-03-10T03:00:00Z",
  "account_opened_at": "2026-03-01T03:00:00Z", "amount": 60000, "income": 9000, "email": "X@Mailinator.COM",
  "device_os": "android"})";
// A001 (decline, 40) and the allow-list rule W001.
constexpr const char *kAllowed = R"({"application_id": "W", "applied_at": "2026-03-10T12:00:00Z",
  "account_opened_at": "2025-01-01T00:00:00Z", "amount": 60000, "income": 9000, "on_allowlist": true})";

}  // namespace

TEST_CASE("a clean application: no hits, grade A, the first matching offer row") {
  const Engine engine = Engine::open(kBundle);
  const Decision d = decide(engine, kClean);
  CHECK(d.outcome == Outcome::approve);
  CHECK(d.rule_hits.empty());
  CHECK(d.rule_score == 0);
  CHECK(d.grade == "A");
  CHECK(output(d, "offer.limit").values == std::vector<Value>{Value::number(50000)});
  CHECK(output(d, "offer.apr").values == std::vector<Value>{Value::number(0.12)});
  CHECK(output(d, "segments.segment").values == std::vector<Value>{Value::string("apple"), Value::string("all")});
  CHECK(output(d, "segments.segment").collect);
}

TEST_CASE("hits in rule order with mode, score and tags; shadow hits never act") {
  const Engine engine = Engine::open(kBundle);
  const Decision d = decide(engine, kRisky);
  CHECK(hit_ids(d) == std::vector<std::string>{"A001", "I001", "T001", "E001"});
  CHECK(d.rule_hits[1].tags == std::vector<std::string>{"identity", "account"});
  CHECK(d.rule_hits[3].mode == riskkit::RuleMode::shadow);
  CHECK(d.rule_hits[3].score == 50);
  CHECK(d.rule_score == 75);  // 40 + 25 + 10; the shadow 50 is not counted
  CHECK(d.outcome == Outcome::decline);
  CHECK(d.grade == "C");
  // The decline rule, the rule_score cutoff's own reason, then the other scoring rules by score.
  CHECK(reason_codes(d) == std::vector<std::string>{"A01", "S01", "I01", "T01"});
  CHECK(d.reasons[1].source == "policy:rule_score");
  CHECK(d.reasons[2].weight == 25);
  CHECK(output(d, "offer.limit").values == std::vector<Value>{Value::number(0)});
  CHECK(output(d, "offer.apr").values == std::vector<Value>{Value()});
  CHECK(output(d, "segments.segment").values == std::vector<Value>{Value::string("risky"), Value::string("all")});

  const auto j = nlohmann::json::parse(d.to_json());
  CHECK(j["rule_score"] == 75);
  CHECK(j["rule_hits"][3]["mode"] == "shadow");
  CHECK(j["rule_hits"][1]["tags"] == nlohmann::json::array({"identity", "account"}));
  CHECK(j["outputs"]["offer.limit"] == 0);
  CHECK(j["outputs"]["offer.apr"].is_null());
  CHECK(j["outputs"]["segments.segment"] == nlohmann::json::array({"risky", "all"}));
}

TEST_CASE("an allow hit sets aside the rules' decline; what it overrides is the policy's choice") {
  {
    const Engine engine = Engine::open(kBundle);  // allow_overrides: rules
    const Decision d = decide(engine, kAllowed);
    CHECK(hit_ids(d) == std::vector<std::string>{"A001", "W001"});
    CHECK(d.rule_score == 40);
    CHECK(d.outcome == Outcome::review);  // not the rule's decline, but rule_score 40 > 20 is a cutoff
    CHECK(reason_codes(d) == std::vector<std::string>{"A01"});
    CHECK(d.reasons[0].source == "rule:A001");
  }
  {
    BundleCopy copy;
    copy.replace(R"("allow_overrides": "rules")", R"("allow_overrides": "everything")");
    const Engine engine = Engine::open(copy.dir.string());
    const Decision d = decide(engine, kAllowed);
    CHECK(d.outcome == Outcome::approve);
    CHECK(d.reasons.empty());
    CHECK(d.grade == "C");  // grades and tables still apply (rule_score 40)
  }
  {
    BundleCopy copy;
    copy.replace(R"("allow_overrides": "rules")", R"("allow_overrides": "nothing")");
    const Engine engine = Engine::open(copy.dir.string());
    CHECK(decide(engine, kAllowed).outcome == Outcome::decline);
  }
}

TEST_CASE("a rule that divides by zero is reported as an issue; disabled rules never fire") {
  const Engine engine = Engine::open(kBundle);
  const Decision d = decide(engine, R"({"applied_at": "2026-03-10T12:00:00Z", "amount": 5, "income": 0})");
  CHECK(hit_ids(d).empty());  // X001 (amount > 0) is disabled; D001's division is missing
  bool reported = false;
  for (const auto &issue : d.issues) reported = reported || (issue.field == "rule:D001" && issue.message == "division by zero");
  CHECK(reported);
}

TEST_CASE("malformed rule options and tables are refused with their JSON path") {
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases{
      {{R"("mode": "shadow")", R"("mode": "dark")"}, "bundle.json: /rules/3/mode: unknown mode 'dark' (active, shadow)"},
      {{R"("score": 40)", R"("score": "high")"}, "bundle.json: /rules/0/score:"},
      {{R"("tags": ["time"])", R"("tags": ["time", 3])"}, "bundle.json: /rules/2/tags/1: expected a string"},
      {{R"("action": "allow")", R"("action": "permit")"},
       "bundle.json: /rules/4/action: unknown action 'permit' (flag, review, decline, allow)"},
      {{R"("allow_overrides": "rules")", R"("allow_overrides": "all")"},
       "bundle.json: /policy/allow_overrides: unknown value 'all' (nothing, rules, everything)"},
      {{R"("inputs": ["grade", "income"])", R"("inputs": ["grade", "incme"])"},
       "bundle.json: /policy/tables/offer/inputs/1: unknown input 'incme'"},
      {{R"(["A", ">= 8000", 50000, 0.12])", R"(["A", ">= x", 50000, 0.12])"},
       "bundle.json: /policy/tables/offer/rows/0/1: cannot read condition '>= x': expected a (finite) number"},
      {{R"(["A", "-", 20000, 0.15])", R"(["A", "-", 20000])"},
       "bundle.json: /policy/tables/offer/rows/1: expected an array of 2 conditions then 2 outputs"},
      {{R"("hit": "collect")", R"("hit": "all")"}, "bundle.json: /policy/tables/segments/hit: unknown hit policy 'all'"},
      {{R"({"score": "rule_score", "above": 20)", R"({"score": "rule_scor", "above": 20)"},
       "bundle.json: /policy/cutoffs/1/score: unknown score 'rule_scor' (scores are named after models, or rule_score)"},
  };
  for (const auto &[edit, expected] : cases) {
    BundleCopy copy;
    copy.replace(edit.first, edit.second);
    const std::string message = copy.error();
    CHECK_MESSAGE(message.find(expected) != std::string::npos, message);
  }
}
