#pragma once
/// \file
/// Stateless transforms a feature can be besides an expression: binning with WOE values,
/// and category maps (map, ordinal and frequency encodings). docs/features.md.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace riskkit {

/// Binning with a value per bin (WOE, or scorecard points). With n `edges` (strictly
/// increasing) there are n + 1 bins: bin 0 is x < edges[0], bin i is
/// edges[i-1] <= x < edges[i], bin n is x >= edges[n-1]; `values` has n + 1 entries.
/// `special` values (e.g. -1 = "no bureau file") are matched exactly before the edges;
/// a missing input gives `missing` (or missing when not given).
///
///     {"bins": {"input": "monthly_income", "edges": [3000, 8000, 15000],
///               "woe": [-0.62, -0.11, 0.25, 0.71], "missing": -0.30,
///               "special": [{"value": -1, "woe": 0.4}]}}
struct BinsDefinition {
  std::string input;  ///< a number field or an earlier feature
  std::vector<double> edges;
  std::vector<double> values;
  std::vector<std::pair<double, double>> special;  ///< (input value, output value)
  std::optional<double> missing;
};

/// A category → number map over a string field: map, ordinal and frequency encodings
/// (a one-hot column is an expression: `channel == "web"`). Categories not listed give
/// `other` (or missing when not given); a missing input gives `missing` (or missing).
///
///     {"map": {"input": "channel", "values": {"web": 0.61, "app": 0.30, "h5": 0.09}, "other": 0}}
struct CategoryMapDefinition {
  std::string input;  ///< a string field
  std::vector<std::pair<std::string, double>> values;
  std::optional<double> other;
  std::optional<double> missing;
};

}  // namespace riskkit
