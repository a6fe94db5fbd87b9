// Export to the riskkit scorecard model document. The model format has numeric bins and a
// missing bin only, so each special value s is written as a bin of its own,
// [s, nextafter(s)) in float32: under the model's float32 `x < edge` comparison exactly the
// value s falls in it, which is exactly how Binning::bin_index matches special values.
#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "riskkit/scorecard/scorecard.hpp"

namespace riskkit::scorecard {
namespace {

nlohmann::ordered_json characteristic_json(const ScorecardCharacteristic &c) {
  const Binning &b = c.binning;
  std::vector<double> breaks(b.edges.begin(), b.edges.end());
  for (double s : b.special) {
    breaks.push_back(s);
    breaks.push_back(static_cast<double>(std::nextafter(static_cast<float>(s), std::numeric_limits<float>::infinity())));
  }
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());

  // Each interval [lower, next break) lies inside one numeric bin or is one special value;
  // its points are those of the bin its lower end falls in.
  std::vector<double> points;
  points.reserve(breaks.size() + 1);
  points.push_back(c.points[b.bin_index(-std::numeric_limits<double>::infinity())]);
  for (double lower : breaks) points.push_back(c.points[b.bin_index(lower)]);

  nlohmann::ordered_json j;
  j["name"] = c.name;
  j["edges"] = breaks;
  j["points"] = points;
  j["missing_points"] = c.points[b.missing_index()];
  j["expected_points"] = c.expected_points;
  return j;
}

}  // namespace

std::string Scorecard::to_json() const {
  nlohmann::ordered_json doc;
  doc["riskkit_model"] = "scorecard";
  doc["format"] = 1;
  doc["intercept_points"] = intercept_points;
  doc["scaling"] = {{"base_points", scaling.base_points}, {"base_odds", scaling.base_odds}, {"pdo", scaling.pdo}};
  doc["characteristics"] = nlohmann::ordered_json::array();
  for (const auto &c : characteristics) doc["characteristics"].push_back(characteristic_json(c));
  return doc.dump(2) + "\n";
}

}  // namespace riskkit::scorecard
