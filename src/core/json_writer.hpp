#pragma once
// A JSON text written straight into a string, byte for byte as nlohmann::json::dump(-1,
// ' ', false, error_handler_t::replace) writes the same value: keys and values escaped per
// RFC 8259 (control characters as \b \t \n \f \r or \u00XX, '"' and '\\' escaped, other
// bytes as they are), each invalid UTF-8 sequence replaced by U+FFFD, doubles in the
// shortest form that reads back exactly ("1.0", "0.1", "1e+20"), non-finite doubles as null.

#include <cstdint>
#include <string>
#include <string_view>

namespace riskkit::detail {

/// Appends one JSON value to `out`. The caller nests begin/end calls properly and writes
/// a key() before each member of an object; the writer places the commas and colons.
class JsonWriter {
 public:
  explicit JsonWriter(std::string &out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  /// The key of the next member of the enclosing object.
  void key(std::string_view k);

  void string(std::string_view s);
  void number(double x);
  void integer(std::int64_t n);
  void boolean(bool b) { raw(b ? "true" : "false"); }
  void null() { raw("null"); }

 private:
  void separate() {
    if (need_comma_) out_ += ',';
  }
  void open(char c) {
    separate();
    out_ += c;
    need_comma_ = false;
  }
  void close(char c) {
    out_ += c;
    need_comma_ = true;
  }
  void raw(std::string_view text) {
    separate();
    out_ += text;
    need_comma_ = true;
  }

  std::string &out_;
  bool need_comma_ = false;
};

/// Appends `s` as a JSON string (quotes included) to `out`, as JsonWriter::string does.
void append_json_string(std::string &out, std::string_view s);

}  // namespace riskkit::detail
