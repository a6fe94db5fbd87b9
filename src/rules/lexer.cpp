#include "rules/lexer.hpp"

#include <array>
#include <charconv>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace riskkit::rules {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

/// "'x'" for a printable ASCII character, "byte 0xNN" otherwise.
std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

/// Moves `pos` past character byte `c`; UTF-8 continuation bytes do not start a column.
void step(SourcePos &pos, char c) {
  if (c == '\n') {
    ++pos.line;
    pos.column = 1;
  } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
    ++pos.column;
  }
}

void append_utf8(std::string &out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

struct Keyword {
  std::string_view text;
  TokenKind kind;
};
constexpr std::array<Keyword, 8> kKeywords{{{"and", TokenKind::kw_and},
                                            {"or", TokenKind::kw_or},
                                            {"not", TokenKind::kw_not},
                                            {"in", TokenKind::kw_in},
                                            {"true", TokenKind::kw_true},
                                            {"false", TokenKind::kw_false},
                                            {"null", TokenKind::kw_null},
                                            {"between", TokenKind::kw_between}}};

/// A cursor over the source that keeps line:column in step with the byte offset.
class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    for (;;) {
      skip_blanks();
      Token token;
      token.span.begin = pos_;
      token.span.offset = at_;
      if (at_ == src_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      lex_one(token);
      token.span.length = at_ - token.span.offset;
      token.text = src_.substr(token.span.offset, token.span.length);
      tokens.push_back(std::move(token));
    }
  }

 private:
  char peek(std::size_t ahead = 0) const { return at_ + ahead < src_.size() ? src_[at_ + ahead] : '\0'; }
  bool more() const { return at_ < src_.size(); }

  void advance() { step(pos_, src_[at_++]); }

  void skip_blanks() {
    while (more()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '#') {
        while (more() && peek() != '\n') advance();
      } else {
        return;
      }
    }
  }

  void lex_one(Token &token) {
    const char c = peek();
    if (is_digit(c)) return lex_number(token);
    if (c == '"') return lex_string(token);
    if (is_ident_start(c)) return lex_word(token);
    const SourcePos start = pos_;
    advance();
    const bool eq_next = more() && peek() == '=';
    switch (c) {
      case '+': token.kind = TokenKind::plus; return;
      case '-': token.kind = TokenKind::minus; return;
      case '*': token.kind = TokenKind::star; return;
      case '/': token.kind = TokenKind::slash; return;
      case '%': token.kind = TokenKind::percent; return;
      case '(': token.kind = TokenKind::lparen; return;
      case ')': token.kind = TokenKind::rparen; return;
      case '[': token.kind = TokenKind::lbracket; return;
      case ']': token.kind = TokenKind::rbracket; return;
      case ',': token.kind = TokenKind::comma; return;
      case '<': token.kind = eq_next ? TokenKind::le : TokenKind::lt; break;
      case '>': token.kind = eq_next ? TokenKind::ge : TokenKind::gt; break;
      case '=':
        if (!eq_next) fail(ErrorCode::parse, start, "unexpected '=' (use '==' to compare)");
        token.kind = TokenKind::eq;
        break;
      case '!':
        if (!eq_next) fail(ErrorCode::parse, start, "unexpected '!' (use 'not' to negate)");
        token.kind = TokenKind::ne;
        break;
      case '&': fail(ErrorCode::parse, start, "unexpected '&' (use 'and')");
      case '|': fail(ErrorCode::parse, start, "unexpected '|' (use 'or')");
      default: fail(ErrorCode::parse, start, fmt::format("unexpected character {}", describe_char(c)));
    }
    if (eq_next) advance();
  }

  // number = digit { digit } [ "." digit { digit } ] [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ]
  void lex_number(Token &token) {
    const SourcePos start = pos_;
    const std::size_t begin = at_;
    while (is_digit(peek())) advance();
    if (peek() == '.') {
      advance();
      if (!is_digit(peek())) fail(ErrorCode::parse, pos_, "expected a digit after '.'");
      while (is_digit(peek())) advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      advance();
      if (peek() == '+' || peek() == '-') advance();
      if (!is_digit(peek())) fail(ErrorCode::parse, pos_, "expected a digit in the exponent");
      while (is_digit(peek())) advance();
    }
    if (is_ident_char(peek()) || peek() == '.') {
      fail(ErrorCode::parse, pos_, fmt::format("unexpected {} after a number", describe_char(peek())));
    }
    const std::string_view text = src_.substr(begin, at_ - begin);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), token.number);
    if (ec == std::errc::result_out_of_range) {
      fail(ErrorCode::parse, start, fmt::format("number {} is out of range", text));
    }
    if (ec != std::errc() || end != text.data() + text.size()) {
      fail(ErrorCode::parse, start, fmt::format("malformed number {}", text));
    }
    token.kind = TokenKind::number;
  }

  // string = '"' { character | "\" ( '"' | "\" | "n" | "t" | "r" | "u" hex hex hex hex ) } '"'
  void lex_string(Token &token) {
    const SourcePos start = pos_;
    advance();  // opening quote
    for (;;) {
      if (!more() || peek() == '\n') fail(ErrorCode::parse, start, "unterminated string");
      const char c = peek();
      if (c == '"') {
        advance();
        break;
      }
      if (c != '\\') {
        token.string += c;
        advance();
        continue;
      }
      const SourcePos escape = pos_;
      advance();
      const char e = peek();
      switch (e) {
        case '"': token.string += '"'; break;
        case '\\': token.string += '\\'; break;
        case 'n': token.string += '\n'; break;
        case 't': token.string += '\t'; break;
        case 'r': token.string += '\r'; break;
        case 'u': {
          advance();
          append_utf8(token.string, code_point(escape));
          continue;
        }
        default:
          fail(ErrorCode::parse, escape,
               more() && e != '\n' ? fmt::format("invalid escape '\\{}' in string", e) : std::string("unterminated string"));
      }
      advance();
    }
    token.kind = TokenKind::string;
  }

  /// After "\u": four hex digits, or a surrogate pair written as two escapes.
  std::uint32_t code_point(SourcePos escape) {
    const std::uint32_t unit = hex4(escape);
    if (unit >= 0xdc00 && unit <= 0xdfff) fail(ErrorCode::parse, escape, "invalid \\u escape: lone low surrogate");
    if (unit < 0xd800 || unit > 0xdbff) return unit;
    if (peek() != '\\' || peek(1) != 'u') fail(ErrorCode::parse, escape, "invalid \\u escape: lone high surrogate");
    advance();
    advance();
    const std::uint32_t low = hex4(escape);
    if (low < 0xdc00 || low > 0xdfff) fail(ErrorCode::parse, escape, "invalid \\u escape: lone high surrogate");
    return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
  }

  std::uint32_t hex4(SourcePos escape) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = peek();
      std::uint32_t digit = 0;
      if (is_digit(h)) {
        digit = static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        digit = static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        digit = static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        fail(ErrorCode::parse, escape, "invalid \\u escape: expected four hex digits");
      }
      value = value * 16 + digit;
      advance();
    }
    return value;
  }

  void lex_word(Token &token) {
    const std::size_t begin = at_;
    while (is_ident_char(peek())) advance();
    const std::string_view word = src_.substr(begin, at_ - begin);
    token.kind = TokenKind::identifier;
    for (const auto &k : kKeywords) {
      if (k.text == word) token.kind = k.kind;
    }
  }

  std::string_view src_;
  std::size_t at_ = 0;
  SourcePos pos_;
};

}  // namespace

std::string describe(const Token &token) {
  switch (token.kind) {
    case TokenKind::end: return "end of input";
    case TokenKind::string: return fmt::format("string {}", token.text);
    default: return fmt::format("'{}'", token.text);
  }
}

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

SourcePos position_of(std::string_view source, std::size_t offset) {
  SourcePos pos;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i) step(pos, source[i]);
  return pos;
}

}  // namespace riskkit::rules
