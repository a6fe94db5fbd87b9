// Reasons: feature groups, the "cutoff" baseline (oracle: the reference rows nearest the
// cut-off picked by brute force), the scorecard "max" baseline (hand-computed points),
// deterministic ties, and a specific reason on every decline over random records.
#include <doctest/doctest.h>

#include <openssl/sha.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

const std::string kBasic = RK_TEST_DATA "/bundles/basic";

std::string sha256_hex(const std::string &bytes) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), d);
  std::string hex;
  char buf[3];
  for (unsigned char c : d) std::snprintf(buf, sizeof buf, "%02x", c), hex += buf;
  return hex;
}

Json cases() { return Json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json")); }

// The basic model's inputs for a record: dti = debt / income (missing for -999 or 0), age, inquiries.
std::vector<float> row_of(const Json &r) {
  const double income = r["income"].get<double>();
  const float nan = std::nanf("");
  const float dti = income == -999 || income == 0 ? nan : static_cast<float>(r["debt"].get<double>() / income);
  return {dti, static_cast<float>(r["age"].get<double>()),
          r["inquiries"].is_number() ? static_cast<float>(r["inquiries"].get<double>()) : nan};
}

std::vector<double> contributions(const Model &m, const std::vector<float> &row) {
  std::vector<double> out(m.num_features() + 1);
  m.contributions(row.data(), 1, row.size(), PredictOptions{}, out.data());
  return out;
}

std::vector<const Reason *> model_reasons(const Decision &d) {
  std::vector<const Reason *> out;
  for (const Reason &r : d.reasons)
    if (r.source.starts_with("model:")) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("a feature group is one reason whose weight is the sum of its members' contributions") {
  BundleCopy b(kBasic, "reason_groups");
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["reasons"] = Json::parse(R"({"top": 4, "catalogue": {
      "profile": {"code": "G01", "text": "Debt and age profile", "features": ["dti", "age"]},
      "inquiries": {"code": "M03", "text": "Number of recent credit inquiries"}}})");
  });
  const Engine engine = Engine::open(b.path());
  const auto model = load_model(kBasic + "/models/risk.json");
  for (const auto &c : cases()) {
    CAPTURE(c["record"].dump());
    const Decision d = engine.decide(Record::from_json(c["record"].dump()));
    if (d.outcome == Outcome::approve || (!d.rule_hits.empty() && d.rule_hits[0].rule_id == "R001")) continue;
    const std::vector<double> phi = contributions(*model, row_of(c["record"]));
    // Oracle: two units, profile = dti + age, inquiries; adverse = positive (cutoffs are "above").
    std::vector<std::pair<std::string, double>> units{{"G01", phi[0] + phi[1]}, {"M03", phi[2]}};
    std::stable_sort(units.begin(), units.end(), [](auto &lhs, auto &rhs) { return lhs.second > rhs.second; });
    std::vector<std::pair<std::string, double>> want;
    for (auto &u : units)
      if (u.second > 0) want.push_back(u);
    if (want.empty()) want.push_back(units.front());  // an adverse outcome always names a factor
    const auto got = model_reasons(d);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CHECK(got[i]->code == want[i].first);
      CHECK(got[i]->weight == doctest::Approx(want[i].second).epsilon(1e-12));
    }
    if (!got.empty() && got[0]->code == "G01") CHECK(got[0]->source == "model:risk:profile");
  }
}

TEST_CASE("catalogue groups are checked: unknown members, a feature in two groups or with its own entry") {
  BundleCopy b(kBasic, "reason_group_errors");
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["reasons"] = Json::parse(R"({"catalogue": {
      "g1": {"code": "G01", "text": "x", "features": ["dti", "agee"]},
      "g2": {"code": "G02", "text": "y", "features": ["dti"]},
      "inquiries": {"code": "M03", "text": "z", "features": ["inquiries"]},
      "age": {"code": "M02", "text": "w"}}})");
  });
  const std::string error = b.load_error();
  CHECK(error.find("\"agee\" is not a field or feature") != std::string::npos);
  CHECK(error.find("'dti' is already in group 'g1'") != std::string::npos);
  b.edit([](nlohmann::ordered_json &j) {
    j["policy"]["reasons"]["catalogue"]["g1"]["features"] = Json::array({"dti", "age"});
    j["policy"]["reasons"]["catalogue"].erase("g2");
  });
  CHECK(b.load_error().find("'age' has its own entry and is in group 'g1'") != std::string::npos);
}

TEST_CASE("the cutoff baseline measures contributions from the reference applicants nearest the cut-off") {
  BundleCopy b(kBasic, "reason_cutoff");
  // A reference sample: a grid over the model's inputs, one missing dti in ten.
  std::string csv = "inquiries,age,dti,unused\n";
  std::vector<std::vector<float>> rows;
  for (int i = 0; i < 600; ++i) {
    const float dti = i % 10 == 0 ? std::nanf("") : static_cast<float>((i * 37 % 100) / 80.0);
    const float age = static_cast<float>(18 + i * 13 % 50), inq = static_cast<float>(i * 7 % 9);
    rows.push_back({dti, age, inq});
    char line[128];
    std::snprintf(line, sizeof line, "%g,%g,%s,1\n", inq, age, std::isnan(dti) ? "" : std::to_string(dti).c_str());
    csv += line;
  }
  // Read back what the file says, so the oracle sees the same float values.
  rows.clear();
  {
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      float inq, age;
      char dti_text[64] = "";
      std::sscanf(line.c_str(), "%f,%f,%63[^,]", &inq, &age, dti_text);
      const float dti = line.find(",,") != std::string::npos ? std::nanf("") : static_cast<float>(std::strtod(dti_text, nullptr));
      rows.push_back({dti, age, inq});
    }
  }
  std::ofstream(b.dir / "reference.csv", std::ios::binary) << csv;
  const std::string sha = sha256_hex(csv);
  b.edit([&](nlohmann::ordered_json &j) {
    j["policy"]["reasons"]["baseline"] = "cutoff";
    j["policy"]["reasons"]["reference"] = {{"file", "reference.csv"}, {"sha256", sha}, {"near", 50}};
  });
  const Engine engine = Engine::open(b.path());
  const auto model = load_model(kBasic + "/models/risk.json");
  // Oracle baseline per threshold: the 50 rows scored nearest it (ties by row order), mean contributions.
  const auto baseline = [&](double threshold) {
    std::vector<double> score(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) model->predict(rows[i].data(), 1, 3, PredictOptions{}, &score[i]);
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto lhs, auto rhs) {
      return std::abs(score[lhs] - threshold) < std::abs(score[rhs] - threshold);
    });
    std::vector<double> mean(3, 0.0);
    for (std::size_t k = 0; k < 50; ++k) {
      const auto phi = contributions(*model, rows[order[k]]);
      for (int f = 0; f < 3; ++f) mean[f] += phi[f] / 50;
    }
    return mean;
  };
  const std::vector<double> at_decline = baseline(0.3), at_review = baseline(0.15);
  int checked = 0;
  for (const auto &c : cases()) {
    CAPTURE(c["record"].dump());
    const Decision d = engine.decide(Record::from_json(c["record"].dump()));
    const auto got = model_reasons(d);
    if (got.empty()) continue;
    const auto &base = d.outcome == Outcome::decline ? at_decline : at_review;
    const auto phi = contributions(*model, row_of(c["record"]));
    const char *codes[] = {"M01", "M02", "M03"};
    for (const Reason *r : got) {
      const int f = static_cast<int>(std::find(std::begin(codes), std::end(codes), r->code) - std::begin(codes));
      REQUIRE(f < 3);
      CHECK(r->weight == doctest::Approx(phi[f] - base[f]).epsilon(1e-9));
      ++checked;
    }
    for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i - 1]->weight >= got[i]->weight);
  }
  CHECK(checked >= 6);

  b.edit([](nlohmann::ordered_json &j) { j["policy"]["reasons"]["reference"]["file"] = "missing.csv"; });
  CHECK(!b.load_error().empty());
}

TEST_CASE("scorecard reasons: characteristics furthest below their best points, ties in input order") {
  BundleCopy b(kBasic, "reason_scorecard");
  const std::string card = R"({"riskkit_model": "scorecard", "format": 1, "intercept_points": 500,
    "scaling": {"base_points": 600, "base_odds": 50, "pdo": 20},
    "characteristics": [
      {"name": "x1", "edges": [10], "points": [0, 40], "missing_points": 5, "expected_points": 30},
      {"name": "x2", "edges": [10], "points": [10, 50], "missing_points": 0, "expected_points": 30},
      {"name": "x3", "edges": [10], "points": [20, 60], "missing_points": 20, "expected_points": 40}]})";
  std::ofstream(b.dir / "models" / "card.json", std::ios::binary) << card;
  const std::string sha = sha256_hex(card);
  b.edit([&](nlohmann::ordered_json &j) {
    j["schema"] = {{"x1", {{"type", "number"}}}, {"x2", {{"type", "number"}}}, {"x3", {{"type", "number"}}}};
    j["features"] = Json::array();
    j["rules"] = Json::array();
    j["models"] = {{"card", {{"kind", "scorecard"}, {"file", "models/card.json"}, {"sha256", sha},
                             {"inputs", {"x1", "x2", "x3"}}}}};
    j["policy"] = Json::parse(R"({"cutoffs": [{"score": "card", "above": 0.01, "outcome": "decline",
                                                "reason": {"code": "P01", "text": "Score too low"}}],
      "reasons": {"top": 4, "baseline": "max", "catalogue": {"x1": {"code": "S1", "text": "x1"},
        "x2": {"code": "S2", "text": "x2"}, "x3": {"code": "S3", "text": "x3"}}}})");
  });
  const auto codes = [](const Decision &d) {
    std::vector<std::string> out;
    for (const Reason &r : d.reasons) out.push_back(r.code);
    return out;
  };
  {
    const Engine engine = Engine::open(b.path());
    // x1 missing (5 of 40: 35 short), x2 = 5 (10 of 50: 40 short), x3 = 15 (60 of 60): 575 points.
    const Decision d = engine.decide(Record::from_json(R"({"x2": 5, "x3": 15})"));
    CHECK(d.outcome == Outcome::decline);
    CHECK(codes(d) == std::vector<std::string>{"P01", "S2", "S1"});
    CHECK(d.reasons[1].weight == -40);
    CHECK(d.reasons[2].weight == -35);
    // A tie: x2 and x3 both 40 short; x2 comes first.
    const Decision tie = engine.decide(Record::from_json(R"({"x1": 15, "x2": 5, "x3": 5})"));
    CHECK(codes(tie) == std::vector<std::string>{"P01", "S2", "S3"});
  }
  b.edit([](nlohmann::ordered_json &j) { j["policy"]["reasons"]["baseline"] = "mean"; });
  {
    // Against the average points instead: x1 is 25 below its average, x2 20, x3 20 above.
    const Engine engine = Engine::open(b.path());
    const Decision d = engine.decide(Record::from_json(R"({"x2": 5, "x3": 15})"));
    CHECK(codes(d) == std::vector<std::string>{"P01", "S1", "S2"});
  }
  BundleCopy trees(kBasic, "reason_max_trees");
  trees.edit([](nlohmann::ordered_json &j) { j["policy"]["reasons"]["baseline"] = "max"; });
  CHECK(trees.load_error().find("the \"max\" baseline is for scorecards") != std::string::npos);
}

TEST_CASE("every decline carries a specific reason: random records and the example applications") {
  std::mt19937 rng(20261125);
  std::uniform_real_distribution<double> u(0, 1);
  const Engine basic = Engine::open(kBasic);
  int declines = 0;
  for (int i = 0; i < 3000; ++i) {
    Json r = {{"age", 16 + static_cast<int>(u(rng) * 60)}};
    if (u(rng) < 0.9) r["income"] = u(rng) < 0.1 ? -999.0 : std::round(u(rng) * 12000);
    if (u(rng) < 0.9) r["debt"] = std::round(u(rng) * 6000);
    if (u(rng) < 0.8) r["inquiries"] = static_cast<int>(u(rng) * 9);
    if (u(rng) < 0.7) r["channel"] = u(rng) < 0.5 ? "web" : "app";
    const Decision d = basic.decide(Record::from_json(r.dump()));
    if (d.outcome != Outcome::decline) continue;
    ++declines;
    CAPTURE(r.dump());
    CHECK(std::any_of(d.reasons.begin(), d.reasons.end(), [](const Reason &x) {
      return x.source.starts_with("rule:") || x.source.starts_with("model:");
    }));
  }
  CHECK(declines > 100);
  const Engine application = Engine::open(RK_SOURCE_DIR "/examples/bundles/application", keyed());
  std::ifstream in(RK_SOURCE_DIR "/examples/bundles/application/applications.jsonl");
  for (std::string line; std::getline(in, line);) {
    const Decision d = application.decide(Record::from_json(line));
    if (d.outcome == Outcome::decline)
      CHECK(std::any_of(d.reasons.begin(), d.reasons.end(), [](const Reason &x) {
        return x.source.starts_with("rule:") || x.source.starts_with("model:");
      }));
  }
}
