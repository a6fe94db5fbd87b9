// Tests of decision tables: cell parsing, hit policies, missing values, and a brute-force
// oracle — random tables whose conditions are kept here in a plain form, checked row by
// row by the test's own code, against the indexed lookup.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/policy/decision_table.hpp"

using riskkit::CellCondition;
using riskkit::DecisionTable;
using riskkit::Error;
using riskkit::HitPolicy;
using riskkit::parse_number_condition;
using riskkit::TableColumn;
using riskkit::Value;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::size_t> lookup(const DecisionTable &t, std::vector<Value> inputs) {
  std::vector<std::size_t> rows;
  t.match(inputs, rows);
  return rows;
}

/// Grade → limit, the shape a policy uses.
DecisionTable offer_table(HitPolicy hit) {
  const auto any = CellCondition::any();
  return DecisionTable(hit, {{"grade", true}, {"income", false}}, {"limit", "apr"},
                       {{CellCondition::one_of({"A"}), parse_number_condition(">= 8000")},
                        {CellCondition::one_of({"A", "B"}), parse_number_condition("[3000, 8000)")},
                        {CellCondition::one_of({"C"}), any},
                        {any, any}},
                       {{Value::number(50000), Value::number(0.12)},
                        {Value::number(20000), Value::number(0.15)},
                        {Value::number(5000), Value::string("manual")},
                        {Value::number(0), Value()}});
}

}  // namespace

TEST_CASE("number cells") {
  const CellCondition ge = parse_number_condition(">= 3");
  CHECK(ge.matches(3.0));
  CHECK(ge.matches(kInf));
  CHECK_FALSE(ge.matches(2.999));
  CHECK_FALSE(ge.matches(std::nan("")));
  const CellCondition half_open = parse_number_condition(" [1, 5) ");
  CHECK(half_open.matches(1.0));
  CHECK_FALSE(half_open.matches(5.0));
  const CellCondition open = parse_number_condition("(1,5]");
  CHECK_FALSE(open.matches(1.0));
  CHECK(open.matches(5.0));
  CHECK(parse_number_condition("-2.5").matches(-2.5));
  CHECK(parse_number_condition("== 7").matches(7.0));
  CHECK(parse_number_condition("< 0").matches(-1.0));
  CHECK_FALSE(parse_number_condition("< 0").matches(0.0));
  CHECK(parse_number_condition("<= 0").matches(0.0));
  CHECK(parse_number_condition("> 0").matches(1e-300));
  CHECK(parse_number_condition("-").matches(std::nan("")));
  CHECK_THROWS_WITH_AS(parse_number_condition("[5, 1]"),
                       "cannot read condition '[5, 1]': the lower bound is above the upper bound", Error);
  CHECK_THROWS_WITH_AS(parse_number_condition("[1; 5]"), "cannot read condition '[1; 5]': expected ',' between the bounds",
                       Error);
  CHECK_THROWS_WITH_AS(parse_number_condition("abc"), "cannot read condition 'abc': expected a (finite) number", Error);
  CHECK_THROWS_AS(parse_number_condition("[-inf, 2]"), Error);
  CHECK_THROWS_WITH_AS(parse_number_condition("3 4"), "cannot read condition '3 4': unexpected '4'", Error);
  CHECK_THROWS_AS(parse_number_condition("[1, 2"), Error);
}

TEST_CASE("first and collect hit policies") {
  const DecisionTable first = offer_table(HitPolicy::first);
  CHECK(lookup(first, {Value::string("A"), Value::number(9000)}) == std::vector<std::size_t>{0});
  CHECK(lookup(first, {Value::string("A"), Value::number(8000)}) == std::vector<std::size_t>{0});
  CHECK(lookup(first, {Value::string("B"), Value::number(7999)}) == std::vector<std::size_t>{1});
  CHECK(lookup(first, {Value::string("B"), Value::number(8000)}) == std::vector<std::size_t>{3});
  CHECK(lookup(first, {Value::string("C"), Value()}) == std::vector<std::size_t>{2});
  CHECK(lookup(first, {Value(), Value::number(9000)}) == std::vector<std::size_t>{3});  // missing meets only "-"
  CHECK(lookup(first, {Value::string("Z"), Value::number(9000)}) == std::vector<std::size_t>{3});
  CHECK(lookup(first, {Value::number(1), Value::string("x")}) == std::vector<std::size_t>{3});  // wrong types
  CHECK(first.output(2, 1) == Value::string("manual"));
  CHECK(first.output(3, 1).is_missing());

  const DecisionTable collect = offer_table(HitPolicy::collect);
  CHECK(lookup(collect, {Value::string("A"), Value::number(9000)}) == std::vector<std::size_t>{0, 3});
  CHECK(lookup(collect, {Value::string("A"), Value::number(5000)}) == std::vector<std::size_t>{1, 3});
}

TEST_CASE("malformed tables are rejected") {
  const auto any = CellCondition::any();
  CHECK_THROWS_AS(DecisionTable(HitPolicy::first, {{"x", false}}, {"y"}, {{any, any}}, {{Value()}}), Error);
  CHECK_THROWS_AS(DecisionTable(HitPolicy::first, {{"x", false}}, {"y"}, {{CellCondition::one_of({"a"})}}, {{Value()}}),
                  Error);
  CHECK_THROWS_AS(DecisionTable(HitPolicy::first, {{"x", true}}, {"y"}, {{CellCondition::equals(1)}}, {{Value()}}),
                  Error);
  CHECK_THROWS_AS(DecisionTable(HitPolicy::first, {{"x", false}}, {"y", "y"}, {{any}}, {{Value(), Value()}}), Error);
  const DecisionTable empty(HitPolicy::collect, {{"x", false}}, {"y"}, {}, {});
  CHECK(lookup(empty, {Value::number(1)}).empty());
}

namespace {

// The oracle's own view of a cell: kind 0 any, 1 interval, 2 one-of.
struct PlainCell {
  int kind = 0;
  double lo = -kInf, hi = kInf;
  bool lo_closed = false, hi_closed = false;
  std::vector<std::string> strings;

  bool meets(const Value &v, bool is_string) const {
    if (kind == 0) return true;
    if (is_string) {
      if (v.type() != riskkit::ValueType::string) return false;
      for (const auto &s : strings)
        if (s == v.as_string()) return true;
      return false;
    }
    if (v.type() != riskkit::ValueType::number) return false;
    const double x = v.as_number();
    const bool above = lo == -kInf || (lo_closed ? x >= lo : x > lo);  // an infinite bound is no bound
    const bool below = hi == kInf || (hi_closed ? x <= hi : x < hi);
    return above && below;
  }
};

}  // namespace

TEST_CASE("brute-force oracle: indexed lookups equal a row-by-row check") {
  std::mt19937_64 rng(4242);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const std::vector<std::string> words{"A", "B", "C", "D", "", "\xc3\xa9"};
  int lookups = 0;
  for (int t = 0; t < 150; ++t) {
    const int ncol = 1 + pick(4);
    const int nrow = pick(3) == 0 ? pick(5) : 1 + pick(300);
    std::vector<TableColumn> columns;
    for (int c = 0; c < ncol; ++c) columns.push_back({"c" + std::to_string(c), pick(3) == 0});
    std::vector<std::vector<PlainCell>> plain(static_cast<std::size_t>(nrow));
    std::vector<std::vector<CellCondition>> cells(static_cast<std::size_t>(nrow));
    std::vector<std::vector<Value>> outputs;
    for (int r = 0; r < nrow; ++r) {
      for (int c = 0; c < ncol; ++c) {
        PlainCell p;
        CellCondition cell;
        if (pick(4) != 0) {
          if (columns[static_cast<std::size_t>(c)].is_string) {
            p.kind = 2;
            for (int k = 0, n = 1 + pick(3); k < n; ++k) p.strings.push_back(words[static_cast<std::size_t>(pick(6))]);
            cell = CellCondition::one_of(p.strings);
          } else {
            // Bounds on a small grid so rows share bounds and pieces; some one-sided.
            p.kind = 1;
            double a = pick(20) - 5, b = pick(20) - 5;
            if (a > b) std::swap(a, b);
            p.lo = pick(5) == 0 ? -kInf : a;
            p.hi = pick(5) == 0 ? kInf : b;
            p.lo_closed = std::isfinite(p.lo) && pick(2) == 0;
            p.hi_closed = std::isfinite(p.hi) && pick(2) == 0;
            cell = CellCondition::between(p.lo, p.lo_closed, p.hi, p.hi_closed);
          }
        }
        plain[static_cast<std::size_t>(r)].push_back(p);
        cells[static_cast<std::size_t>(r)].push_back(cell);
      }
      outputs.push_back({Value::number(r)});
    }
    for (const HitPolicy hit : {HitPolicy::first, HitPolicy::collect}) {
      const DecisionTable table(hit, columns, {"row"}, cells, outputs);
      for (int q = 0; q < 40; ++q) {
        std::vector<Value> in;
        for (int c = 0; c < ncol; ++c) {
          if (pick(6) == 0) in.emplace_back();  // missing
          else if (columns[static_cast<std::size_t>(c)].is_string) in.push_back(Value::string(words[static_cast<std::size_t>(pick(6))]));
          else in.push_back(Value::number(pick(4) == 0 ? (pick(2) ? kInf : -kInf) : (pick(50) - 12) / 2.0));
        }
        std::vector<std::size_t> want;
        for (int r = 0; r < nrow; ++r) {
          bool all = true;
          for (int c = 0; c < ncol; ++c)
            all = all && plain[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)].meets(
                             in[static_cast<std::size_t>(c)], columns[static_cast<std::size_t>(c)].is_string);
          if (all) want.push_back(static_cast<std::size_t>(r));
        }
        if (hit == HitPolicy::first && want.size() > 1) want.erase(want.begin() + 1, want.end());
        std::vector<std::size_t> got, scanned;
        table.match(in, got);
        table.match_by_scan(in, scanned);
        REQUIRE(got == want);
        REQUIRE(scanned == want);
        ++lookups;
      }
    }
  }
  CHECK(lookups == 150 * 2 * 40);
}

TEST_CASE("a 3,000-row table matched near its end") {
  std::vector<std::vector<CellCondition>> cells;
  std::vector<std::vector<Value>> outputs;
  for (int r = 0; r < 3000; ++r) {
    cells.push_back({CellCondition::one_of({fmt::format("G{}", r % 10)}),
                     CellCondition::between(r * 10.0, true, r * 10.0 + 10, false)});
    outputs.push_back({Value::number(r)});
  }
  const DecisionTable table(HitPolicy::first, {{"grade", true}, {"income", false}}, {"row"}, cells, outputs);
  CHECK(lookup(table, {Value::string("G8"), Value::number(29985)}) == std::vector<std::size_t>{2998});
  CHECK(lookup(table, {Value::string("G7"), Value::number(29985)}).empty());
}
