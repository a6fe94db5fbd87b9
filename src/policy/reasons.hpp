#pragma once
// Principal reasons from a model's contributions, measured from a baseline and grouped
// by the reason catalogue (docs/bundle-format.md, `policy.reasons`).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/policy/policy.hpp"

namespace riskkit::detail {

/// One catalogue entry as one model sees it: a feature, or a group of features sharing
/// one code, with the model's input columns it covers (ascending).
struct ReasonUnit {
  std::string name;  ///< the feature's or the group's name (the catalogue key)
  ReasonCode reason;
  std::vector<std::size_t> inputs;
};

/// Appends, until `reasons` holds `limit` entries, the reasons of the units whose
/// contributions push the score furthest in the adverse direction, largest first.
/// A unit's contribution is the sum over its inputs of contributions[i] - baseline[i]
/// (`baseline` empty: 0). `adverse_sign` +1: positive contributions are adverse; -1:
/// negative ones. Ties keep unit order, so reasons are deterministic. Units with no
/// adverse contribution give no reason, and a code already in `reasons` is not repeated
/// — except that when `reasons` holds no specific reason (from a rule or a model) after
/// this, the most adverse unit is added anyway, replacing the last generic (policy)
/// reason if `reasons` is full: an adverse outcome always names at least one factor.
void add_model_reasons(std::span<const double> contributions, std::span<const double> baseline,
                       const std::vector<ReasonUnit> &units, int adverse_sign, const std::string &model_name,
                       std::size_t limit, std::vector<Reason> &reasons);

}  // namespace riskkit::detail
