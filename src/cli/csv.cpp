#include "cli/csv.hpp"

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::cli {

CsvReader::CsvReader(std::istream &in, std::string origin, CsvLimits limits)
    : in_(in), origin_(std::move(origin)), limits_(limits) {}

int CsvReader::get() {
  const int c = in_.get();
  if (c == '\n') ++line_;
  return c;
}

bool CsvReader::next(std::vector<std::string> &cells) {
  cells.clear();
  if (first_) {  // skip a UTF-8 byte-order mark
    first_ = false;
    if (in_.peek() == 0xEF) {
      char bom[3];
      in_.read(bom, 3);
      if (in_.gcount() != 3 || bom[1] != '\xBB' || bom[2] != '\xBF') {
        in_.clear();
        for (std::streamsize i = in_.gcount(); i > 0; --i) in_.unget();
      }
    }
  }
  row_line_ = line_;
  int c = get();
  if (c == EOF) return false;
  std::string cell;
  auto push = [&] {
    if (cells.size() >= limits_.max_columns)
      throw Error(ErrorCode::limit_exceeded,
                  fmt::format("{}:{}: more than {} columns", origin_, row_line_, limits_.max_columns));
    cells.push_back(std::move(cell));
    cell.clear();
  };
  auto append = [&](int ch) {
    if (cell.size() >= limits_.max_field_bytes)
      throw Error(ErrorCode::limit_exceeded,
                  fmt::format("{}:{}: a field is longer than {} bytes", origin_, row_line_, limits_.max_field_bytes));
    cell.push_back(static_cast<char>(ch));
  };
  for (;;) {
    if (c == '"' && cell.empty()) {
      const std::size_t opened = line_;
      for (;;) {
        c = get();
        if (c == EOF)
          throw Error(ErrorCode::parse, fmt::format("{}:{}: unterminated quoted field", origin_, opened));
        if (c == '"') {
          if (in_.peek() == '"') {
            get();
            append('"');
            continue;
          }
          break;
        }
        append(c);
      }
      c = get();
      if (c != ',' && c != '\n' && c != '\r' && c != EOF)
        throw Error(ErrorCode::parse, fmt::format("{}:{}: text after a closing quote", origin_, line_));
    }
    if (c == ',') {
      push();
      c = get();
      continue;
    }
    if (c == '\r') {
      if (in_.peek() == '\n') get();
      push();
      return true;
    }
    if (c == '\n' || c == EOF) {
      push();
      return true;
    }
    append(c);
    c = get();
  }
}

void csv_append(std::string &out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace riskkit::cli
