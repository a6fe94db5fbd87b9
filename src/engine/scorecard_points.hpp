#pragma once
// The "max" reason baseline of a scorecard: each characteristic's best points.

#include <string>
#include <string_view>
#include <vector>

namespace riskkit::detail {

/// For each characteristic of the scorecard document `bytes` (already loaded as a model,
/// so well-formed): its largest points (bins and the missing bin) minus its
/// expected_points — the baseline, in contribution terms, that measures how far each
/// characteristic falls below the best it could score.
std::vector<double> scorecard_best_points_offset(std::string_view bytes, const std::string &origin);

}  // namespace riskkit::detail
