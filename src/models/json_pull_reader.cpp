#include "models/json_pull_reader.hpp"

#include <fmt/format.h>

#include "core/json_parse.hpp"

namespace riskkit::detail {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

}  // namespace

JsonPullReader::JsonPullReader(std::string_view text, const std::string &origin, const ModelLimits &limits)
    : text_(text), origin_(origin), limits_(limits) {
  if (text.size() > limits.max_bytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, text.size(), limits.max_bytes));
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte-order mark
}

void JsonPullReader::fail_at(std::size_t pos, ErrorCode code, std::string_view message) const {
  const auto [line, column] = line_column(text_, pos);
  const std::string pointer = path_.pointer();
  throw Error(code, fmt::format("{}: line {}, column {}: {}{}{}", origin_, line, column, pointer,
                                pointer.empty() ? "" : ": ", message));
}

void JsonPullReader::fail(ErrorCode code, std::string_view message) const { fail_at(value_start_, code, message); }

void JsonPullReader::syntax(std::string_view message) const { fail_at(pos_, ErrorCode::parse, message); }

char JsonPullReader::peek_char() {
  while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  if (pos_ >= text_.size()) syntax("unexpected end of input");
  return text_[pos_];
}

void JsonPullReader::open(char bracket) {
  const char c = peek_char();
  if (c != bracket) {
    const char *want = bracket == '{' ? "an object" : "an array";
    value_start_ = pos_;
    if (c == '{' || c == '[')
      fail(ErrorCode::invalid_model, fmt::format("expected {}, got {}", want, c == '{' ? "an object" : "an array"));
    fail(ErrorCode::invalid_model, fmt::format("expected {}, got {}", want, preview(scalar())));
  }
  value_start_ = pos_;
  if (path_.depth() + 1 > limits_.max_nesting)
    fail(ErrorCode::limit_exceeded, fmt::format("nesting deeper than {}", limits_.max_nesting));
  ++pos_;
  if (bracket == '{') path_.push_object();
  else path_.push_array();
}

void JsonPullReader::enter_object() { open('{'); }

void JsonPullReader::enter_array() { open('['); }

// Consumes the separator before the next element, or the closing bracket (closing the container).
bool JsonPullReader::next(char end) {
  const char c = peek_char();
  if (c == end) {
    ++pos_;
    path_.pop();
    return false;
  }
  if (!path_.before_first()) {
    if (c != ',') syntax(fmt::format("expected ',' or '{}', got {}", end, describe_char(c)));
    ++pos_;
  }
  return true;
}

bool JsonPullReader::next_member() {
  if (!next('}')) return false;
  if (peek_char() != '"') syntax(fmt::format("expected a member name, got {}", describe_char(text_[pos_])));
  value_start_ = pos_;
  path_.set_key(string_token());
  if (peek_char() != ':') syntax(fmt::format("expected ':', got {}", describe_char(text_[pos_])));
  ++pos_;
  return true;
}

bool JsonPullReader::next_element() {
  if (!next(']')) return false;
  if (path_.advance() >= limits_.max_array_length)
    fail_at(pos_, ErrorCode::limit_exceeded, fmt::format("more than {} elements", limits_.max_array_length));
  return true;
}

// A string at the cursor, without its quotes: a view of the input, or of unescaped_ when it
// has escapes (decoded by nlohmann, which also checks them and their UTF-8).
std::string_view JsonPullReader::string_token() {
  const std::size_t start = ++pos_;
  bool escaped = false;
  while (true) {
    if (pos_ >= text_.size()) syntax("unterminated string");
    const char c = text_[pos_];
    if (c == '"') break;
    if (static_cast<unsigned char>(c) < 0x20) syntax(fmt::format("control character {} in a string", describe_char(c)));
    if (c == '\\') {
      escaped = true;
      ++pos_;
    }
    ++pos_;
  }
  const std::size_t end = pos_++;
  if (!escaped) return text_.substr(start, end - start);
  try {
    unescaped_ = nlohmann::json::parse(text_.substr(start - 1, end - start + 2)).get<std::string>();
  } catch (const nlohmann::json::exception &) {
    pos_ = start - 1;
    syntax("invalid escape sequence in a string");
  }
  return unescaped_;
}

// A number at the cursor: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, or NaN / Infinity / -Infinity.
std::string_view JsonPullReader::number_token() {
  const std::size_t start = pos_;
  const auto digits = [&] {
    const std::size_t from = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    return pos_ - from;
  };
  if (text_[pos_] == '-') ++pos_;
  if (text_.substr(pos_, 8) == "Infinity") {
    pos_ += 8;
    return text_.substr(start, pos_ - start);
  }
  if (pos_ < text_.size() && text_[pos_] == '0') ++pos_;
  else if (digits() == 0) syntax(pos_ < text_.size() ? "invalid number" : "unexpected end of input");
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) syntax("invalid number: digits expected after '.'");
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (digits() == 0) syntax("invalid number: digits expected in the exponent");
  }
  return text_.substr(start, pos_ - start);
}

void JsonPullReader::literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) syntax(fmt::format("invalid literal (expected {})", word));
  pos_ += word.size();
}

Scalar JsonPullReader::scalar() {
  const char c = peek_char();
  value_start_ = pos_;
  Scalar s;
  switch (c) {
    case '"': s.form = Scalar::Form::string; s.text = string_token(); break;
    case 't': literal("true"); s.form = Scalar::Form::boolean; s.boolean = true; break;
    case 'f': literal("false"); s.form = Scalar::Form::boolean; break;
    case 'n': literal("null"); break;
    case 'N': literal("NaN"); s.form = Scalar::Form::text_number; s.text = "NaN"; break;
    case '{': case '[': fail(ErrorCode::invalid_model, c == '{' ? "expected a scalar, got an object"
                                                                : "expected a scalar, got an array");
    default:
      if (c != '-' && c != 'I' && !is_digit(c)) syntax(fmt::format("unexpected {}", describe_char(c)));
      s.form = Scalar::Form::text_number;
      s.text = number_token();
  }
  return s;
}

void JsonPullReader::skip() {
  switch (peek_char()) {
    case '{':
      enter_object();
      while (next_member()) skip();
      return;
    case '[':
      enter_array();
      while (next_element()) skip();
      return;
    default: scalar();
  }
}

void JsonPullReader::finish() {
  while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  if (pos_ != text_.size()) syntax(fmt::format("unexpected {} after the document", describe_char(text_[pos_])));
}

}  // namespace riskkit::detail
