// Points scaling and scoring. Scoring mirrors src/models/scorecard.cpp: float32 bins,
// intercept first, then characteristics in order, all in double.
#include "riskkit/scorecard/scorecard.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::scorecard {

Scorecard make_scorecard(std::span<const std::string> names, std::span<const Binning> binnings, const LogisticFit &fit,
                         const Scaling &scaling, bool round_points) {
  if (names.size() != binnings.size() || binnings.size() != fit.coefficients.size())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("make_scorecard: {} names, {} binnings and {} coefficients", names.size(), binnings.size(),
                            fit.coefficients.size()));
  if (!(scaling.base_odds > 0) || !std::isfinite(scaling.base_odds))
    throw Error(ErrorCode::invalid_argument, "make_scorecard: base_odds must be positive");
  if (scaling.pdo == 0 || !std::isfinite(scaling.pdo) || !std::isfinite(scaling.base_points))
    throw Error(ErrorCode::invalid_argument, "make_scorecard: pdo must be non-zero and base_points finite");
  const double factor = scaling.pdo / std::numbers::ln2;
  const double offset = scaling.base_points - factor * std::log(scaling.base_odds);
  const auto finish = [&](double points) { return round_points ? std::round(points) : points; };

  Scorecard card;
  card.scaling = scaling;
  card.intercept_points = finish(offset - factor * fit.intercept);
  for (std::size_t j = 0; j < binnings.size(); ++j) {
    ScorecardCharacteristic c{names[j], binnings[j], fit.coefficients[j], {}, 0};
    double rows = 0;
    for (const Bin &bin : c.binning.bins) {
      // −0 would print as "-0" in the model file; a neutral bin has 0 points.
      c.points.push_back(finish(-factor * c.coefficient * bin.woe) + 0.0);
      c.expected_points += static_cast<double>(bin.count) * c.points.back();
      rows += static_cast<double>(bin.count);
    }
    if (rows > 0) c.expected_points /= rows;
    card.characteristics.push_back(std::move(c));
  }
  return card;
}

void Scorecard::score(std::span<const std::span<const double>> columns, std::span<double> out) const {
  if (columns.size() != characteristics.size())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("score: {} columns for {} characteristics", columns.size(), characteristics.size()));
  for (const auto &column : columns)
    if (column.size() != out.size())
      throw Error(ErrorCode::invalid_argument, fmt::format("score: a column has {} values for {} rows", column.size(), out.size()));
  for (std::size_t r = 0; r < out.size(); ++r) {
    double points = intercept_points;
    for (std::size_t j = 0; j < characteristics.size(); ++j)
      points += characteristics[j].points[characteristics[j].binning.bin_index(columns[j][r])];
    out[r] = points;
  }
}

double Scorecard::probability_of_bad(double points) const noexcept {
  const double odds = scaling.base_odds * std::exp2((points - scaling.base_points) / scaling.pdo);
  return 1.0 / (1.0 + odds);
}

}  // namespace riskkit::scorecard
