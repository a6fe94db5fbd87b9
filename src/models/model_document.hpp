#pragma once
// Model bytes to a JSON tree, safely: JSON and UBJSON are told apart by their first bytes,
// and both are checked against size and nesting limits before nlohmann parses them.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json_parse.hpp"

namespace riskkit::detail {

/// Largest model file accepted.
inline constexpr std::size_t kMaxModelBytes = std::size_t{1} << 30;
/// Deepest nesting of arrays and objects accepted in a model document.
inline constexpr std::size_t kMaxModelDepth = 64;

/// The serialisation of a model document.
enum class ModelFormat { json, ubjson };

/// JSON when the first non-blank byte is `{` followed by a blank, `"` or `}`; UBJSON when
/// `{` is followed by anything else (a length marker). Throws Error(parse) otherwise.
ModelFormat sniff_model_format(std::string_view bytes, const std::string &origin);

/// Parses a model document (either format) within kMaxModelBytes and kMaxModelDepth.
/// UBJSON is pre-scanned so that no declared count or length exceeds the bytes left, which
/// keeps a forged count (2^62 elements) from allocating or looping. Throws Error(parse)
/// or Error(limit_exceeded) naming `origin` and the byte offset.
Json parse_model_document(std::string_view bytes, const std::string &origin);

}  // namespace riskkit::detail
