// Decision-table cells: what a condition means and how a number column's text is read.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "riskkit/policy/decision_table.hpp"

namespace riskkit {
namespace {

[[noreturn]] void bad_cell(std::string_view text, std::string_view why) {
  throw Error(ErrorCode::parse, fmt::format("cannot read condition '{}': {}", text, why));
}

/// A cursor over a cell's text.
class CellText {
 public:
  explicit CellText(std::string_view text) : text_(text) {}

  void skip_blanks() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  bool eat(std::string_view token) {
    skip_blanks();
    if (text_.substr(at_, token.size()) != token) return false;
    at_ += token.size();
    return true;
  }
  double number() {
    skip_blanks();
    double x = 0;
    const char *begin = text_.data() + at_;
    const char *end = text_.data() + text_.size();
    if (begin != end && *begin == '+') bad_cell(text_, "a number has no '+' sign");
    const auto [ptr, ec] = std::from_chars(begin, end, x);
    if (ec != std::errc() || !std::isfinite(x)) bad_cell(text_, "expected a (finite) number");
    at_ += static_cast<std::size_t>(ptr - begin);
    return x;
  }
  void expect_end() {
    skip_blanks();
    if (at_ != text_.size()) bad_cell(text_, fmt::format("unexpected '{}'", text_.substr(at_)));
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

bool CellCondition::matches(double x) const noexcept {
  switch (kind) {
    case Kind::any: return true;
    case Kind::interval: {
      if (std::isnan(x)) return false;
      // An infinite bound is no bound: `>= 3` includes +inf.
      constexpr double kInf = std::numeric_limits<double>::infinity();
      const bool above = lo == -kInf || (lo_closed ? lo <= x : lo < x);
      const bool below = hi == kInf || (hi_closed ? x <= hi : x < hi);
      return above && below;
    }
    case Kind::one_of: return false;
  }
  return false;
}

bool CellCondition::matches(std::string_view s) const noexcept {
  switch (kind) {
    case Kind::any: return true;
    case Kind::one_of: return std::find(strings.begin(), strings.end(), s) != strings.end();
    case Kind::interval: return false;
  }
  return false;
}

// cell = "-" | ( "<" | "<=" | ">" | ">=" | "==" ) number | number
//      | ( "[" | "(" ) number "," number ( "]" | ")" ) ;
CellCondition parse_number_condition(std::string_view text) {
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  if (trimmed == "-") return CellCondition::any();
  CellText in(text);
  CellCondition c;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (in.eat("<=")) c = CellCondition::between(-kInf, false, in.number(), true);
  else if (in.eat("<")) c = CellCondition::between(-kInf, false, in.number(), false);
  else if (in.eat(">=")) c = CellCondition::between(in.number(), true, kInf, false);
  else if (in.eat(">")) c = CellCondition::between(in.number(), false, kInf, false);
  else if (in.eat("==")) c = CellCondition::equals(in.number());
  else if (const bool lo_closed = in.eat("["); lo_closed || in.eat("(")) {
    const double lo = in.number();
    if (!in.eat(",")) bad_cell(text, "expected ',' between the bounds");
    const double hi = in.number();
    bool hi_closed = false;
    if (in.eat("]")) hi_closed = true;
    else if (!in.eat(")")) bad_cell(text, "expected ']' or ')' after the upper bound");
    if (lo > hi) bad_cell(text, "the lower bound is above the upper bound");
    c = CellCondition::between(lo, lo_closed, hi, hi_closed);
  } else {
    c = CellCondition::equals(in.number());
  }
  in.expect_end();
  return c;
}

}  // namespace riskkit
