// RuleSet links its enabled rules into one program and rewrites the commonest shapes
// into fused instructions (src/rules/rule_program.cpp). These tests hold the linked
// program to the reference: each rule's own Expression::test (its unlinked bytecode,
// itself checked against the tree-walking oracle in test_rules.cpp), over rule sets
// built from the shapes the rewrites target and records with missing, wrong-typed and
// absent (short span) values.
#include <doctest/doctest.h>

#include <cstddef>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/rules/expression.hpp"
#include "riskkit/rules/rule_set.hpp"

using riskkit::Value;
using riskkit::rules::Expression;
using riskkit::rules::SymbolTable;
using riskkit::rules::Type;

namespace {

// slots: n0..n3 numbers (0-3), s0..s1 strings (4-5), b0..b1 bools (6-7)
SymbolTable table() {
  SymbolTable t;
  const char *numbers[] = {"n0", "n1", "n2", "n3"};
  for (std::size_t i = 0; i < 4; ++i) t.add(numbers[i], Type::number, i);
  t.add("s0", Type::string, 4);
  t.add("s1", Type::string, 5);
  t.add("b0", Type::boolean, 6);
  t.add("b1", Type::boolean, 7);
  return t;
}

/// A flag rule "R<index>"; the id is appended rather than concatenated, which sidesteps
/// GCC 12's false -Wrestrict warning on `"R" + std::to_string(i)`.
riskkit::Rule make_rule(std::size_t index, const std::string &when, const SymbolTable &symbols, bool enabled = true) {
  std::string id = "R";
  id += std::to_string(index);
  return {std::move(id), Expression::compile(when, symbols), riskkit::Action::flag, {}, 0, {}, riskkit::RuleMode::active,
          enabled, {}};
}

/// The parts appended in order (appending sidesteps the same GCC 12 warning).
std::string join(std::initializer_list<std::string_view> parts) {
  std::string text;
  for (const std::string_view part : parts) text += part;
  return text;
}

class Shapes {
 public:
  explicit Shapes(std::uint64_t seed) : rng_(seed) {}

  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

  /// One of prefix0 .. prefix<count-1> (appended, for the reason given at make_rule).
  std::string name(const char *prefix, int count) {
    std::string text(prefix);
    text += std::to_string(pick(count));
    return text;
  }

  std::string number_test() {
    static const char *ops[] = {"==", "!=", "<", "<=", ">", ">="};
    static const char *constants[] = {"0", "1", "2.5", "-1", "3", "log(-1)"};  // log(-1) folds to missing
    return name("n", 4) + " " + ops[pick(6)] + " " + constants[pick(6)];
  }

  std::string string_test() {
    const std::string s = name("s", 2);
    switch (pick(4)) {
      case 0: return s + " == \"a\"";
      case 1: return s + " != \"b\"";
      case 2: return s + " in [\"a\", \"c\"]";
      default: return s + " not in [\"a\"]";
    }
  }

  std::string atom() {
    switch (pick(8)) {
      case 0:
      case 1:
      case 2: return number_test();
      case 7: return name("n", 4) + " + " + name("n", 4) + " >= 2";  // a computed number against a constant
      case 3: return string_test();
      case 4: return name("not b", 2);
      case 5: return name("b", 2);
      default: return name("n", 4) + " / " + name("n", 4) + " > 1";
    }
  }

  /// The shapes of real rules: one test, `and` / `or` chains, negations, if().
  std::string rule(int depth = 2) {
    if (depth == 0) return atom();
    switch (pick(6)) {
      case 0: return atom();
      // Braced lists evaluate left to right, so a seed always gives the same rules.
      case 1: return join({rule(depth - 1), " and ", rule(depth - 1)});
      case 2: return join({"(", rule(depth - 1), ") or (", rule(depth - 1), ")"});
      case 3: return join({"not (", rule(depth - 1), ")"});
      case 4: return join({"if(", rule(depth - 1), ", ", rule(depth - 1), ", ", rule(depth - 1), ")"});
      default: return join({atom(), " and ", atom(), " and ", atom()});
    }
  }

  std::vector<Value> record() {
    std::vector<Value> slots(8);
    static const double numbers[] = {0, 1, 2.5, -1, 3, 7};
    static const char *strings[] = {"a", "b", "c"};
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const int what = pick(8);
      if (what == 0) continue;                                          // missing
      if (what == 1) slots[i] = Value::string("wrong type");           // ignored by numbers and bools
      else if (what == 2) slots[i] = Value::number(1);                  // ignored by strings and bools
      else if (i < 4) slots[i] = Value::number(numbers[pick(6)]);
      else if (i < 6) slots[i] = Value::string(strings[pick(3)]);
      else slots[i] = Value::boolean(pick(2) == 0);
    }
    slots.resize(static_cast<std::size_t>(pick(4) == 0 ? pick(9) : 8));  // sometimes short
    return slots;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("a linked RuleSet fires and reports divisions exactly as its rules one by one") {
  const SymbolTable symbols = table();
  Shapes shapes(42);
  int fired = 0, divided_total = 0;
  for (int set = 0; set < 400; ++set) {
    std::vector<riskkit::Rule> rules;
    const int count = 1 + shapes.pick(20);
    for (int i = 0; i < count; ++i) {
      const std::string when = shapes.rule();
      rules.push_back(make_rule(static_cast<std::size_t>(i), when, symbols, shapes.pick(10) != 0));
    }
    const riskkit::RuleSet rule_set(rules);
    std::string sources;
    for (const auto &rule : rules) sources += rule.when.source() + "\n";
    for (int r = 0; r < 10; ++r) {
      const std::vector<Value> slots = shapes.record();
      std::vector<std::size_t> want_hits, want_divided;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        if (!rules[i].enabled) continue;
        riskkit::rules::EvalFlags flags;
        if (rules[i].when.test(slots, flags)) want_hits.push_back(i);
        if (flags.division_by_zero) want_divided.push_back(i);
      }
      std::vector<std::size_t> hits{7}, divided;  // evaluate() appends
      rule_set.evaluate(slots, hits, &divided);
      want_hits.insert(want_hits.begin(), 7);
      INFO("set " << set << ", record " << r << ", rules:\n" << sources);
      REQUIRE(hits == want_hits);
      REQUIRE(divided == want_divided);
      std::vector<std::size_t> without_divisions;
      rule_set.evaluate(slots, without_divisions);
      REQUIRE(without_divisions.size() + 1 == hits.size());
      fired += static_cast<int>(hits.size()) - 1;
      divided_total += static_cast<int>(divided.size());
    }
  }
  CHECK(fired > 1000);  // the shapes both fire and fail: the comparison means something
  CHECK(divided_total > 100);
}

TEST_CASE("fused shapes: hand-computed hits") {
  const SymbolTable symbols = table();
  const std::vector<Value> slots{Value::number(3), Value::number(0), Value(),          Value::string("x"),
                                 Value::string("a"), Value(),        Value::boolean(false), Value()};
  const char *sources[] = {
      "n0 > 2",                      // 0 fires
      "n2 != 1",                     // 1 missing: != is false too
      "n0 >= 3 and n1 == 0",         // 2 fires
      "n0 > 3 and n1 == 0",          // 3 first test fails
      "n0 > 2 and n1 == 0 and not b0",  // 4 fires (b0 is false)
      "not b1",                      // 5 fires (missing bool counts as false)
      "s0 == \"a\"",                 // 6 fires
      "s1 != \"a\"",                 // 7 missing: false
      "s0 in [\"a\", \"b\"] and n0 < 5",  // 8 fires
      "s1 not in [\"a\"]",           // 9 missing: false
      "n0 / n1 > 1 and n0 > 2",      // 10 divides by zero, does not fire
      "n0 > 2 or n0 / n1 > 1",       // 11 fires without dividing
      "if(n0 > 2, n1 == 0, n2 == 0)",  // 12 fires
      "n0 == log(-1)",               // 13 a folded missing constant: false
  };
  std::vector<riskkit::Rule> rules;
  for (const char *source : sources) rules.push_back(make_rule(rules.size(), source, symbols));
  const riskkit::RuleSet rule_set(std::move(rules));
  std::vector<std::size_t> hits, divided;
  rule_set.evaluate(slots, hits, &divided);
  CHECK(hits == std::vector<std::size_t>{0, 2, 4, 5, 6, 8, 11, 12});
  CHECK(divided == std::vector<std::size_t>{10});
}

TEST_CASE("an empty or all-disabled RuleSet fires nothing") {
  std::vector<std::size_t> hits;
  riskkit::RuleSet().evaluate(std::vector<Value>{}, hits);
  riskkit::RuleSet({make_rule(0, "n0 > 1", table(), false)}).evaluate(std::vector<Value>{Value::number(5)}, hits);
  CHECK(hits.empty());
}
