#pragma once
// JSON parsing with the limits every riskkit parser applies: a nesting depth bound and a
// size bound, and errors that name the origin and line:column.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace riskkit::detail {

using Json = nlohmann::ordered_json;

struct JsonLimits {
  std::size_t max_depth = 64;
  std::size_t max_bytes = std::size_t{16} << 20;
};

/// Parses `text`; throws Error(parse) "origin: line L, column C: ..." or
/// Error(limit_exceeded) when a limit is exceeded. Keys keep their document order.
Json parse_json(std::string_view text, const std::string &origin, const JsonLimits &limits = {});

/// Line and column (1-based) of byte offset `pos` in `text`.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t pos);

/// A JSON pointer for `key` under `parent`, e.g. json_path("/rules/3", "when") = "/rules/3/when".
std::string json_path(const std::string &parent, std::string_view key);
std::string json_path(const std::string &parent, std::size_t index);

}  // namespace riskkit::detail
