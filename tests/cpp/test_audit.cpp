// Audit log and replay: every decision logged with pseudonymized inputs and the velocity
// values it read; replay reproduces it bit for bit, and names every difference a changed
// bundle makes (oracles: brute-force velocity counts, the policy's cutoffs applied by hand).
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <mutex>
#include <sstream>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

const std::string kFeatures = RK_TEST_DATA "/bundles/features";
const std::string kBasic = RK_TEST_DATA "/bundles/basic";

std::vector<Json> lines_of(const fs::path &p) {
  std::vector<Json> out;
  std::istringstream in(slurp(p));
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

// Applications from three devices, minutes apart, so the velocity counts vary.
std::vector<Json> applications() {
  std::vector<Json> out;
  for (int i = 0; i < 30; ++i) {
    const int minute = i * 7;
    char time[32];
    std::snprintf(time, sizeof time, "2026-03-01T%02d:%02d:00Z", 8 + minute / 60, minute % 60);
    out.push_back({{"application_id", "A" + std::to_string(i)}, {"applied_at", time},
                   {"device_id", "dev-" + std::to_string(i % 3 == 0 ? 0 : i % 2)},
                   {"phone", "138 1234 56" + std::to_string(10 + i % 4)},
                   {"email", "Jane.Roe@Example.com"}, {"channel", i % 5 == 0 ? "web" : "app"},
                   {"amount", 1000 + 250 * i}});
  }
  return out;
}

}  // namespace

TEST_CASE("audit: one line per decision, pseudonymized, with the velocity values read; replay is bit for bit") {
  TempFile log("audit");
  EngineOptions options = keyed();
  options.audit.path = log.path.string();
  std::vector<Decision> decisions;
  const std::vector<Json> apps = applications();
  {
    const Engine engine = Engine::open(kFeatures, options);
    for (const Json &a : apps) decisions.push_back(engine.decide(Record::from_json(a.dump())));
  }
  const std::vector<Json> lines = lines_of(log.path);
  REQUIRE(lines.size() == apps.size());
  const std::string text = slurp(log.path);
  CHECK(text.find("1234") == std::string::npos);  // no raw phone number
  CHECK(text.find("Roe") == std::string::npos);   // no raw e-mail
  CHECK(text.find("dev-") == std::string::npos);  // no raw device id
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i);
    const Json &l = lines[i];
    CHECK(l["decision_id"] == decisions[i].decision_id);
    CHECK(!decisions[i].decision_id.empty());
    CHECK(l["event_id"] == apps[i]["application_id"]);
    CHECK(l["event_time"] == apps[i]["applied_at"]);
    CHECK(l["inputs"]["device_id"].get<std::string>().size() == 64);  // a pseudonym
    CHECK(l["bundle"]["digest"] == decisions[i].bundle_digest);
    // Oracle: applications of the same device in the hour before (the window is (t-1h, t]).
    int prior = 0;
    for (std::size_t k = 0; k < i; ++k)
      if (apps[k]["device_id"] == apps[i]["device_id"] && (i - k) * 7 < 60) ++prior;
    CHECK(l["velocity"]["apps_per_device_1h"]["value"].get<double>() == prior);
    CHECK(l["velocity"]["apps_per_device_1h"]["status"] == "ok");
    CHECK(l["features"]["apps_per_device_1h"].get<double>() == prior);
    // The logged decision is the decision, without its latency.
    Json expected = Json::parse(decisions[i].to_json());
    expected.erase("latency_us");
    CHECK(l["decision"] == expected);
  }
  // Replay needs no key and no store: the inputs are pseudonyms and the velocity values are logged.
  const ReplayReport report = replay(log.path.string(), kFeatures);
  CHECK(report.decisions == apps.size());
  CHECK(report.identical == apps.size());
  CHECK(report.differences.empty());
  CHECK(report.ok());
}

TEST_CASE("replay with a changed bundle reports each difference; a broken line is reported, not fatal") {
  std::vector<std::string> captured;
  std::mutex m;
  TempFile log("audit_changed");
  EngineOptions options;
  options.audit.path = log.path.string();
  options.audit.callback = [&](std::string_view line) {
    const std::lock_guard lock(m);
    captured.emplace_back(line);
  };
  const auto cases = Json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json"));
  std::vector<Decision> decisions;
  {
    const Engine engine = Engine::open(kBasic, options);
    for (const auto &c : cases) decisions.push_back(engine.decide(Record::from_json(c["record"].dump())));
  }
  REQUIRE(captured.size() == cases.size());
  CHECK(Json::parse(captured[0]) == lines_of(log.path)[0]);  // file and callback get the same line

  BundleCopy changed(kBasic, "audit_changed_bundle");
  changed.edit([](nlohmann::ordered_json &j) { j["policy"]["cutoffs"][1]["above"] = 0.5; });  // review above 0.5, after decline above 0.3
  const ReplayReport report = replay(log.path.string(), changed.path());
  CHECK(report.decisions == cases.size());
  CHECK(report.identical == 0);  // the digest differs everywhere
  std::map<std::size_t, std::map<std::string, std::string>> by_line;
  for (const ReplayDifference &d : report.differences) by_line[d.line][d.path] = d.replayed;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    const auto &diffs = by_line[i + 1];
    CHECK(diffs.count("/decision/bundle/digest") == 1);
    // Oracle: the new policy by hand. Rule outcomes stand; the review cutoff above 0.15 is
    // gone, and a decline above 0.3 comes first as before.
    const double score = decisions[i].scores[0].value;
    const bool old_review_by_cutoff = score > 0.15 && score <= 0.3;
    int rule = 0;  // 0 none, 1 review, 2 decline
    for (const RuleHit &h : decisions[i].rule_hits)
      rule = std::max(rule, h.action == Action::decline ? 2 : h.action == Action::review ? 1 : 0);
    const bool outcome_changes = old_review_by_cutoff && rule == 0;
    CHECK(diffs.count("/decision/outcome") == (outcome_changes ? 1u : 0u));
    if (outcome_changes) CHECK(diffs.at("/decision/outcome") == "\"approve\"");
    CHECK(diffs.count("/decision/scores/risk") == 0);  // the model did not change
  }

  // A line that is not an audit record is reported and the rest still replay.
  std::ofstream(log.path, std::ios::app) << "{\"not\": \"an audit line\"}\n";
  const ReplayReport again = replay(log.path.string(), kBasic);
  CHECK(again.decisions == cases.size() + 1);
  CHECK(again.identical == cases.size());
  REQUIRE(again.differences.size() == 1);
  CHECK(again.differences[0].line == cases.size() + 1);
  CHECK(!again.ok());
}

TEST_CASE("replay injects the logged velocity values: a tampered value shows up as a difference") {
  TempFile log("audit_velocity");
  EngineOptions options = keyed();
  options.audit.path = log.path.string();
  {
    const Engine engine = Engine::open(kFeatures, options);
    for (const Json &a : applications()) engine.decide(Record::from_json(a.dump()));
  }
  std::vector<Json> lines = lines_of(log.path);
  lines[5]["velocity"]["apps_per_device_1h"]["value"] = 41;
  {
    std::ofstream out(log.path, std::ios::binary | std::ios::trunc);
    for (const Json &l : lines) out << l.dump() << '\n';
  }
  const ReplayReport report = replay(log.path.string(), kFeatures);
  CHECK(report.identical == lines.size() - 1);
  bool feature_differs = false;
  for (const ReplayDifference &d : report.differences) {
    CHECK(d.line == 6);
    if (d.path == "/features/apps_per_device_1h") {
      feature_differs = true;
      CHECK(d.replayed == "41.0");
    }
  }
  CHECK(feature_differs);
}

TEST_CASE("decisions are not audited without a sink; an unwritable audit path is refused at open") {
  const Engine plain = Engine::open(kBasic);
  CHECK(plain.decide(Record::from_json(R"({"age": 40})")).decision_id.empty());
  EngineOptions options;
  options.audit.path = "/nonexistent-dir/riskkit/audit.jsonl";
  CHECK_THROWS_AS(Engine::open(kBasic, options), Error);
}
