#pragma once
// A pull reader over JSON text (RFC 8259, plus the NaN / Infinity / -Infinity literals
// XGBoost's own reader accepts). Strings without escapes and numbers are views of the input;
// numbers are parsed only into the type the caller asks for. Errors name the origin,
// line:column and the JSON pointer. Same member functions as UbjsonPullReader.

#include <cstddef>
#include <string>
#include <string_view>

#include "models/pull_reader.hpp"

namespace riskkit::detail {

class JsonPullReader {
 public:
  /// Reads `text`; `origin` (the file name, for messages) must outlive the reader.
  JsonPullReader(std::string_view text, const std::string &origin, const ModelLimits &limits);

  void enter_object();
  bool next_member();
  const std::string &key() const { return path_.key(); }
  void enter_array();
  bool next_element();
  /// Always 0: JSON arrays do not declare their length.
  std::size_t count_hint() const { return 0; }
  Scalar scalar();
  void skip();
  void finish();

  std::string pointer() const { return path_.pointer(); }
  /// Throws Error(code) "origin: line L, column C: pointer: message" at the last value's start.
  [[noreturn]] void fail(ErrorCode code, std::string_view message) const;

 private:
  [[noreturn]] void syntax(std::string_view message) const;  // at the current character, Error(parse)
  [[noreturn]] void fail_at(std::size_t pos, ErrorCode code, std::string_view message) const;
  char peek_char();  // the next character after blanks; fails at the end of input
  void open(char bracket);
  bool next(char end);
  std::string_view string_token();
  std::string_view number_token();
  void literal(std::string_view word);

  std::string_view text_;
  const std::string &origin_;
  ModelLimits limits_;
  std::size_t pos_ = 0;
  std::size_t value_start_ = 0;
  PointerStack path_;
  std::string unescaped_;  // the last string that had escapes, decoded
};

}  // namespace riskkit::detail
