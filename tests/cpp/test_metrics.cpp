// metrics: golden values from scikit-learn (roc_auc_score, roc_curve) and a hand-computed PSI.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/metrics/metrics.hpp"
#include "riskkit/metrics/monitoring.hpp"

using namespace riskkit;

namespace {
// Scores with ties across classes (0.4 appears for a bad and two goods).
const std::vector<double> kScores = {0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.05, 0.4, 0.7, 0.6, 0.3};
const std::vector<double> kLabels = {0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0};
}  // namespace

TEST_CASE("AUC, Gini and KS equal scikit-learn on tied scores") {
  CHECK(metrics::auc(kScores, kLabels) == doctest::Approx(0.8571428571428571).epsilon(1e-15));
  CHECK(metrics::gini(kScores, kLabels) == doctest::Approx(2 * 0.8571428571428571 - 1).epsilon(1e-15));
  CHECK(metrics::ks(kScores, kLabels) == doctest::Approx(0.6).epsilon(1e-15));
}

TEST_CASE("AUC: NaN scores are left out, perfect and inverted rankings, bad input refused") {
  std::vector<double> s = kScores, y = kLabels;
  s.push_back(std::numeric_limits<double>::quiet_NaN());
  y.push_back(1);
  CHECK(metrics::auc(s, y) == doctest::Approx(0.8571428571428571));
  CHECK(metrics::auc(std::vector<double>{1, 2, 3, 4}, std::vector<double>{0, 0, 1, 1}) == 1.0);
  CHECK(metrics::auc(std::vector<double>{4, 3, 2, 1}, std::vector<double>{0, 0, 1, 1}) == 0.0);
  CHECK(metrics::auc(std::vector<double>{1, 1, 1, 1}, std::vector<double>{0, 1, 0, 1}) == 0.5);
  CHECK_THROWS_AS(metrics::auc(std::vector<double>{1, 2}, std::vector<double>{1, 1}), Error);
  CHECK_THROWS_AS(metrics::auc(std::vector<double>{1, 2}, std::vector<double>{0, 2}), Error);
  CHECK_THROWS_AS(metrics::ks(std::vector<double>{1, 2}, std::vector<double>{0}), Error);
}

TEST_CASE("PSI over training edges with a missing bin and an empty bin: hand-computed value") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> expected = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, nan, nan};
  const std::vector<double> actual = {1, 1, 1, 2, 8, 9, 9, nan};
  const std::vector<double> edges = {3, 6, 9};
  const metrics::PsiResult r = metrics::psi(expected, actual, edges);
  REQUIRE(r.bins.size() == 5);
  CHECK(r.bins[0].label == "[-inf, 3)");
  CHECK(r.bins[4].label == "missing");
  CHECK(r.bins[1].actual_count == 0);  // empty in the actual sample: floored, finite
  CHECK(r.psi == doctest::Approx(2.453799380569845).epsilon(1e-12));
  double sum = 0;
  for (const auto &b : r.bins) sum += b.contribution;
  CHECK(sum == doctest::Approx(r.psi));
}

TEST_CASE("PSI of a sample against itself is 0; quantile bins come from the expected sample") {
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(i % 97);
  const auto r = metrics::psi(x, x);
  CHECK(r.psi == 0.0);
  CHECK(r.bins.size() == 10);
  CHECK_THROWS_AS(metrics::psi(x, x, std::vector<double>{2, 1}), Error);
  CHECK_THROWS_AS(metrics::psi(x, std::vector<double>{}), Error);
}

TEST_CASE("CSI over training bins with a special and a missing bin: hand-computed value") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Training bins: x < 10 | [10, 20) | >= 20 | special -1 | missing.
  const std::vector<double> expected = {1, 2, 12, 15, 25, 30, 35, -1, nan, nan};
  const std::vector<double> actual = {1, 12, 12, 12, 25, -1, -1, -1};
  const std::vector<double> edges = {10, 20}, special = {-1};
  const metrics::PsiResult r = metrics::csi(expected, actual, edges, special);
  REQUIRE(r.bins.size() == 5);
  CHECK(r.bins[3].label == "special -1");
  CHECK(r.bins[4].label == "missing");
  // Shares before the floor: expected .2 .2 .3 .1 .2, actual 1/8 3/8 1/8 3/8 0 (floored to 1e-4).
  const std::vector<double> e = {.2, .2, .3, .1, .2};
  std::vector<double> a = {1.0 / 8, 3.0 / 8, 1.0 / 8, 3.0 / 8, 1e-4};
  const double a_total = 1 + 1e-4;
  double psi = 0;
  for (std::size_t i = 0; i < 5; ++i) psi += (a[i] / a_total - e[i]) * std::log(a[i] / a_total / e[i]);
  CHECK(r.psi == doctest::Approx(psi).epsilon(1e-12));
  CHECK(metrics::csi(expected, expected, edges, special).psi == 0.0);
}

TEST_CASE("score bands: counts, bad rates, cumulative shares and KS by brute force") {
  const std::vector<double> s = {1, 2, 3, 4, 5, 6, 7, 8, 9, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<double> y = {1, 1, 0, 1, 0, 0, 1, 0, 0, 1};
  const auto bands = metrics::score_bands(s, y, std::vector<double>{4, 7});
  REQUIRE(bands.size() == 4);
  CHECK(bands[0].label == "[-inf, 4)");
  CHECK(bands[0].count == 3);
  CHECK(bands[0].bads == 2);
  CHECK(bands[1].count == 3);
  CHECK(bands[1].bads == 1);
  CHECK(bands[2].bad_rate == doctest::Approx(1.0 / 3));
  CHECK(bands[3].label == "missing");
  CHECK(bands[1].cumulative_share == doctest::Approx(0.6));
  CHECK(bands[1].cumulative_bads == doctest::Approx(3.0 / 5));
  CHECK(bands[1].cumulative_goods == doctest::Approx(3.0 / 5));
  CHECK(bands[0].ks == doctest::Approx(std::abs(2.0 / 5 - 1.0 / 5)));
  CHECK(bands[3].cumulative_share == doctest::Approx(1.0));
  // Quantile bands: 10 bands of 100 distinct scores hold 10 rows each.
  std::vector<double> s2, y2;
  for (int i = 0; i < 100; ++i) {
    s2.push_back(i);
    y2.push_back(i % 3 == 0);
  }
  const auto q = metrics::score_bands(s2, y2);
  REQUIRE(q.size() == 10);
  for (const auto &b : q) CHECK(b.count == 10);
  CHECK_THROWS_AS(metrics::score_bands(s2, std::vector<double>(100, 0.0)), Error);
}

TEST_CASE("decision rates: shares of decided rows and the automated share") {
  const std::vector<std::string> o = {"approve", "approve", "review", "decline", "error", "approve", "review", "flag"};
  const metrics::DecisionRates r = metrics::decision_rates(o);
  CHECK(r.total == 8);
  CHECK(r.approve == 3);
  CHECK(r.review == 2);
  CHECK(r.decline == 1);
  CHECK(r.error == 1);
  CHECK(r.other == 1);
  CHECK(r.approve_rate == doctest::Approx(3.0 / 7));
  CHECK(r.automated_rate == doctest::Approx(4.0 / 7));
  CHECK(r.error_rate == doctest::Approx(1.0 / 8));
  CHECK(std::isnan(metrics::decision_rates({}).approve_rate));
}
