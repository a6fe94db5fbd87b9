#pragma once
// Reads XGBoost model documents (JSON or UBJSON) straight into the native TreeEnsemble with
// a pull reader: no document tree is built, every array, index and number is validated on
// the way, and each limit of ModelLimits is enforced.

#include <optional>
#include <string>
#include <string_view>

#include "models/pull_reader.hpp"
#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// Builds the ensemble stored in `bytes`, an XGBoost gbtree model (1.x to 3.x schema) in
/// JSON or UBJSON. Returns nullopt when the document is an object without a "learner"
/// member (not an XGBoost model). Throws Error(parse) for malformed JSON/UBJSON ("origin:
/// line L, column C: pointer: ..." or "origin: UBJSON byte N: pointer: ..."),
/// Error(limit_exceeded) beyond `limits`, and Error(invalid_model) naming the JSON pointer
/// for anything malformed or unsupported: unknown objective or booster, multi-target
/// trees, child indices out of range, self-loops, cycles and shared children, split
/// features >= num_feature, non-finite thresholds or leaves, array lengths that disagree,
/// class counts that disagree with tree_info or base_score, bad category lists.
std::optional<TreeEnsemble> read_xgboost_model(std::string_view bytes, const std::string &origin,
                                               const ModelLimits &limits = {});

}  // namespace riskkit::detail
