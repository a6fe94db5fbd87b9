// Tests of the rules component: the expression language (lexer, parser, checker,
// folding, bytecode VM) and RuleSet. Expected values are hand-computed, or come from an
// independent tree-walking evaluator written below (the brute-force oracle).
#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/rules/expression.hpp"
#include "riskkit/rules/rule_set.hpp"
#include "rules/checker.hpp"
#include "rules/compiler.hpp"
#include "rules/parser.hpp"

using riskkit::Error;
using riskkit::ErrorCode;
using riskkit::Timestamp;
using riskkit::Value;
using riskkit::rules::Expression;
using riskkit::rules::Limits;
using riskkit::rules::SymbolTable;
using riskkit::rules::Type;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

SymbolTable symbols() {
  SymbolTable t;
  t.add("x", Type::number, 0);       // 3
  t.add("y", Type::number, 1);       // 4
  t.add("z", Type::number, 2);       // missing
  t.add("s", Type::string, 3);       // "abc"
  t.add("t", Type::string, 4);       // "abd"
  t.add("b", Type::boolean, 5);      // true
  t.add("c", Type::boolean, 6);      // missing
  t.add("ts", Type::timestamp, 7);   // 1000
  t.add("tu", Type::timestamp, 8);   // 2000
  t.add("income", Type::number, 9);  // +inf
  t.add("u", Type::string, 10);      // missing
  return t;
}

std::vector<Value> slots() {
  return {Value::number(3),
          Value::number(4),
          Value::missing(),
          Value::string("abc"),
          Value::string("abd"),
          Value::boolean(true),
          Value::missing(),
          Value::timestamp(Timestamp{1000}),
          Value::timestamp(Timestamp{2000}),
          Value::number(kInf),
          Value::missing()};
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

bool missing(const std::string &source) { return eval(source).is_missing(); }

/// "code: message" of the error compiling `source` throws, or "" if it compiles.
/// "code: line:column: message" — the first line of the error; the caret excerpt that
/// follows it is tested in test_rules_language.cpp.
std::string error_of(const std::string &source, const Limits &limits = {}) {
  try {
    (void)Expression::compile(source, symbols(), limits);
  } catch (const Error &e) {
    const std::string what = e.what();
    return std::string(riskkit::to_string(e.code())) + ": " + what.substr(0, what.find('\n'));
  }
  return "";
}

// A rule with every member spelled out (-Wmissing-field-initializers stays quiet).
riskkit::Rule make_rule(std::string id, Expression when, riskkit::Action action, riskkit::ReasonCode reason = {}) {
  return riskkit::Rule{std::move(id), std::move(when), action, std::move(reason), 0.0, {}, riskkit::RuleMode::active, true, {}};
}

}  // namespace

TEST_CASE("number literals") {
  CHECK(num("42") == 42);
  CHECK(num("3.25") == 3.25);
  CHECK(num("1e3") == 1000);
  CHECK(num("2.5e-1") == 0.25);
  CHECK(num("1E+2") == 100);
  CHECK(num("0.1") == 0.1);
}

TEST_CASE("arithmetic operators") {
  CHECK(num("1 + 2") == 3);
  CHECK(num("7 - 10") == -3);
  CHECK(num("2 * 3.5") == 7);
  CHECK(num("7 / 2") == 3.5);
  CHECK(num("7 % 3") == 1);
  CHECK(num("-7 % 3") == -1);  // fmod: the sign of the dividend
  CHECK(num("7.5 % 2") == 1.5);
  CHECK(num("-x") == -3);
  CHECK(num("x * y - 2") == 10);
}

TEST_CASE("precedence and associativity") {
  CHECK(num("1 + 2 * 3") == 7);
  CHECK(num("(1 + 2) * 3") == 9);
  CHECK(num("-2 * 3") == -6);
  CHECK(num("10 - 4 - 3") == 3);
  CHECK(num("100 / 10 / 5") == 2);
  CHECK(num("2 * 3 % 4") == 2);
  CHECK(num("- - 3") == 3);
  CHECK(num("-x * -y") == 12);
  CHECK(truth("1 + 1 == 2"));
  CHECK(truth("not x > 5"));                // not (x > 5)
  CHECK(truth("true or false and false"));  // and binds tighter than or
  CHECK_FALSE(truth("(true or false) and false"));
  CHECK(truth("not true or true"));  // (not true) or true
  CHECK(truth("x in [3] == true"));  // (x in [3]) == true
  CHECK(truth("x + 1 in [4]"));      // (x + 1) in [4]
  CHECK(truth("x > 1 and y > 1 or x > 100"));
}

TEST_CASE("comparisons of numbers") {
  CHECK(truth("x == 3"));
  CHECK_FALSE(truth("x == 4"));
  CHECK(truth("x != 4"));
  CHECK(truth("x < y"));
  CHECK(truth("x <= 3"));
  CHECK_FALSE(truth("x > y"));
  CHECK(truth("y >= 4"));
  CHECK_FALSE(truth("x >= 3.5"));
}

TEST_CASE("comparisons of strings, timestamps and bools") {
  CHECK(truth("s < t"));  // "abc" < "abd"
  CHECK(truth("s == \"abc\""));
  CHECK(truth("s != t"));
  CHECK(truth("\"B\" < \"a\""));   // byte order
  CHECK(truth("\"ab\" < \"abc\""));  // a prefix sorts first
  CHECK(truth("t >= s"));
  CHECK(truth("\"\" <= s"));
  CHECK(truth("ts < tu"));
  CHECK(truth("ts <= ts"));
  CHECK_FALSE(truth("ts == tu"));
  CHECK(truth("tu > ts"));
  CHECK(truth("b == true"));
  CHECK(truth("b != false"));
  CHECK(truth("(x > 1) == b"));
}

TEST_CASE("string escapes and unicode") {
  CHECK(eval(R"("a\"b")").as_string() == "a\"b");
  CHECK(eval(R"("back\\slash")").as_string() == "back\\slash");
  CHECK(eval(R"("1\n2\t3")").as_string() == "1\n2\t3");
  CHECK(eval(R"("\u00e9")").as_string() == "\xc3\xa9");
  CHECK(eval(R"("\uD83D\uDE00")").as_string() == "\xf0\x9f\x98\x80");
  CHECK(eval("s").as_string() == "abc");
  CHECK(eval("u").is_missing());
}

TEST_CASE("in and not in") {
  CHECK(truth("x in [1, 2, 3]"));
  CHECK_FALSE(truth("x in [1, 2]"));
  CHECK(truth("x not in [1, 2]"));
  CHECK(truth("-x in [-3, 5]"));
  CHECK_FALSE(truth("x in []"));
  CHECK(truth("x not in []"));
  CHECK(truth("s in [\"x\", \"abc\"]"));
  CHECK_FALSE(truth("s in [\"ab\", \"abcd\"]"));
  CHECK(truth("s not in [\"x\"]"));
  CHECK(truth("b in [true]"));
  CHECK_FALSE(truth("b in [false]"));
  CHECK(truth("b not in [false]"));
  CHECK(truth("x in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"));  // binary-search path
  CHECK_FALSE(truth("x in [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]"));
  CHECK(truth("t in [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"abd\"]"));
  CHECK(truth("x in [3, 3, 3]"));
}

TEST_CASE("functions") {
  CHECK(num("min(3, 1, 2)") == 1);
  CHECK(num("max(3, 1, 2)") == 3);
  CHECK(num("min(x, y)") == 3);
  CHECK(num("max(-1, -2)") == -1);
  CHECK(num("abs(-2.5)") == 2.5);
  CHECK(num("abs(2.5)") == 2.5);
  CHECK(num("log(1)") == 0);
  CHECK(num("log(2.718281828459045)") == doctest::Approx(1.0));
  CHECK(num("log(100)") == std::log(100.0));
  CHECK(missing("log(0)"));
  CHECK(missing("log(-1)"));
  CHECK(truth("is_missing(z)"));
  CHECK_FALSE(truth("is_missing(x)"));
  CHECK(truth("is_missing(u)"));
  CHECK_FALSE(truth("is_missing(s)"));
  CHECK(truth("is_missing(c)"));
  CHECK_FALSE(truth("is_missing(ts)"));
  CHECK(truth("is_missing(1 / 0)"));
}

TEST_CASE("missing values") {
  CHECK(missing("z"));
  CHECK(missing("z + 1"));
  CHECK(missing("z * 0"));
  CHECK(missing("-z"));
  CHECK(missing("abs(z)"));
  CHECK(missing("log(z)"));
  CHECK(missing("min(x, z)"));
  CHECK(missing("max(z, 1, 2)"));
  CHECK_FALSE(truth("z > 1"));
  CHECK_FALSE(truth("z <= 1"));
  CHECK_FALSE(truth("z == z"));
  CHECK_FALSE(truth("z != 1"));  // every comparison with missing is false, != included
  CHECK(truth("not (z > 1)"));   // not turns that false into true
  CHECK(truth("not (z == 1)"));
  CHECK_FALSE(truth("z in [1]"));
  CHECK_FALSE(truth("z not in [1]"));
  CHECK(truth("not (z in [1])"));
  CHECK_FALSE(truth("u == \"\""));
  CHECK_FALSE(truth("u in [\"a\"]"));
  CHECK_FALSE(truth("u not in [\"a\"]"));
  // A missing bool counts as false in and / or / not; comparing it is false.
  CHECK(missing("c"));
  CHECK_FALSE(truth("c and true"));
  CHECK_FALSE(truth("c or false"));
  CHECK(truth("c or true"));
  CHECK(truth("not c"));
  CHECK_FALSE(truth("c == true"));
  CHECK_FALSE(truth("c != true"));
  CHECK_FALSE(truth("c in [true, false]"));
  CHECK(truth("true and not c"));
}

TEST_CASE("division by zero, NaN and infinity") {
  CHECK(missing("1 / 0"));
  CHECK(missing("0 / 0"));
  CHECK(missing("1 % 0"));
  CHECK(missing("x / (y - 4)"));
  CHECK(missing("x % (y - 4)"));
  CHECK(num("1e308 * 10") == kInf);
  CHECK(num("-(1e308 * 10)") == -kInf);
  CHECK(missing("1e308 * 10 - 1e308 * 10"));  // inf - inf is NaN, so missing
  CHECK(num("1 / (1e308 * 10)") == 0);
  CHECK(num("income") == kInf);
  CHECK(truth("income > 1e308"));
  CHECK(num("log(income)") == kInf);
  CHECK(missing("income * 0"));
  CHECK(missing("income % 2"));  // fmod(inf, 2) is NaN
  CHECK(num("x % income") == 3);
  CHECK(num("min(income, 1)") == 1);
  CHECK(num("-0 * 1") == 0);
  CHECK(std::signbit(num("-0 * 1")));
}

TEST_CASE("the result of evaluate() and test()") {
  const auto table = symbols();
  const auto s = slots();
  CHECK(Expression::compile("x > 1", table).test(s));
  CHECK_FALSE(Expression::compile("x > 10", table).test(s));
  CHECK_FALSE(Expression::compile("c", table).test(s));  // missing bool
  CHECK_FALSE(Expression::compile("x", table).test(s));  // not a bool expression
  CHECK(Expression::compile("ts", table).evaluate(s) == Value::timestamp(Timestamp{1000}));
  CHECK(Expression::compile("x + 1", table).type() == Type::number);
  CHECK(Expression::compile("s", table).type() == Type::string);
  CHECK(Expression::compile("x in [1]", table).type() == Type::boolean);
  CHECK(Expression::compile("tu", table).type() == Type::timestamp);
  const auto e = Expression::compile("y + x * y > min(x, z)", table);
  CHECK(e.names() == std::vector<std::string>{"y", "x", "z"});
  CHECK(e.source() == "y + x * y > min(x, z)");
}

TEST_CASE("slots that are short or of the wrong type read as missing") {
  const auto e = Expression::compile("is_missing(x) and is_missing(s)", symbols());
  const std::vector<Value> wrong{Value::string("3"), Value::number(1), Value::number(1), Value::number(2)};
  CHECK(e.test(wrong));
  CHECK(e.test(std::span<const Value>()));
  CHECK(Expression::compile("y + 1", symbols()).evaluate(std::vector<Value>{Value::number(1)}).is_missing());
}

TEST_CASE("comments, whitespace and line breaks") {
  CHECK(truth("x > 1 # a comment\n and # another\n\ty < 5"));
  CHECK(num("# leading comment\n 1 +\r\n 2") == 3);
}

namespace {

using riskkit::rules::Op;

riskkit::rules::Program lowered(const std::string &source, bool fold) {
  auto root = riskkit::rules::parse(source, Limits{});
  (void)riskkit::rules::check(*root, symbols());
  if (fold) riskkit::rules::fold_constants(root);
  return riskkit::rules::generate(*root);
}

}  // namespace

TEST_CASE("constant folding leaves a single constant") {
  const auto p = lowered("(1 + 2) * 3 > 8 and \"a\" in [\"a\"] and min(1, 2) == abs(-1)", true);
  REQUIRE(p.code.size() == 2);
  CHECK(p.code[0].op == Op::push_constant);
  CHECK(p.constants[0].truth);
  const auto q = lowered("x + 2 * 3", true);  // 2 * 3 folds, x + 6 stays
  REQUIRE(q.code.size() == 4);
  CHECK(q.constants[0].number == 6);
  CHECK(missing("1 / 0 + x"));  // a folded missing stays missing
}

TEST_CASE("and / or short-circuit over the right operand") {
  for (const auto &[source, jump] : {std::pair{"b and x > 1", Op::jump_if_false}, {"b or x > 1", Op::jump_if_true}}) {
    const auto p = lowered(source, false);
    REQUIRE(p.code[1].op == jump);
    // The jump skips the right operand entirely, to the instruction after it.
    CHECK(p.code[1].arg == p.code.size() - 1);
    CHECK(p.code[p.code.size() - 1].op == Op::ret);
  }
  CHECK_FALSE(truth("false and 1 / 0 > 1"));
  CHECK(truth("true or z > 1"));
  CHECK(truth("b or c"));
  CHECK_FALSE(truth("c and b"));
}

TEST_CASE("syntax errors with line:column") {
  CHECK(error_of("") == "parse: 1:1: expected an expression but found end of input");
  CHECK(error_of("x +") == "parse: 1:4: expected an expression but found end of input");
  CHECK(error_of("(x > 1") == "parse: 1:7: expected ')' but found end of input");
  CHECK(error_of("x > 1 )") == "parse: 1:7: unexpected ')' after the end of the expression");
  CHECK(error_of("1 < 2 < 3") ==
        "parse: 1:7: comparisons do not chain: put 'and' between them (found '<' after a comparison)");
  CHECK(error_of("x = 1") == "parse: 1:3: unexpected '=' (use '==' to compare)");
  CHECK(error_of("!b") == "parse: 1:1: unexpected '!' (use 'not' to negate)");
  CHECK(error_of("b && b") == "parse: 1:3: unexpected '&' (use 'and')");
  CHECK(error_of("b || b") == "parse: 1:3: unexpected '|' (use 'or')");
  CHECK(error_of("x @ 1") == "parse: 1:3: unexpected character '@'");
  CHECK(error_of("\"abc") == "parse: 1:1: unterminated string");
  CHECK(error_of("\"ab\nc\"") == "parse: 1:1: unterminated string");
  CHECK(error_of(R"("a\q")") == "parse: 1:3: invalid escape '\\q' in string");
  CHECK(error_of(R"("\u12")") == "parse: 1:2: invalid \\u escape: expected four hex digits");
  CHECK(error_of(R"("\ud800")") == "parse: 1:2: invalid \\u escape: lone high surrogate");
  CHECK(error_of(R"("\udc00")") == "parse: 1:2: invalid \\u escape: lone low surrogate");
  CHECK(error_of("1.x") == "parse: 1:3: expected a digit after '.'");
  CHECK(error_of("1e+") == "parse: 1:4: expected a digit in the exponent");
  CHECK(error_of("12abc") == "parse: 1:3: unexpected 'a' after a number");
  CHECK(error_of("1e999") == "parse: 1:1: number 1e999 is out of range");
  CHECK(error_of("x in [y]") ==
        "parse: 1:7: list elements must be literals (a number, a string, true or false), found 'y'");
  CHECK(error_of("x in [1,]") ==
        "parse: 1:9: list elements must be literals (a number, a string, true or false), found ']'");
  CHECK(error_of("x in 1") == "parse: 1:6: expected '[' to start the list but found '1'");
  CHECK(error_of("x in [1 2]") == "parse: 1:9: expected ',' or ']' in the list but found '2'");
  CHECK(error_of("min(x y)") == "parse: 1:7: expected ',' or ')' after a function argument but found 'y'");
  CHECK(error_of("x > 1 and\n  # comment\n  y <\n") == "parse: 4:1: expected an expression but found end of input");
  CHECK(error_of("\x01") == "parse: 1:1: unexpected character byte 0x01");
}

TEST_CASE("name, type and arity errors with line:column") {
  CHECK(error_of("incme > 3") == "invalid_bundle: 1:1: unknown name 'incme' (did you mean 'income'?)");
  CHECK(error_of("x > 1 and\n   qqqqqq > 2") == "invalid_bundle: 2:4: unknown name 'qqqqqq'");
  CHECK(error_of("min") == "invalid_bundle: 1:1: 'min' is a function: call it as min(...)");
  CHECK(error_of("foo(x)") == "invalid_bundle: 1:1: unknown function 'foo'");
  CHECK(error_of("mn(x, y)") == "invalid_bundle: 1:1: unknown function 'mn' (did you mean 'min'?)");
  CHECK(error_of("x + s") == "invalid_bundle: 1:3: cannot apply '+' to number and string (arithmetic needs numbers)");
  CHECK(error_of("ts - tu") ==
        "invalid_bundle: 1:4: cannot apply '-' to timestamp and timestamp (arithmetic needs numbers)");
  CHECK(error_of("b * 2") == "invalid_bundle: 1:3: cannot apply '*' to bool and number (arithmetic needs numbers)");
  CHECK(error_of("x < s") == "invalid_bundle: 1:3: cannot compare number with string using '<'");
  CHECK(error_of("\"\xc3\xa9\" == x") == "invalid_bundle: 1:5: cannot compare string with number using '=='");
  CHECK(error_of("ts == x") == "invalid_bundle: 1:4: cannot compare timestamp with number using '=='");
  CHECK(error_of("b < c") == "invalid_bundle: 1:3: cannot order bools with '<' (bools support only == and !=)");
  CHECK(error_of("x and b") == "invalid_bundle: 1:1: operand of 'and' must be bool, got number");
  CHECK(error_of("b or s") == "invalid_bundle: 1:6: operand of 'or' must be bool, got string");
  CHECK(error_of("not x") == "invalid_bundle: 1:1: 'not' needs a bool operand, got number");
  CHECK(error_of("-s") == "invalid_bundle: 1:1: '-' needs a number operand, got string");
  CHECK(error_of("x in [\"a\"]") == "invalid_bundle: 1:7: list element is string but the value tested is number");
  CHECK(error_of("s in [\"a\", -1]") == "invalid_bundle: 1:12: list element is number but the value tested is string");
  CHECK(error_of("ts in []") == "invalid_bundle: 1:4: 'in' does not apply to timestamps (they have no literals)");
  CHECK(error_of("min(x)") == "invalid_bundle: 1:1: min() takes at least 2 arguments, got 1");
  CHECK(error_of("abs(x, y)") == "invalid_bundle: 1:1: abs() takes 1 argument, got 2");
  CHECK(error_of("log()") == "invalid_bundle: 1:1: log() takes 1 argument, got 0");
  CHECK(error_of("abs(s)") == "invalid_bundle: 1:5: argument 1 of abs() must be number, got string");
  CHECK(error_of("max(x, b)") == "invalid_bundle: 1:8: argument 2 of max() must be number, got bool");
}

TEST_CASE("limits") {
  CHECK(error_of("x + 1", Limits{.max_length = 3}) == "limit_exceeded: 1:4: expression longer than 3 characters");
  CHECK(error_of("x + 1", Limits{.max_length = 5}).empty());

  // Recursion bombs stop at the depth limit instead of overflowing the stack.
  const Limits roomy{.max_length = 4'000'000, .max_depth = 64, .max_nodes = 4096};
  const std::string parens = std::string(1'000'000, '(') + "x" + std::string(1'000'000, ')');
  CHECK(error_of(parens, roomy) == "limit_exceeded: 1:65: expression nested deeper than 64 levels");
  std::string minus;
  for (int i = 0; i < 500'000; ++i) minus += "- ";
  CHECK(error_of(minus + "x", roomy) == "limit_exceeded: 1:127: expression nested deeper than 64 levels");
  std::string nots;
  for (int i = 0; i < 300'000; ++i) nots += "not ";
  CHECK(error_of(nots + "b", roomy) == "limit_exceeded: 1:253: expression nested deeper than 64 levels");
  CHECK(error_of(std::string(63, '(') + "x" + std::string(63, ')')).empty());

  // The tree height counts too: a 64-term sum is 64 levels of '+'.
  std::string sum = "x";
  for (int i = 1; i < 64; ++i) sum += " + x";
  CHECK(error_of(sum).empty());
  CHECK(error_of(sum + " + x") == "limit_exceeded: 1:255: expression nested deeper than 64 levels");
  CHECK(num(sum) == 3 * 64);

  std::string call = "min(x";
  for (int i = 1; i < 5000; ++i) call += ", x";
  call += ")";
  // Node 4097 is argument 4096, at column 5 + 3 * 4095.
  CHECK(error_of(call) == "limit_exceeded: 1:12290: expression has more than 4096 nodes");
  CHECK(error_of(call, Limits{.max_nodes = 5001}).empty());

  // Raising max_depth past the VM's fixed stack is caught when compiling.
  std::string nested = "x";
  for (int i = 0; i < 300; ++i) nested = "x + (" + nested + ")";
  CHECK(error_of(nested, Limits{.max_depth = 400}) ==
        "limit_exceeded: 1:1: expression needs an evaluation stack deeper than 256 cells");
}

TEST_CASE("SymbolTable rejects duplicates") {
  SymbolTable t;
  t.add("a", Type::number, 0);
  CHECK_THROWS_AS(t.add("a", Type::string, 1), Error);
  CHECK(t.find("a")->slot == 0);
  CHECK(t.find("b") == nullptr);
}

TEST_CASE("type and action names") {
  CHECK(std::string(riskkit::rules::to_string(Type::number)) == "number");
  CHECK(std::string(riskkit::rules::to_string(Type::string)) == "string");
  CHECK(std::string(riskkit::rules::to_string(Type::boolean)) == "bool");
  CHECK(std::string(riskkit::rules::to_string(Type::timestamp)) == "timestamp");
  riskkit::Action a = riskkit::Action::flag;
  CHECK(riskkit::parse_action("decline", a));
  CHECK(a == riskkit::Action::decline);
  CHECK(riskkit::parse_action("review", a));
  CHECK(a == riskkit::Action::review);
  CHECK(riskkit::parse_action("flag", a));
  CHECK(a == riskkit::Action::flag);
  CHECK(riskkit::parse_action("allow", a));
  CHECK(a == riskkit::Action::allow);
  CHECK_FALSE(riskkit::parse_action("Decline", a));
  CHECK_FALSE(riskkit::parse_action("block", a));
  riskkit::RuleMode m = riskkit::RuleMode::active;
  CHECK(riskkit::parse_rule_mode("shadow", m));
  CHECK(m == riskkit::RuleMode::shadow);
  CHECK_FALSE(riskkit::parse_rule_mode("Shadow", m));
  CHECK(std::string(riskkit::to_string(riskkit::RuleMode::active)) == "active");
  CHECK(std::string(riskkit::to_string(riskkit::Action::review)) == "review");
}

TEST_CASE("RuleSet") {
  const auto table = symbols();
  auto rule = [&](std::string id, const char *when, riskkit::Action action) {
    return make_rule(std::move(id), Expression::compile(when, table), action, {"R", "reason"});
  };
  const riskkit::RuleSet set({rule("A", "x > 1", riskkit::Action::flag), rule("B", "z > 1", riskkit::Action::decline),
                              rule("C", "s in [\"abc\"]", riskkit::Action::review),
                              rule("D", "not (z > 1)", riskkit::Action::flag)});
  std::vector<std::size_t> hits{99};
  set.evaluate(slots(), hits);
  CHECK(hits == std::vector<std::size_t>{99, 0, 2, 3});  // appended, in rule order
  CHECK(set.rules().size() == 4);

  CHECK_THROWS_WITH_AS(riskkit::RuleSet({rule("A", "x > 1", riskkit::Action::flag), rule("A", "b", riskkit::Action::flag)}),
                       "duplicate rule id 'A'", Error);
  CHECK_THROWS_WITH_AS(riskkit::RuleSet({rule("N", "x + 1", riskkit::Action::flag)}),
                       "rule 'N': 'when' must be bool, got number", Error);
  riskkit::Rule infinite = rule("I", "b", riskkit::Action::flag);
  infinite.score = kInf;
  CHECK_THROWS_WITH_AS(riskkit::RuleSet({infinite}), "rule 'I': score must be a finite number", Error);
}

TEST_CASE("RuleSet: disabled rules are skipped; divisions by zero are reported per rule") {
  const auto table = symbols();
  std::vector<riskkit::Rule> list;
  list.push_back(make_rule("ON", Expression::compile("x > 1", table), riskkit::Action::flag));
  list.push_back(make_rule("OFF", Expression::compile("x > 1", table), riskkit::Action::flag));
  list.back().enabled = false;
  list.push_back(make_rule("SHADOW", Expression::compile("x / (y - 4) > 1 or x > 2", table), riskkit::Action::decline));
  list.back().mode = riskkit::RuleMode::shadow;
  list.push_back(make_rule("DIV", Expression::compile("x / 0 > 1", table), riskkit::Action::review));
  const riskkit::RuleSet set(std::move(list));
  std::vector<std::size_t> hits, divided;
  set.evaluate(slots(), hits, &divided);
  CHECK(hits == std::vector<std::size_t>{0, 2});  // shadow rules are evaluated too
  CHECK(divided == std::vector<std::size_t>{2, 3});
}

TEST_CASE("a compiled expression is shared safely between threads") {
  const auto e = Expression::compile("x * y > 11 and s in [\"abc\", \"q\"]", symbols());
  const auto s = slots();
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) ok[static_cast<std::size_t>(t)] += e.test(s) ? 1 : 0;
    });
  }
  for (auto &th : threads) th.join();
  CHECK(ok == std::vector<int>(4, 10000));
}

// ---- the brute-force oracle ---------------------------------------------------------
// Random typed expression trees are printed as source, compiled and run on the VM, and
// evaluated by the tiny tree walker below, which implements docs/rule-language.md
// directly on std::optional values.

namespace oracle {

enum class K { number, string, boolean, timestamp };

struct V {  // missing when !present
  bool present = false;
  double n = 0;
  std::string s;
  bool b = false;
  std::int64_t t = 0;
};

V number(double x) { return std::isnan(x) ? V{} : V{true, x, {}, false, 0}; }
V boolean(bool x) { return V{true, 0, {}, x, 0}; }

struct Tree {
  std::string text;                    // source, fully parenthesized
  std::function<V(const std::vector<V> &)> eval;
};

/// "n0", "s1", …; appended rather than concatenated, which sidesteps GCC 12's false
/// -Wrestrict warning on `"n" + std::to_string(i)`.
std::string var_name(const char *prefix, int i) {
  std::string name(prefix);
  name += std::to_string(i);
  return name;
}

constexpr int kNumbers = 4, kStrings = 2, kBools = 2, kTimes = 2;
// slots: numbers 0..3 (n0..n3), strings 4..5, bools 6..7, timestamps 8..9

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}

  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

  std::string number_text(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", std::fabs(x));
    return std::signbit(x) ? "(-" + std::string(buf) + ")" : std::string(buf);
  }

  double number_literal() {
    static const double pool[] = {0, -0.0, 1, 2, 3, 0.5, -2.5, 7, 10, 1e308, 1e-300, 0.1, 4};
    return pool[pick(13)];
  }

  std::string string_literal() {
    static const char *pool[] = {"", "a", "abc", "abd", "B", "\xc3\xa9"};
    return pool[pick(6)];
  }

  std::string quoted(const std::string &s) { return "\"" + s + "\""; }

  Tree leaf_var(const char *prefix, int base, int count) {
    const int i = pick(count);
    const int slot = base + i;
    return {var_name(prefix, i), [slot](const std::vector<V> &env) { return env[slot]; }};
  }

  Tree num(int depth) {
    if (depth <= 0 || pick(4) == 0) {
      if (pick(2) == 0) {
        const double x = number_literal();
        return {number_text(x), [x](const std::vector<V> &) { return number(x); }};
      }
      return leaf_var("n", 0, kNumbers);
    }
    switch (pick(7)) {
      case 0: {
        Tree a = num(depth - 1);
        return {"(-" + a.text + ")", [a](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  return x.present ? number(-x.n) : V{};
                }};
      }
      case 1: {
        static const char *ops[] = {"+", "-", "*", "/", "%"};
        const int op = pick(5);
        Tree a = num(depth - 1), b = num(depth - 1);
        return {"(" + a.text + " " + ops[op] + " " + b.text + ")", [a, b, op](const std::vector<V> &e) {
                  const V x = a.eval(e), y = b.eval(e);
                  if (!x.present || !y.present) return V{};
                  switch (op) {
                    case 0: return number(x.n + y.n);
                    case 1: return number(x.n - y.n);
                    case 2: return number(x.n * y.n);
                    case 3: return y.n == 0 ? V{} : number(x.n / y.n);
                    default: return y.n == 0 ? V{} : number(std::fmod(x.n, y.n));
                  }
                }};
      }
      case 2: {
        const bool is_min = pick(2) == 0;
        const int n = 2 + pick(3);
        std::vector<Tree> args;
        std::string text = is_min ? "min(" : "max(";
        for (int i = 0; i < n; ++i) {
          args.push_back(num(depth - 1));
          text += (i ? ", " : "") + args.back().text;
        }
        return {text + ")", [args, is_min](const std::vector<V> &e) {
                  std::vector<double> xs;
                  for (const auto &a : args) {
                    const V x = a.eval(e);
                    if (!x.present) return V{};
                    xs.push_back(x.n);
                  }
                  double r = xs[0];
                  for (std::size_t i = 1; i < xs.size(); ++i) r = is_min ? std::min(r, xs[i]) : std::max(r, xs[i]);
                  return number(r);
                }};
      }
      case 3: {
        Tree a = num(depth - 1);
        return {"abs(" + a.text + ")", [a](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  return x.present ? number(std::fabs(x.n)) : V{};
                }};
      }
      case 4: {
        Tree a = num(depth - 1);
        return {"log(" + a.text + ")", [a](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  return x.present && x.n > 0 ? number(std::log(x.n)) : V{};
                }};
      }
      case 5: return num_function(depth);
      default: return leaf_var("n", 0, kNumbers);
    }
  }

  /// The functions added with the language's second version, each written down here
  /// from docs/rule-language.md independently of vm.cpp.
  Tree num_function(int depth) {
    using F = std::function<V(const std::vector<V> &)>;
    switch (pick(9)) {
      case 0: {
        static const char *names[] = {"exp", "sqrt", "round", "floor", "ceil"};
        const int f = pick(5);
        Tree a = num(depth - 1);
        return {std::string(names[f]) + "(" + a.text + ")", F([a, f](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  if (!x.present) return V{};
                  switch (f) {
                    case 0: return number(std::exp(x.n));
                    case 1: return x.n < 0 ? V{} : number(std::sqrt(x.n));
                    case 2: return number(std::round(x.n));
                    case 3: return number(std::floor(x.n));
                    default: return number(std::ceil(x.n));
                  }
                })};
      }
      case 1: {
        Tree a = num(depth - 1), lo = num(depth - 1), hi = num(depth - 1);
        return {"clamp(" + a.text + ", " + lo.text + ", " + hi.text + ")", F([a, lo, hi](const std::vector<V> &e) {
                  const V x = a.eval(e), l = lo.eval(e), h = hi.eval(e);
                  if (!x.present || !l.present || !h.present || l.n > h.n) return V{};
                  return number(x.n < l.n ? l.n : x.n > h.n ? h.n : x.n);
                })};
      }
      case 2: {
        Tree c = boolean_tree(depth - 1), a = num(depth - 1), b = num(depth - 1);
        return {"if(" + c.text + ", " + a.text + ", " + b.text + ")", F([c, a, b](const std::vector<V> &e) {
                  const V x = c.eval(e);
                  return x.present && x.b ? a.eval(e) : b.eval(e);
                })};
      }
      case 3: {
        std::vector<Tree> args;
        std::string text = "coalesce(";
        const int n = 2 + pick(3);
        for (int i = 0; i < n; ++i) {
          // null may stand anywhere but last, so the call always has a type of its own
          args.push_back(i + 1 < n && pick(4) == 0 ? null_num() : num(depth - 1));
          text += (i ? ", " : "") + args.back().text;
        }
        return {text + ")", F([args](const std::vector<V> &e) {
                  for (const auto &a : args)
                    if (V x = a.eval(e); x.present) return x;
                  return V{};
                })};
      }
      case 4: {
        Tree a = str(depth - 1);
        return {"len(" + a.text + ")", F([a](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  return x.present ? number(static_cast<double>(code_points(x.s).size())) : V{};
                })};
      }
      case 5:
      case 6: {
        const bool hour = pick(2) == 0;
        Tree t = time_leaf();
        return {std::string(hour ? "hour_of_day(" : "day_of_week(") + t.text + ")",
                F([t, hour](const std::vector<V> &e) {
                  const V x = t.eval(e);
                  if (!x.present) return V{};
                  using namespace std::chrono;
                  const sys_time<microseconds> at{microseconds{x.t}};
                  const auto day = floor<days>(at);
                  if (hour) return number(static_cast<double>(duration_cast<hours>(at - day).count()));
                  return number(static_cast<double>(weekday(day).iso_encoding()));
                })};
      }
      case 7: {
        Tree t = time_leaf(), u = time_leaf();
        return {"days_between(" + t.text + ", " + u.text + ")", F([t, u](const std::vector<V> &e) {
                  const V x = t.eval(e), y = u.eval(e);
                  if (!x.present || !y.present) return V{};
                  return number((static_cast<double>(y.t) - static_cast<double>(x.t)) / 86'400'000'000.0);
                })};
      }
      default: {
        Tree a = num(depth - 1);
        return {"(" + a.text + " + null)", F([](const std::vector<V> &) { return V{}; })};
      }
    }
  }

  Tree null_num() {
    return {"null", [](const std::vector<V> &) { return V{}; }};
  }

  Tree time_leaf() { return leaf_var("t", kNumbers + kStrings + kBools, kTimes); }

  static std::vector<std::string> code_points(const std::string &s) {
    std::vector<std::string> out;
    for (const char ch : s) {
      if ((static_cast<unsigned char>(ch) & 0xc0) == 0x80 && !out.empty()) out.back() += ch;
      else out.emplace_back(1, ch);
    }
    return out;
  }

  static V text(std::string s) { return V{true, 0, std::move(s), false, 0}; }

  Tree str(int depth = 0) {
    using F = std::function<V(const std::vector<V> &)>;
    if (depth > 0 && pick(3) == 0) {
      switch (pick(5)) {
        case 0:
        case 1: {
          const bool low = pick(2) == 0;
          Tree a = str(depth - 1);
          return {std::string(low ? "lower(" : "upper(") + a.text + ")", F([a, low](const std::vector<V> &e) {
                    V x = a.eval(e);
                    if (!x.present) return V{};
                    for (char &ch : x.s) {
                      const auto u = static_cast<unsigned char>(ch);
                      if (u < 0x80) ch = static_cast<char>(low ? std::tolower(u) : std::toupper(u));
                    }
                    return x;
                  })};
        }
        case 2: {
          Tree a = str(depth - 1), from = num(1), count = num(1);
          return {"substr(" + a.text + ", " + from.text + ", " + count.text + ")",
                  F([a, from, count](const std::vector<V> &e) {
                    const V x = a.eval(e), f = from.eval(e), c = count.eval(e);
                    if (!x.present || !f.present || !c.present) return V{};
                    if (f.n < 0 || c.n < 0 || f.n != std::floor(f.n) || c.n != std::floor(c.n)) return V{};
                    const auto points = code_points(x.s);
                    std::string out;
                    for (std::size_t i = 0; i < points.size(); ++i)
                      if (static_cast<double>(i) >= f.n && static_cast<double>(i) < f.n + c.n) out += points[i];
                    return text(out);
                  })};
        }
        case 3: {
          Tree c = boolean_tree(1), a = str(depth - 1), b = str(depth - 1);
          return {"if(" + c.text + ", " + a.text + ", " + b.text + ")", F([c, a, b](const std::vector<V> &e) {
                    const V x = c.eval(e);
                    return x.present && x.b ? a.eval(e) : b.eval(e);
                  })};
        }
        default: {
          Tree a = pick(3) == 0 ? Tree{"null", [](const std::vector<V> &) { return V{}; }} : str(depth - 1);
          Tree b = str(depth - 1);
          return {"coalesce(" + a.text + ", " + b.text + ")", F([a, b](const std::vector<V> &e) {
                    const V x = a.eval(e);
                    return x.present ? x : b.eval(e);
                  })};
        }
      }
    }
    if (pick(2) == 0) {
      const std::string s = string_literal();
      return {quoted(s), [s](const std::vector<V> &) { return V{true, 0, s, false, 0}; }};
    }
    return leaf_var("s", kNumbers, kStrings);
  }

  /// `x [not] between lo and hi` over numbers, strings or timestamps, and the string tests.
  Tree bool_function(int depth) {
    using F = std::function<V(const std::vector<V> &)>;
    const int which = pick(5);
    if (which < 3) {
      const bool negated = pick(2) == 0;
      Tree x = which == 0 ? num(depth - 1) : which == 1 ? str(depth - 1) : time_leaf();
      Tree lo = which == 0 ? num(depth - 1) : which == 1 ? str(depth - 1) : time_leaf();
      Tree hi = which == 0 ? num(depth - 1) : which == 1 ? str(depth - 1) : time_leaf();
      const std::string text = "(" + x.text + (negated ? " not between " : " between ") + lo.text + " and " + hi.text + ")";
      return {text, F([x, lo, hi, which, negated](const std::vector<V> &e) {
                const V a = x.eval(e), l = lo.eval(e), h = hi.eval(e);
                if (!a.present || !l.present || !h.present) return boolean(false);
                bool inside = false;
                if (which == 0) inside = l.n <= a.n && a.n <= h.n;
                else if (which == 1) inside = l.s <= a.s && a.s <= h.s;
                else inside = l.t <= a.t && a.t <= h.t;
                return boolean(inside != negated);
              })};
    }
    if (which == 3) {
      Tree c = boolean_tree(depth - 1), a = boolean_tree(depth - 1), b = boolean_tree(depth - 1);
      return {"if(" + c.text + ", " + a.text + ", " + b.text + ")", F([c, a, b](const std::vector<V> &e) {
                const V x = c.eval(e);
                return x.present && x.b ? a.eval(e) : b.eval(e);
              })};
    }
    static const char *names[] = {"starts_with", "ends_with", "contains"};
    const int f = pick(3);
    Tree a = str(depth - 1), b = str(depth - 1);
    return {std::string(names[f]) + "(" + a.text + ", " + b.text + ")", F([a, b, f](const std::vector<V> &e) {
              const V x = a.eval(e), y = b.eval(e);
              if (!x.present || !y.present) return boolean(false);
              const bool starts = x.s.size() >= y.s.size() && x.s.compare(0, y.s.size(), y.s) == 0;
              const bool ends = x.s.size() >= y.s.size() && x.s.compare(x.s.size() - y.s.size(), y.s.size(), y.s) == 0;
              const bool has = x.s.find(y.s) != std::string::npos;
              return boolean(f == 0 ? starts : f == 1 ? ends : has);
            })};
  }

  template <class Get>
  static Tree comparison(const Tree &a, const Tree &b, int op, Get get) {
    static const char *ops[] = {"==", "!=", "<", "<=", ">", ">="};
    return {"(" + a.text + " " + ops[op] + " " + b.text + ")", [a, b, op, get](const std::vector<V> &e) {
              const V x = a.eval(e), y = b.eval(e);
              if (!x.present || !y.present) return boolean(false);
              const auto p = get(x), q = get(y);
              switch (op) {
                case 0: return boolean(p == q);
                case 1: return boolean(p != q);
                case 2: return boolean(p < q);
                case 3: return boolean(p <= q);
                case 4: return boolean(p > q);
                default: return boolean(p >= q);
              }
            }};
  }

  Tree boolean_tree(int depth) {
    if (depth <= 0 || pick(5) == 0) {
      if (pick(3) == 0) {
        const bool x = pick(2) == 0;
        return {x ? "true" : "false", [x](const std::vector<V> &) { return boolean(x); }};
      }
      return leaf_var("b", kNumbers + kStrings, kBools);
    }
    switch (pick(11)) {
      case 9:
      case 10: return bool_function(depth);
      case 0: {
        Tree a = boolean_tree(depth - 1);
        return {"(not " + a.text + ")", [a](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  return boolean(!(x.present && x.b));
                }};
      }
      case 1:
      case 2: {
        const bool is_and = pick(2) == 0;
        Tree a = boolean_tree(depth - 1), b = boolean_tree(depth - 1);
        return {"(" + a.text + (is_and ? " and " : " or ") + b.text + ")", [a, b, is_and](const std::vector<V> &e) {
                  const V x = a.eval(e);
                  const bool left = x.present && x.b;
                  if (is_and && !left) return boolean(false);
                  if (!is_and && left) return boolean(true);
                  const V y = b.eval(e);
                  return boolean(y.present && y.b);
                }};
      }
      case 3: return comparison(num(depth - 1), num(depth - 1), pick(6), [](const V &v) { return v.n; });
      case 4: return comparison(str(depth - 1), str(depth - 1), pick(6), [](const V &v) { return v.s; });
      case 5:
        return comparison(leaf_var("t", kNumbers + kStrings + kBools, kTimes),
                          leaf_var("t", kNumbers + kStrings + kBools, kTimes), pick(6),
                          [](const V &v) { return v.t; });
      case 6: return comparison(boolean_tree(depth - 1), boolean_tree(depth - 1), pick(2), [](const V &v) { return v.b; });
      case 7: return membership(depth);
      default: {
        Tree a = pick(2) == 0 ? num(depth - 1) : pick(2) == 0 ? str() : boolean_tree(depth - 1);
        return {"is_missing(" + a.text + ")", [a](const std::vector<V> &e) { return boolean(!a.eval(e).present); }};
      }
    }
  }

  Tree membership(int depth) {
    const bool negated = pick(2) == 0;
    const int n = pick(12);
    const std::string op = negated ? " not in [" : " in [";
    if (pick(2) == 0) {
      Tree a = num(depth - 1);
      std::vector<double> list;
      std::string text = "(" + a.text + op;
      for (int i = 0; i < n; ++i) {
        list.push_back(pick(2) == 0 ? number_literal() : static_cast<double>(pick(20) - 5));
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", list.back());
        text += (i ? ", " : "") + std::string(buf);
      }
      return {text + "])", [a, list, negated](const std::vector<V> &e) {
                const V x = a.eval(e);
                if (!x.present) return boolean(false);
                bool found = false;
                for (const double d : list) found = found || d == x.n;
                return boolean(found != negated);
              }};
    }
    Tree a = str();
    std::vector<std::string> list;
    std::string text = "(" + a.text + op;
    for (int i = 0; i < n; ++i) {
      list.push_back(string_literal());
      text += (i ? ", " : "") + quoted(list.back());
    }
    return {text + "])", [a, list, negated](const std::vector<V> &e) {
              const V x = a.eval(e);
              if (!x.present) return boolean(false);
              bool found = false;
              for (const auto &d : list) found = found || d == x.s;
              return boolean(found != negated);
            }};
  }

  /// A random environment: the oracle's view and the engine's slots of the same data.
  void environment(std::vector<V> &env, std::vector<Value> &slots) {
    static const double numbers[] = {0, -0.0, 1, 3, -2.5, 0.5, 1e308, kInf, -kInf, 7, 100, 1e-300};
    // Around the epoch, a 2026 instant and one before 1970 that is not on a whole hour.
    static const std::int64_t times[] = {0, 1000, 2000, -5, 1'795'000'123'456'789, -86'400'000'001, 3'600'000'000};
    env.assign(10, V{});
    slots.assign(10, Value{});
    for (int i = 0; i < 10; ++i) {
      if (pick(5) == 0) continue;  // missing
      if (i < kNumbers) {
        const double x = numbers[pick(12)];
        env[i] = number(x);
        slots[i] = Value::number(x);
      } else if (i < kNumbers + kStrings) {
        const std::string s = string_literal();
        env[i] = V{true, 0, s, false, 0};
        slots[i] = Value::string(s);
      } else if (i < kNumbers + kStrings + kBools) {
        const bool b = pick(2) == 0;
        env[i] = boolean(b);
        slots[i] = Value::boolean(b);
      } else {
        const std::int64_t t = times[pick(7)];
        env[i] = V{true, 0, {}, false, t};
        slots[i] = Value::timestamp(Timestamp{t});
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

SymbolTable table() {
  SymbolTable t;
  for (int i = 0; i < kNumbers; ++i) t.add(var_name("n", i), Type::number, static_cast<std::size_t>(i));
  for (int i = 0; i < kStrings; ++i) t.add(var_name("s", i), Type::string, static_cast<std::size_t>(kNumbers + i));
  for (int i = 0; i < kBools; ++i) {
    t.add(var_name("b", i), Type::boolean, static_cast<std::size_t>(kNumbers + kStrings + i));
  }
  for (int i = 0; i < kTimes; ++i) {
    t.add(var_name("t", i), Type::timestamp, static_cast<std::size_t>(kNumbers + kStrings + kBools + i));
  }
  return t;
}

bool same(const Value &got, const V &want, K kind) {
  if (!want.present) return got.is_missing();
  switch (kind) {
    case K::string: return got.type() == riskkit::ValueType::string && got.as_string() == want.s;
    case K::number: return got.type() == riskkit::ValueType::number && got.as_number() == want.n;
    case K::boolean: return got.type() == riskkit::ValueType::boolean && got.as_bool() == want.b;
    default: return false;
  }
}

}  // namespace oracle

TEST_CASE("brute-force oracle: compiled bytecode equals a tree-walking evaluator") {
  oracle::Gen gen(20261125);
  const SymbolTable table = oracle::table();
  std::vector<oracle::V> env;
  std::vector<Value> slots;
  int cases = 0;
  for (int i = 0; i < 6000; ++i) {
    const oracle::K kind = i % 3 == 0 ? oracle::K::boolean : i % 3 == 1 ? oracle::K::number : oracle::K::string;
    const oracle::Tree tree = kind == oracle::K::boolean ? gen.boolean_tree(5)
                              : kind == oracle::K::number ? gen.num(5)
                                                          : gen.str(5);
    INFO(tree.text);
    const Expression e = Expression::compile(tree.text, table);
    {  // Every jump goes forward, which is what bounds evaluation by the program length.
      riskkit::rules::NodePtr root = riskkit::rules::parse(tree.text, Limits{});
      riskkit::rules::check(*root, table);
      riskkit::rules::fold_constants(root);
      const riskkit::rules::Program program = riskkit::rules::generate(*root);
      REQUIRE(program.code.size() == e.max_steps());
      for (std::size_t k = 0; k < program.code.size(); ++k) {
        using riskkit::rules::Op;
        const Op op = program.code[k].op;
        if (op == Op::jump || op == Op::jump_if_true || op == Op::jump_if_false || op == Op::branch_if_not ||
            op == Op::jump_if_present)
          REQUIRE(program.code[k].arg > k);
      }
    }
    for (int j = 0; j < 6; ++j) {
      gen.environment(env, slots);
      const oracle::V want = tree.eval(env);
      const Value got = e.evaluate(slots);
      ++cases;
      REQUIRE(oracle::same(got, want, kind));
      if (kind == oracle::K::boolean) REQUIRE(e.test(slots) == (want.present && want.b));
    }
  }
  CHECK(cases == 36000);
}

TEST_CASE("brute-force oracle: a RuleSet linked into one program fires exactly the oracle's rules") {
  oracle::Gen gen(20261126);
  const SymbolTable table = oracle::table();
  std::vector<oracle::V> env;
  std::vector<Value> slots;
  for (int set = 0; set < 300; ++set) {
    std::vector<oracle::Tree> trees;
    std::vector<riskkit::Rule> rules;
    const int count = 1 + gen.pick(12);
    for (int i = 0; i < count; ++i) {
      trees.push_back(gen.boolean_tree(1 + gen.pick(4)));
      rules.push_back({oracle::var_name("R", i), Expression::compile(trees.back().text, table), riskkit::Action::flag,
                       {}, 0, {}, riskkit::RuleMode::active, gen.pick(8) != 0, {}});
    }
    const riskkit::RuleSet rule_set(rules);
    for (int j = 0; j < 6; ++j) {
      gen.environment(env, slots);
      std::vector<std::size_t> want_hits, want_divided, hits, divided;
      for (std::size_t i = 0; i < trees.size(); ++i) {
        if (!rules[i].enabled) continue;
        const oracle::V v = trees[i].eval(env);
        if (v.present && v.b) want_hits.push_back(i);
        riskkit::rules::EvalFlags flags;
        (void)rules[i].when.test(slots, flags);
        if (flags.division_by_zero) want_divided.push_back(i);
      }
      rule_set.evaluate(slots, hits, &divided);
      INFO("set " << set << ", record " << j);
      REQUIRE(hits == want_hits);
      REQUIRE(divided == want_divided);
    }
  }
}
