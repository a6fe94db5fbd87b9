#pragma once
/// \file
/// Source positions and the one way the expression compiler reports a problem.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "riskkit/error.hpp"

namespace riskkit::rules {

/// A 1-based line and column; columns count Unicode code points, not bytes.
struct SourcePos {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// Where a token or an AST node came from: its first character and its byte range.
struct SourceSpan {
  SourcePos begin;
  std::size_t offset = 0;  ///< byte offset of the first character
  std::size_t length = 0;  ///< bytes
};

/// Throws Error(code) with the message "line:column: message".
[[noreturn]] void fail(ErrorCode code, SourcePos at, std::string_view message);

}  // namespace riskkit::rules
