// The lifecycle-stage example bundles (examples/bundles/{acquisition,behaviour,collection}):
// each opens with Engine::open and decides one example record per outcome as the
// generator's oracle (XGBoost / scikit-learn + a Python policy, expected.json) says.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine_test_support.hpp"
#include "riskkit/riskkit.hpp"

using namespace riskkit;

namespace {

std::vector<std::string> lines_of(const std::string &path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

void check_stage(const std::string &stage, const std::vector<std::string> &outcomes) {
  const std::string dir = RK_SOURCE_DIR "/examples/bundles/" + stage;
  const Engine engine = Engine::open(dir, rk_test::keyed());
  CHECK(engine.bundle()->outcome_names() == outcomes);
  const std::vector<std::string> records = lines_of(dir + "/records.jsonl");
  const nlohmann::json expected = nlohmann::json::parse(rk_test::slurp(dir + "/expected.json"));
  REQUIRE(records.size() == expected.size());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const nlohmann::json &e = expected[i];
    const std::string action = e["action"];
    if (!seen.insert(action).second) continue;  // one record per outcome
    CAPTURE(stage);
    CAPTURE(i);
    const Decision d = engine.decide(Record::from_json(records[i]));
    CHECK(d.action == action);
    CHECK(std::string(to_string(d.outcome)) == e["outcome"].get<std::string>());
    CHECK(d.event_id == e["event_id"].get<std::string>());
    CHECK(d.segment == e["segment"].get<std::string>());
    std::vector<std::string> codes;
    for (const Reason &r : d.reasons) codes.push_back(r.code);
    CHECK(codes == e["reasons"].get<std::vector<std::string>>());
    REQUIRE(d.scores.size() == e["scores"].size());
    for (const Score &s : d.scores) CHECK(std::abs(s.value - e["scores"][s.name].get<double>()) < 1e-6);
    const nlohmann::json shadow = e.value("shadow_scores", nlohmann::json::object());
    REQUIRE(d.shadow_scores.size() == shadow.size());
    for (const Score &s : d.shadow_scores) CHECK(std::abs(s.value - shadow[s.name].get<double>()) < 1e-6);
  }
  CHECK(seen.size() == outcomes.size());
}

}  // namespace

TEST_CASE("acquisition bundle: target / hold / exclude, pseudonymized ids") {
  check_stage("acquisition", {"target", "hold", "exclude"});
}

TEST_CASE("behaviour bundle: raise / keep / review / cut") {
  check_stage("behaviour", {"raise", "keep", "review", "cut"});
}

TEST_CASE("collection bundle: sms / robot_call / agent_call / legal") {
  check_stage("collection", {"sms", "robot_call", "agent_call", "legal"});
}
