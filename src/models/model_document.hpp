#pragma once
// Model bytes to a JSON tree, for the small riskkit model documents (logistic, scorecard)
// and the reference backend: JSON and UBJSON are told apart by their first bytes, and both
// are checked against size and nesting limits before nlohmann parses them. XGBoost trees
// are read without a tree by read_xgboost_model().

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json_parse.hpp"
#include "models/pull_reader.hpp"

namespace riskkit::detail {

/// The serialisation of a model document.
enum class ModelFormat { json, ubjson };

/// JSON when the first non-blank byte is `{` followed by a blank, `"` or `}`; UBJSON when
/// `{` is followed by anything else (a length marker). Throws Error(parse) otherwise.
ModelFormat sniff_model_format(std::string_view bytes, const std::string &origin);

/// Parses a model document (either format) within kMaxModelBytes and kMaxModelDepth.
/// UBJSON is first walked by UbjsonPullReader, so that no declared count or length exceeds
/// the bytes left, which keeps a forged count (2^62 elements) from allocating or looping.
/// Throws Error(parse) or Error(limit_exceeded) naming `origin` and the byte offset.
Json parse_model_document(std::string_view bytes, const std::string &origin);

}  // namespace riskkit::detail
