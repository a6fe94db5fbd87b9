#include "engine/scorecard_points.hpp"

#include <algorithm>

#include "core/json_parse.hpp"

namespace riskkit::detail {

std::vector<double> scorecard_best_points_offset(std::string_view bytes, const std::string &origin) {
  const Json doc = parse_json(bytes, origin);
  std::vector<double> out;
  for (const Json &c : doc.at("characteristics")) {
    double best = c.at("missing_points").get<double>();
    for (const Json &p : c.at("points")) best = std::max(best, p.get<double>());
    out.push_back(best - c.at("expected_points").get<double>());
  }
  return out;
}

}  // namespace riskkit::detail
