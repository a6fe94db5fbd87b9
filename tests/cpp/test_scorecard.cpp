// scorecard: binning against hand-computed WOE/IV and brute force, IRLS against the
// closed-form fit of a binary feature, export against riskkit's own scorecard model loader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/scorecard/binning.hpp"
#include "riskkit/scorecard/logistic.hpp"
#include "riskkit/scorecard/scorecard.hpp"

using namespace riskkit;
using namespace riskkit::scorecard;

namespace {
const double kNan = std::numeric_limits<double>::quiet_NaN();

struct Sample {
  std::vector<double> x, y;
};

// x uniform on [0, 100) rounded to 0.5, bad rate falling with x; 2% special -1, 3% missing.
Sample make_sample(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Sample s;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = u(rng);
    double x = std::round(u(rng) * 200) / 2;
    if (r < 0.02) x = -1;
    else if (r < 0.05) x = kNan;
    const double p = std::isnan(x) ? 0.3 : x < 0 ? 0.4 : 0.05 + 0.25 * (1 - x / 100);
    s.x.push_back(x);
    s.y.push_back(u(rng) < p ? 1 : 0);
  }
  return s;
}
}  // namespace

TEST_CASE("WOE and IV over fixed edges equal a hand computation, with smoothing, special and missing bins") {
  // bins: x < 10 | [10, 20) | >= 20 | special -1 | missing
  const std::vector<double> x = {1, 2, 3, 4, 12, 15, 18, 25, 30, -1, -1, kNan, kNan, kNan};
  const std::vector<double> y = {0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0};
  const Binning b = binning_from_edges(x, y, std::vector<double>{10, 20}, std::vector<double>{-1});
  REQUIRE(b.bins.size() == 5);
  const double G = 8, B = 6;
  // Bins with goods and bads: plain WOE. [20, inf) has no bads, special no goods: +0.5 each.
  const double woe0 = std::log((3 / G) / (1 / B)), woe1 = std::log((1 / G) / (2 / B));
  const double woe2 = std::log((2.5 / G) / (0.5 / B)), woe_s = std::log((0.5 / G) / (2.5 / B));
  const double woe_m = std::log((2 / G) / (1 / B));
  CHECK(b.bins[0].woe == doctest::Approx(woe0).epsilon(1e-14));
  CHECK(b.bins[1].woe == doctest::Approx(woe1).epsilon(1e-14));
  CHECK(b.bins[2].woe == doctest::Approx(woe2).epsilon(1e-14));
  CHECK(b.bins[3].woe == doctest::Approx(woe_s).epsilon(1e-14));
  CHECK(b.bins[4].woe == doctest::Approx(woe_m).epsilon(1e-14));
  const double iv = (3 / G - 1 / B) * woe0 + (1 / G - 2 / B) * woe1 + (2.5 / G - 0.5 / B) * woe2 +
                    (0.5 / G - 2.5 / B) * woe_s + (2 / G - 1 / B) * woe_m;
  CHECK(b.iv == doctest::Approx(iv).epsilon(1e-14));
  CHECK(b.bins[3].label() == "special -1");
  CHECK(b.bins[4].label() == "missing");
  CHECK(b.bins[0].label() == "[-inf, 10)");
  CHECK(b.bin_index(10) == 1);  // on an edge: the upper bin
  CHECK(b.bin_index(9.999) == 0);
  CHECK(b.bin_index(-1) == 3);
  CHECK(b.bin_index(kNan) == 4);
}

TEST_CASE("equal-frequency bins: edges are the quantile values, counts match brute force") {
  const Sample s = make_sample(20000, 1);
  BinningOptions o;
  o.method = BinningMethod::quantile;
  o.max_bins = 8;
  o.monotonic = Monotonic::none;
  o.special = {-1};
  const Binning b = fit_binning(s.x, s.y, o);
  std::vector<double> numeric;
  for (double v : s.x)
    if (!std::isnan(v) && v != -1) numeric.push_back(v);
  std::sort(numeric.begin(), numeric.end());
  std::vector<double> expected_edges;
  for (std::size_t k = 1; k < 8; ++k) {
    const double e = numeric[k * numeric.size() / 8];
    if (e > numeric.front() && (expected_edges.empty() || e > expected_edges.back())) expected_edges.push_back(e);
  }
  CHECK(b.edges == expected_edges);
  for (std::size_t i = 0; i < b.bins.size(); ++i) {  // brute-force counts per bin
    std::size_t count = 0, bads = 0;
    for (std::size_t r = 0; r < s.x.size(); ++r) {
      const Bin &bin = b.bins[i];
      const double v = s.x[r];
      const bool in = bin.kind == BinKind::missing   ? std::isnan(v)
                      : bin.kind == BinKind::special ? v == bin.value
                                                     : (!std::isnan(v) && v != -1 && v >= bin.lower && v < bin.upper);
      count += in;
      bads += in && s.y[r] == 1;
    }
    CHECK(b.bins[i].count == count);
    CHECK(b.bins[i].bads == bads);
  }
}

TEST_CASE("chi-merge with monotonic WOE: monotone, at most max_bins, IV close to the fine binning's") {
  const Sample s = make_sample(50000, 2);
  BinningOptions o;
  o.max_bins = 6;
  o.special = {-1};
  const Binning b = fit_binning(s.x, s.y, o);
  CHECK(b.direction == Monotonic::ascending);  // bad rate falls with x: WOE rises
  CHECK(b.edges.size() + 1 <= 6);
  for (std::size_t i = 1; i <= b.edges.size(); ++i) CHECK(b.bins[i].woe >= b.bins[i - 1].woe);
  BinningOptions fine = o;
  fine.method = BinningMethod::quantile;
  fine.max_bins = 50;
  fine.monotonic = Monotonic::none;
  const Binning f = fit_binning(s.x, s.y, fine);
  CHECK(b.iv > 0.9 * f.iv);  // merging loses little information on a monotone signal
  CHECK(b.iv <= f.iv + 1e-12);

  // A forced descending direction on an ascending signal collapses to few bins.
  o.monotonic = Monotonic::descending;
  const Binning d = fit_binning(s.x, s.y, o);
  for (std::size_t i = 1; i <= d.edges.size(); ++i) CHECK(d.bins[i].woe <= d.bins[i - 1].woe);
  CHECK(d.iv < b.iv);
}

TEST_CASE("fit_binnings on threads equals fit_binning per column; bad input refused") {
  const Sample a = make_sample(5000, 3), c = make_sample(5000, 4);
  const std::vector<std::span<const double>> columns = {a.x, c.x};
  const auto many = fit_binnings(columns, a.y, {}, 2);
  REQUIRE(many.size() == 2);
  CHECK(many[1].edges == fit_binning(c.x, a.y).edges);
  CHECK(many[1].iv == fit_binning(c.x, a.y).iv);
  CHECK_THROWS_AS(fit_binning(std::vector<double>{1, 2}, std::vector<double>{0, 2}), Error);
  CHECK_THROWS_AS(fit_binning(std::vector<double>{1, 2}, std::vector<double>{0}), Error);
  CHECK_THROWS_AS(binning_from_edges(a.x, a.y, std::vector<double>{2, 1}), Error);
  BinningOptions twice;
  twice.special = {-1, -1};
  CHECK_THROWS_AS(fit_binning(a.x, a.y, twice), Error);
}

TEST_CASE("IRLS equals the closed-form fit of one binary feature, with Wald standard errors") {
  // Group 0: 200 rows, 30 bad; group 1: 100 rows, 40 bad.
  std::vector<double> x, y;
  for (int i = 0; i < 200; ++i) {
    x.push_back(0);
    y.push_back(i < 30);
  }
  for (int i = 0; i < 100; ++i) {
    x.push_back(1);
    y.push_back(i < 40);
  }
  const LogisticFit fit = fit_logistic(x, x.size(), 1, y);
  const double p0 = 30.0 / 200, p1 = 40.0 / 100;
  CHECK(fit.converged);
  CHECK(fit.intercept == doctest::Approx(std::log(p0 / (1 - p0))).epsilon(1e-12));
  CHECK(fit.coefficients[0] == doctest::Approx(std::log(p1 / (1 - p1)) - std::log(p0 / (1 - p0))).epsilon(1e-12));
  const double v0 = 1 / (200 * p0 * (1 - p0)), v1 = 1 / (100 * p1 * (1 - p1));
  CHECK(fit.std_errors[0] == doctest::Approx(std::sqrt(v0)).epsilon(1e-9));
  CHECK(fit.std_errors[1] == doctest::Approx(std::sqrt(v0 + v1)).epsilon(1e-9));
  CHECK(fit.p_values[1] == doctest::Approx(std::erfc(std::abs(fit.z_values[1]) / std::sqrt(2.0))));
  const double ll = 30 * std::log(p0) + 170 * std::log(1 - p0) + 40 * std::log(p1) + 60 * std::log(1 - p1);
  CHECK(fit.log_likelihood == doctest::Approx(ll).epsilon(1e-12));

  // L2: p-values are not defined; the penalty shrinks the coefficient.
  LogisticOptions ridge;
  ridge.l2 = 10;
  const LogisticFit shrunk = fit_logistic(x, x.size(), 1, y, ridge);
  CHECK(std::abs(shrunk.coefficients[0]) < std::abs(fit.coefficients[0]));
  CHECK(std::isnan(shrunk.p_values[1]));
  // Perfect separation: no finite optimum, reported as not converged.
  const LogisticFit separated = fit_logistic(std::vector<double>{0, 0, 1, 1}, 4, 1, std::vector<double>{0, 0, 1, 1});
  CHECK_FALSE(separated.converged);
  CHECK(std::isnan(separated.std_errors[1]));
  CHECK_THROWS_AS(fit_logistic(std::vector<double>{0, kNan}, 2, 1, std::vector<double>{0, 1}), Error);
}

TEST_CASE("the exported scorecard scores every row exactly as Scorecard::score, special values included") {
  const Sample a = make_sample(20000, 5), c = make_sample(20000, 6);
  BinningOptions o;
  o.special = {-1};
  const std::vector<std::span<const double>> columns = {a.x, c.x};
  const std::vector<Binning> bins = fit_binnings(columns, a.y, o, 1);
  std::vector<double> woe(2 * a.x.size());
  bins[0].transform(a.x, std::span<double>(woe).first(a.x.size()));
  bins[1].transform(c.x, std::span<double>(woe).last(a.x.size()));
  const LogisticFit fit = fit_logistic(woe, a.x.size(), 2, a.y);
  const std::vector<std::string> names = {"a", "c"};
  const Scorecard card = make_scorecard(names, bins, fit, Scaling{600, 50, 20});

  // Points imply the fit's probabilities.
  std::vector<double> points(a.x.size());
  card.score(columns, points);
  for (std::size_t r = 0; r < 100; ++r) {
    const double eta = fit.intercept + fit.coefficients[0] * woe[r] + fit.coefficients[1] * woe[a.x.size() + r];
    CHECK(card.probability_of_bad(points[r]) == doctest::Approx(1 / (1 + std::exp(-eta))).epsilon(1e-12));
  }

  const std::string path = std::string(RK_BINARY_DIR) + "/test_scorecard_export.json";
  std::ofstream(path) << card.to_json();
  const auto model = load_model(path);
  std::vector<float> rows;
  std::vector<double> values = {-1, std::nextafter(-1.0f, 0.0f), std::nextafter(-1.0f, -2.0f), kNan};
  for (double e : bins[0].edges) values.push_back(e);
  std::vector<double> xa = values, xc(values.rbegin(), values.rend());
  xa.insert(xa.end(), a.x.begin(), a.x.end());
  xc.insert(xc.end(), c.x.begin(), c.x.end());
  for (std::size_t r = 0; r < xa.size(); ++r) {
    rows.push_back(static_cast<float>(xa[r]));
    rows.push_back(static_cast<float>(xc[r]));
  }
  PredictOptions margin;
  margin.output = PredictOutput::margin;
  std::vector<double> engine(xa.size());
  model->predict(rows.data(), xa.size(), 2, margin, engine.data());
  std::vector<double> notebook(xa.size());
  const std::vector<std::span<const double>> both = {xa, xc};
  card.score(both, notebook);
  std::size_t same = 0;
  for (std::size_t r = 0; r < xa.size(); ++r) same += engine[r] == notebook[r];
  CHECK(same == xa.size());
  std::remove(path.c_str());
}
