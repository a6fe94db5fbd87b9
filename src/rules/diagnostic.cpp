#include "rules/diagnostic.hpp"

#include <vector>

#include <fmt/format.h>

namespace riskkit::rules {
namespace {

constexpr std::size_t kBefore = 60;  // code points of context shown left of the caret
constexpr std::size_t kAfter = 40;   // and right of it

bool starts_code_point(char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }

}  // namespace

void fail(ErrorCode code, SourcePos at, std::string_view message) {
  throw Diagnostic(code, at, fmt::format("{}:{}: {}", at.line, at.column, message));
}

std::string caret_excerpt(std::string_view source, SourcePos at) {
  // The bytes of line `at.line`, without its line break.
  std::size_t begin = 0;
  for (std::uint32_t line = 1; line < at.line && begin < source.size(); ++begin)
    if (source[begin] == '\n') ++line;
  std::size_t end = source.find('\n', begin);
  if (end == std::string_view::npos) end = source.size();
  std::string_view text = source.substr(begin, end - begin);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);

  // Split into code points so the window and the caret count what a reader sees.
  std::vector<std::string_view> points;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = i + 1;
    while (j < text.size() && !starts_code_point(text[j])) ++j;
    points.push_back(text.substr(i, j - i));
    i = j;
  }
  const std::size_t caret = at.column - 1;  // may equal points.size(): end of input
  const std::size_t first = caret > kBefore ? caret - kBefore : 0;
  const std::size_t last = std::min(points.size(), caret + kAfter);

  std::string shown = first > 0 ? "..." : "";
  std::string under(shown.size(), ' ');
  for (std::size_t i = first; i < last; ++i) {
    shown += points[i];
    if (i < caret) under += points[i] == "\t" ? '\t' : ' ';
  }
  if (last < points.size()) shown += "...";
  return fmt::format(" | {}\n | {}^", shown, under);
}

}  // namespace riskkit::rules
