#pragma once
// Reads XGBoost model documents (JSON or UBJSON, parsed into the same tree) into the native
// TreeEnsemble, validating every array, index and number on the way.

#include <string>

#include "core/json_parse.hpp"
#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// Deepest tree accepted (root-to-leaf edges). Bounds TreeSHAP's recursion and scratch.
inline constexpr std::size_t kMaxTreeDepth = 256;

/// Builds the ensemble stored in `doc`, an XGBoost gbtree model (1.x to 3.x schema).
/// Throws Error(invalid_model) "origin: /json/pointer: problem" for anything malformed or
/// unsupported: unknown objective or booster, multi-target trees, child indices out of
/// range, self-loops, cycles and shared children, split features >= num_feature,
/// non-finite thresholds or leaves, array lengths that disagree, bad category lists.
TreeEnsemble read_xgboost_model(const Json &doc, const std::string &origin);

}  // namespace riskkit::detail
