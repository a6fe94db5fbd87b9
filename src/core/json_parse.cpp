#include "core/json_parse.hpp"

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at ";
// keep what follows, which names line and column.
std::string strip_nlohmann_prefix(const std::string &what) {
  const auto at = what.find("parse error at ");
  if (at != std::string::npos) return what.substr(at + 15);
  const auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t pos) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

Json parse_json(std::string_view text, const std::string &origin, const JsonLimits &limits) {
  if (text.size() > limits.max_bytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, text.size(), limits.max_bytes));
  // Bound nesting before nlohmann recurses into it: scan brackets outside strings.
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limits.max_depth) {
        const auto [line, column] = line_column(text, i);
        throw Error(ErrorCode::limit_exceeded, fmt::format("{}: line {}, column {}: nesting deeper than {}", origin,
                                                           line, column, limits.max_depth));
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error &e) {
    throw Error(ErrorCode::parse, fmt::format("{}: {}", origin, strip_nlohmann_prefix(e.what())));
  } catch (const nlohmann::json::exception &e) {  // e.g. a number beyond double's range: 1e309
    throw Error(ErrorCode::parse, fmt::format("{}: {}", origin, strip_nlohmann_prefix(e.what())));
  }
}

std::string json_path(const std::string &parent, std::string_view key) {
  std::string out = parent;
  out += '/';
  for (char c : key) {  // RFC 6901 escaping
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string json_path(const std::string &parent, std::size_t index) { return fmt::format("{}/{}", parent, index); }

}  // namespace riskkit::detail
