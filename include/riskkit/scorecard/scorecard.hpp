#pragma once
/// \file
/// Points scaling and export: turns binnings and a logistic fit on their WOE into a
/// points scorecard, scores rows exactly as riskkit's scorecard model does, and writes
/// the riskkit scorecard model document (docs/models.md).
///
/// Scaling (docs/scorecard.md): factor = pdo / ln 2, offset = base_points − factor·ln(base_odds);
/// with the fit's log-odds of bad η = α + Σ βⱼ·WOEⱼ, total points = offset − factor·η, split as
/// intercept_points = offset − factor·α and bin points = −factor·βⱼ·WOE. So
/// odds(good:bad) = base_odds·2^((points − base_points)/pdo) is exactly the fit's odds.
///
/// Thread safety: a Scorecard is an immutable value; its const methods may run concurrently.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/export.hpp"
#include "riskkit/scorecard/binning.hpp"
#include "riskkit/scorecard/logistic.hpp"

namespace riskkit::scorecard {

/// Points-to-odds scaling: `base_points` points mean odds of `base_odds`:1 (good:bad);
/// every `pdo` points double the odds.
struct Scaling {
  double base_points = 600;
  double base_odds = 50;
  double pdo = 20;
};

/// One characteristic of a scorecard: its binning and the points of each bin.
struct ScorecardCharacteristic {
  std::string name;
  Binning binning;
  double coefficient = 0;        ///< the fit's β for this characteristic's WOE
  std::vector<double> points;    ///< one per bin of `binning.bins` (numeric, special, missing)
  double expected_points = 0;    ///< Σ training share × points over all bins
};

/// A points scorecard.
struct RK_API Scorecard {
  double intercept_points = 0;
  Scaling scaling;
  std::vector<ScorecardCharacteristic> characteristics;

  /// Total points of each row: intercept_points, then each characteristic's bin points
  /// added in characteristic order (the engine's order, so the sums are bit-identical).
  /// `columns[j]` holds characteristic j's values; all columns as long as `out`.
  void score(std::span<const std::span<const double>> columns, std::span<double> out) const;

  /// The probability of bad that `points` imply: 1 / (1 + base_odds·2^((points − base_points)/pdo)).
  double probability_of_bad(double points) const noexcept;

  /// The riskkit scorecard model document (JSON text, `"riskkit_model": "scorecard"`),
  /// which riskkit::load_model scores exactly as score() does. A special value s becomes a
  /// bin [s, next float32 above s) of its own, which holds s alone under float32 comparison.
  std::string to_json() const;
};

/// Builds a scorecard from per-characteristic binnings and a logistic fit whose
/// coefficient j belongs to the WOE of `binnings[j]`. With `round_points`, bin points and
/// intercept points are rounded to integers (the probabilities then move slightly).
/// Throws Error(invalid_argument) if the counts disagree or the scaling is invalid
/// (base_odds ≤ 0, pdo = 0).
RK_API Scorecard make_scorecard(std::span<const std::string> names, std::span<const Binning> binnings,
                                const LogisticFit &fit, const Scaling &scaling = {}, bool round_points = false);

}  // namespace riskkit::scorecard
