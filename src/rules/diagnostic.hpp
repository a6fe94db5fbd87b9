#pragma once
/// \file
/// Source positions and the one way the expression compiler reports a problem.

#include <cstddef>
#include <cstdint>
#include <string>
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

/// A compile error at a known position. what() is "line:column: message"; the public
/// entry point (Expression::compile) rethrows it as a plain Error with the caret
/// excerpt appended, because only it holds the source text.
class Diagnostic : public Error {
 public:
  Diagnostic(ErrorCode code, SourcePos at, const std::string &message) : Error(code, message), at_(at) {}
  SourcePos at() const noexcept { return at_; }

 private:
  SourcePos at_;
};

/// Throws Diagnostic(code) with the message "line:column: message".
[[noreturn]] void fail(ErrorCode code, SourcePos at, std::string_view message);

/// The source line holding `at`, and under it a caret at `at`'s column, each prefixed
/// with " | ". Tabs before the column are kept so the caret lines up in a terminal; a
/// line longer than fits is cut around the column and the cuts marked with "...".
std::string caret_excerpt(std::string_view source, SourcePos at);

}  // namespace riskkit::rules
