// metrics: golden values from scikit-learn (roc_auc_score, roc_curve) and a hand-computed PSI.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/metrics/metrics.hpp"

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
