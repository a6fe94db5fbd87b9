#pragma once
// RFC 4180 CSV reading and writing: quoted fields with embedded commas, quotes and
// newlines, CRLF or LF line ends, an optional UTF-8 byte-order mark. Limits bound a
// field's size and a row's width, and errors name the line.

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace riskkit::cli {

struct CsvLimits {
  std::size_t max_field_bytes = std::size_t{1} << 20;
  std::size_t max_columns = 4096;
};

/// Reads one CSV row at a time from a stream.
class CsvReader {
 public:
  CsvReader(std::istream &in, std::string origin, CsvLimits limits = {});
  /// Reads the next row into `cells`; false at end of input. Throws Error(parse) naming
  /// origin:line for an unterminated quote, text after a closing quote, or a limit.
  bool next(std::vector<std::string> &cells);
  /// The line on which the row last returned started (1-based).
  std::size_t line() const noexcept { return row_line_; }

 private:
  int get();
  std::istream &in_;
  std::string origin_;
  CsvLimits limits_;
  std::size_t line_ = 1;
  std::size_t row_line_ = 0;
  bool first_ = true;
};

/// Appends `cell` to `out`, quoted when it holds a comma, quote, CR or LF.
void csv_append(std::string &out, std::string_view cell);

}  // namespace riskkit::cli
