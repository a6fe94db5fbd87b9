#pragma once
/// \file
/// The expression lexer: source text → tokens, each with its line:column.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.hpp"

namespace riskkit::rules {

/// Token kinds; keywords and operators each have their own kind.
enum class TokenKind : std::uint8_t {
  end,  ///< end of input (always the last token)
  number,
  string,
  identifier,
  kw_and,
  kw_or,
  kw_not,
  kw_in,
  kw_true,
  kw_false,
  kw_null,
  kw_between,
  plus,
  minus,
  star,
  slash,
  percent,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  lparen,
  rparen,
  lbracket,
  rbracket,
  comma,
};

/// One token. `text` views the source, so it lives as long as the source does.
struct Token {
  TokenKind kind = TokenKind::end;
  SourceSpan span;
  std::string_view text;
  double number = 0;   ///< value of a number token
  std::string string;  ///< decoded value of a string token (escapes resolved)
};

/// How a token is named in messages: "'+'", "'income'", "end of input".
std::string describe(const Token &token);

/// Splits `source` into tokens, skipping whitespace and `#` comments; the last token is
/// TokenKind::end. Throws Error(parse) with line:column for a malformed token.
std::vector<Token> tokenize(std::string_view source);

/// The position of byte `offset` in `source` (offset may be source.size()).
SourcePos position_of(std::string_view source, std::size_t offset);

}  // namespace riskkit::rules
