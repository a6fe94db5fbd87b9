// Tests of the language's second version: null, between, if, coalesce, the math, string
// and time functions, caret excerpts in errors, the step limit (with N / N+1 tests for
// every limit) and the division-by-zero flag. Expected values are hand-computed; the
// random cross-check against an independent evaluator is in test_rules.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/rules/expression.hpp"

using riskkit::Error;
using riskkit::Timestamp;
using riskkit::Value;
using riskkit::rules::EvalFlags;
using riskkit::rules::Expression;
using riskkit::rules::Limits;
using riskkit::rules::SymbolTable;
using riskkit::rules::Type;

namespace {

// 2026-11-25 (a Wednesday) 23:04:05.5 UTC, in microseconds since the epoch.
constexpr std::int64_t kWednesdayNight = 1'795'647'845'500'000;
constexpr std::int64_t kDay = 86'400'000'000;

SymbolTable symbols() {
  SymbolTable t;
  t.add("x", Type::number, 0);          // 3
  t.add("z", Type::number, 1);          // missing
  t.add("s", Type::string, 2);          // "Caf\u00e9 Bar"
  t.add("u", Type::string, 3);          // missing
  t.add("b", Type::boolean, 4);         // true
  t.add("c", Type::boolean, 5);         // missing
  t.add("applied", Type::timestamp, 6);  // kWednesdayNight
  t.add("opened", Type::timestamp, 7);   // 10.5 days earlier
  t.add("never", Type::timestamp, 8);    // missing
  t.add("zero", Type::number, 9);       // 0
  return t;
}

std::vector<Value> slots() {
  return {Value::number(3),
          Value::missing(),
          Value::string("Caf\xc3\xa9 Bar"),
          Value::missing(),
          Value::boolean(true),
          Value::missing(),
          Value::timestamp(Timestamp{kWednesdayNight}),
          Value::timestamp(Timestamp{kWednesdayNight - 10 * kDay - kDay / 2}),
          Value::missing(),
          Value::number(0)};
}

Value eval(const std::string &source) {
  const auto s = slots();
  return Expression::compile(source, symbols()).evaluate(s);
}

double num(const std::string &source) {
  const Value v = eval(source);
  REQUIRE_MESSAGE(v.type() == riskkit::ValueType::number, source);
  return v.as_number();
}

bool truth(const std::string &source) {
  const Value v = eval(source);
  REQUIRE_MESSAGE(v.type() == riskkit::ValueType::boolean, source);
  return v.as_bool();
}

std::string text(const std::string &source) {
  const Value v = eval(source);
  REQUIRE_MESSAGE(v.type() == riskkit::ValueType::string, source);
  return v.as_string();
}

bool missing(const std::string &source) { return eval(source).is_missing(); }

/// The whole message, caret excerpt included.
std::string error_of(const std::string &source, const Limits &limits = {}) {
  try {
    (void)Expression::compile(source, symbols(), limits);
  } catch (const Error &e) {
    return std::string(riskkit::to_string(e.code())) + ": " + e.what();
  }
  return "";
}

std::string first_line(const std::string &message) { return message.substr(0, message.find('\n')); }

}  // namespace

TEST_CASE("null is a missing value typed by its context") {
  CHECK(missing("null"));
  CHECK(Expression::compile("null", symbols()).type() == Type::boolean);
  CHECK(missing("x + null"));
  CHECK(truth("is_missing(null)"));
  CHECK(num("coalesce(null, z, x)") == 3);
  CHECK(text("coalesce(null, s)") == "Caf\xc3\xa9 Bar");
  CHECK(missing("if(b, null, 1)"));
  CHECK(Expression::compile("if(b, null, null)", symbols()).type() == Type::boolean);
  CHECK(Expression::compile("coalesce(null, null) + 1", symbols()).type() == Type::number);
  CHECK_FALSE(truth("null or b == false"));
  CHECK(first_line(error_of("x == null")) ==
        "invalid_bundle: 1:3: '==' with null is always false (a test with a missing value is false); use "
        "is_missing(...) to test for a missing value");
  CHECK(first_line(error_of("null in [1]")) ==
        "invalid_bundle: 1:6: 'in' with null is always false (a test with a missing value is false); use "
        "is_missing(...) to test for a missing value");
  CHECK(first_line(error_of("x in [null]")) ==
        "parse: 1:7: list elements must be literals (a number, a string, true or false), found 'null'");
}

TEST_CASE("between is inclusive and false with a missing operand") {
  CHECK(truth("x between 3 and 5"));
  CHECK(truth("x between 1 and 3"));
  CHECK_FALSE(truth("x between 3.5 and 5"));
  CHECK_FALSE(truth("x between 5 and 1"));  // an empty range
  CHECK(truth("x not between 4 and 5"));
  CHECK_FALSE(truth("x not between 1 and 5"));
  CHECK_FALSE(truth("z between 1 and 5"));
  CHECK_FALSE(truth("z not between 1 and 5"));  // like `not in`: missing is never inside or outside
  CHECK_FALSE(truth("x between z and 5"));
  CHECK(truth("x + 1 between 2 * 2 and 2 + 2"));  // bounds are additive expressions
  CHECK(truth("x between 1 and 5 and b"));        // the second 'and' is logical
  CHECK(truth("s between \"C\" and \"D\""));
  CHECK(truth("opened between opened and applied"));
  CHECK_FALSE(truth("never between opened and applied"));
  CHECK(first_line(error_of("x between 1")) ==
        "parse: 1:12: expected 'and' between the bounds of 'between' but found end of input");
  CHECK(first_line(error_of("x between 1 and \"a\"")) ==
        "invalid_bundle: 1:17: bound of 'between' is string but the value tested is number");
  CHECK(first_line(error_of("b between true and false")) ==
        "invalid_bundle: 1:3: 'between' needs numbers, strings or timestamps, got bool");
}

TEST_CASE("if and coalesce evaluate lazily") {
  CHECK(num("if(x > 1, 10, 20)") == 10);
  CHECK(num("if(x > 5, 10, 20)") == 20);
  CHECK(num("if(c, 10, 20)") == 20);  // a missing condition counts as false
  CHECK(text("if(b, \"yes\", \"no\")") == "yes");
  CHECK(num("coalesce(z, z, 7)") == 7);
  CHECK(missing("coalesce(z, null)"));
  CHECK(truth("coalesce(c, b)"));
  // The branch not taken does not run: its division by zero is not reported.
  const auto s = slots();
  EvalFlags flags;
  CHECK(Expression::compile("if(x > 1, 1, x / zero)", symbols()).evaluate(s, flags) == Value::number(1));
  CHECK_FALSE(flags.division_by_zero);
  CHECK(Expression::compile("coalesce(x, x / zero)", symbols()).evaluate(s, flags) == Value::number(3));
  CHECK_FALSE(flags.division_by_zero);
  CHECK(first_line(error_of("if(x, 1, 2)")) == "invalid_bundle: 1:4: argument 1 of if() must be bool, got number");
  CHECK(first_line(error_of("if(b, 1, \"a\")")) ==
        "invalid_bundle: 1:10: argument 3 of if() must be number like argument 2, got string");
  CHECK(first_line(error_of("coalesce(x)")) == "invalid_bundle: 1:1: coalesce() takes at least 2 arguments, got 1");
}

TEST_CASE("math functions") {
  CHECK(num("exp(0)") == 1);
  CHECK(num("exp(1000)") == std::numeric_limits<double>::infinity());
  CHECK(num("sqrt(16)") == 4);
  CHECK(missing("sqrt(-1)"));
  CHECK(num("round(2.5)") == 3);
  CHECK(num("round(-2.5)") == -3);  // halves away from zero
  CHECK(num("round(2.4)") == 2);
  CHECK(num("floor(-1.5)") == -2);
  CHECK(num("ceil(-1.5)") == -1);
  CHECK(num("clamp(x, 0, 1)") == 1);
  CHECK(num("clamp(x, 4, 9)") == 4);
  CHECK(num("clamp(x, 0, 9)") == 3);
  CHECK(missing("clamp(x, 9, 0)"));
  CHECK(missing("clamp(z, 0, 1)"));
  CHECK(missing("floor(z)"));
}

TEST_CASE("string functions") {
  CHECK(text("lower(s)") == "caf\xc3\xa9 bar");  // ASCII letters only; é stays
  CHECK(text("upper(s)") == "CAF\xc3\xa9 BAR");
  CHECK(num("len(s)") == 8);  // code points, not bytes (9)
  CHECK(num("len(\"\")") == 0);
  CHECK(truth("starts_with(s, \"Caf\")"));
  CHECK_FALSE(truth("starts_with(s, \"caf\")"));
  CHECK(truth("ends_with(lower(s), \"bar\")"));
  CHECK(truth("contains(s, \"\xc3\xa9 B\")"));
  CHECK(truth("contains(s, \"\")"));
  CHECK_FALSE(truth("contains(u, \"\")"));  // missing is never contained
  CHECK(text("substr(s, 3, 2)") == "\xc3\xa9 ");
  CHECK(text("substr(s, 6, 100)") == "ar");
  CHECK(text("substr(s, 100, 1)").empty());
  CHECK(missing("substr(s, -1, 1)"));
  CHECK(missing("substr(s, 0.5, 1)"));
  CHECK(missing("lower(u)"));
  CHECK(missing("len(u)"));
  // Nested string results do not overwrite each other.
  CHECK(truth("lower(s) == lower(upper(s)) and upper(substr(s, 0, 3)) == \"CAF\""));
  CHECK(first_line(error_of("len(x)")) == "invalid_bundle: 1:5: argument 1 of len() must be string, got number");
}

TEST_CASE("time functions over timestamps, in UTC") {
  CHECK(num("hour_of_day(applied)") == 23);
  CHECK(num("day_of_week(applied)") == 3);  // Wednesday; Monday is 1
  CHECK(num("days_between(opened, applied)") == 10.5);
  CHECK(num("days_between(applied, opened)") == -10.5);
  CHECK(missing("days_between(never, applied)"));
  CHECK(missing("hour_of_day(never)"));
  SymbolTable t;
  t.add("t", Type::timestamp, 0);
  // One microsecond before the epoch: 23:59:59.999999 on Wednesday 1969-12-31.
  const std::vector<Value> before{Value::timestamp(Timestamp{-1})};
  CHECK(Expression::compile("hour_of_day(t)", t).evaluate(before) == Value::number(23));
  CHECK(Expression::compile("day_of_week(t)", t).evaluate(before) == Value::number(3));
  CHECK(first_line(error_of("hour_of_day(x)")) ==
        "invalid_bundle: 1:13: argument 1 of hour_of_day() must be timestamp, got number");
}

TEST_CASE("errors carry a caret excerpt under the line:column") {
  CHECK(error_of("x > 1 and incme > 3") ==
        "invalid_bundle: 1:11: unknown name 'incme'\n"
        " | x > 1 and incme > 3\n"
        " |           ^");
  CHECK(error_of("x > 1 and\n  (x +") ==
        "parse: 2:7: expected an expression but found end of input\n"
        " |   (x +\n"
        " |       ^");
  // Columns count code points; tabs are kept so the caret lines up.
  CHECK(error_of("\"\xc3\xa9\" == x") ==
        "invalid_bundle: 1:5: cannot compare string with number using '=='\n"
        " | \"\xc3\xa9\" == x\n"
        " |     ^");
  CHECK(error_of("\tx @") ==
        "parse: 1:4: unexpected character '@'\n"
        " | \tx @\n"
        " | \t  ^");
  // A long line is cut around the column.
  const std::string long_line = std::string(100, ' ') + "@" + std::string(100, ' ');
  CHECK(error_of(long_line) == "parse: 1:101: unexpected character '@'\n | ..." + std::string(60, ' ') + "@" +
                                   std::string(39, ' ') + "...\n |    " + std::string(60, ' ') + "^");
}

TEST_CASE("every limit at N passes and at N+1 fails") {
  // max_length: "x + 1" is 5 characters.
  CHECK(error_of("x + 1", Limits{.max_length = 5}).empty());
  CHECK(first_line(error_of("x + 1", Limits{.max_length = 4})) ==
        "limit_exceeded: 1:5: expression longer than 4 characters");
  // max_depth: the whole expression is one level, each parenthesis one more.
  CHECK(error_of(std::string(63, '(') + "x" + std::string(63, ')')).empty());
  CHECK(first_line(error_of(std::string(64, '(') + "x" + std::string(64, ')'))) ==
        "limit_exceeded: 1:65: expression nested deeper than 64 levels");
  // max_nodes: "x + 1" is three nodes; the third made is the '+'.
  CHECK(error_of("x + 1", Limits{.max_nodes = 3}).empty());
  CHECK(first_line(error_of("x + 1", Limits{.max_nodes = 2})) ==
        "limit_exceeded: 1:3: expression has more than 2 nodes");
  // max_steps: load x, push 1, add, ret.
  CHECK(Expression::compile("x + 1", symbols()).max_steps() == 4);
  CHECK(error_of("x + 1", Limits{.max_steps = 4}).empty());
  CHECK(first_line(error_of("x + 1", Limits{.max_steps = 3})) ==
        "limit_exceeded: 1:1: expression compiles to 4 evaluation steps, more than the limit of 3");
  // Folding runs first, so constants cost one step.
  CHECK(Expression::compile("1 + 2 * 3 > 0", symbols()).max_steps() == 2);
  // Both branches of an if count, though only one runs.
  CHECK(Expression::compile("if(b, x, 1)", symbols()).max_steps() == 6);
}

TEST_CASE("a field compared with a number is one fused step, with missing handled as everywhere") {
  const auto s = slots();
  CHECK(Expression::compile("x >= 3", symbols()).max_steps() == 2);
  CHECK(Expression::compile("x >= 3", symbols()).test(s));
  CHECK_FALSE(Expression::compile("x > 3", symbols()).test(s));
  CHECK(Expression::compile("x != 4", symbols()).test(s));
  CHECK_FALSE(Expression::compile("z != 4", symbols()).test(s));          // a missing field
  CHECK_FALSE(Expression::compile("x != log(-1)", symbols()).test(s));    // a folded missing constant
  CHECK_FALSE(Expression::compile("x < log(-1)", symbols()).test(s));
}

TEST_CASE("division by zero gives missing and is flagged") {
  const auto s = slots();
  EvalFlags flags;
  const Expression ratio = Expression::compile("x / zero", symbols());
  CHECK(ratio.evaluate(s, flags).is_missing());
  CHECK(flags.division_by_zero);

  EvalFlags clean;
  CHECK(Expression::compile("x / 2", symbols()).evaluate(s, clean) == Value::number(1.5));
  CHECK_FALSE(clean.division_by_zero);

  // A constant division by zero is not folded away, so every evaluation reports it.
  EvalFlags constant;
  const Expression folded = Expression::compile("x > 1 / 0 or x % 0 == 1", symbols());
  CHECK_FALSE(folded.test(s, constant));
  CHECK(constant.division_by_zero);

  // A short-circuited operand does not run, so it is not reported.
  EvalFlags skipped;
  CHECK_FALSE(Expression::compile("x > 5 and x / zero > 1", symbols()).test(s, skipped));
  CHECK_FALSE(skipped.division_by_zero);
}
