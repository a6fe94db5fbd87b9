#pragma once
/// \file
/// Decision tables: rows of conditions on input columns, each with output values, as a
/// policy uses them for grade → limit / price mappings (docs/bundle-format.md, `tables`).
///
/// A table is indexed when built: every column maps an input value to the set of rows
/// whose condition it meets (a bitset per interval between the column's range bounds,
/// or per distinct string), so a lookup intersects one bitset per column instead of
/// checking every row — a 3,000-row table costs a few binary searches and ~50 word ANDs
/// per column.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"

namespace riskkit {

/// Which matching rows a lookup returns.
enum class HitPolicy : std::uint8_t {
  first = 0,    ///< the first matching row, in row order
  collect = 1,  ///< every matching row, in row order
};

/// "first", "collect"; parse_hit_policy returns false for anything else.
RK_API const char *to_string(HitPolicy policy) noexcept;
RK_API bool parse_hit_policy(std::string_view text, HitPolicy &out) noexcept;

/// A condition in one cell. A missing input (or one of the wrong type) meets only `any`.
struct CellCondition {
  enum class Kind : std::uint8_t {
    any,       ///< "-": every value, missing included
    interval,  ///< numbers: lo (<, <=) x (<, <=) hi; an infinite bound is no bound (`>= 3` includes +inf)
    one_of,    ///< strings: x is one of `strings`
  };
  Kind kind = Kind::any;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_closed = false;  ///< lo <= x (else lo < x)
  bool hi_closed = false;  ///< x <= hi (else x < hi)
  std::vector<std::string> strings;

  static CellCondition any() { return {}; }
  /// x == v, i.e. [v, v].
  static CellCondition equals(double v) { return {Kind::interval, v, v, true, true, {}}; }
  static CellCondition between(double lo, bool lo_closed, double hi, bool hi_closed) {
    return {Kind::interval, lo, hi, lo_closed, hi_closed, {}};
  }
  static CellCondition one_of(std::vector<std::string> values) {
    return {Kind::one_of, 0, 0, false, false, std::move(values)};
  }
  /// True when `x` (a number, or NaN for missing) meets the condition.
  bool matches(double x) const noexcept;
  /// True when `s` meets the condition.
  bool matches(std::string_view s) const noexcept;
};

/// Parses a number column's cell text. Forms: `-` (any); `< x`, `<= x`, `> x`, `>= x`,
/// `== x` or a bare number `x`; intervals `[a, b]`, `[a, b)`, `(a, b]`, `(a, b)`.
/// Throws Error(parse) describing the problem (the caller adds where the cell is).
RK_API CellCondition parse_number_condition(std::string_view text);

/// One input column: its name and whether it holds strings (else numbers).
struct TableColumn {
  std::string name;
  bool is_string = false;
};

/// An immutable, indexed decision table; match() is thread-safe.
///
///     DecisionTable t(HitPolicy::first, {{"grade", true}, {"income", false}}, {"limit"},
///                     {{CellCondition::one_of({"A"}), parse_number_condition(">= 8000")}},
///                     {{Value::number(50000)}});
///     std::vector<std::size_t> rows;
///     t.match(std::vector<Value>{Value::string("A"), Value::number(9000)}, rows);  // rows == {0}
class RK_API DecisionTable {
 public:
  DecisionTable() = default;
  /// `conditions[r][c]` is row r's condition on input c; `outputs[r][o]` row r's value of
  /// output o. Throws Error(invalid_argument) when a row's width is wrong, a condition's
  /// kind does not suit its column (intervals on numbers, one_of on strings), an
  /// interval bound is NaN, or an output name repeats.
  DecisionTable(HitPolicy hit, std::vector<TableColumn> inputs, std::vector<std::string> output_names,
                std::vector<std::vector<CellCondition>> conditions, std::vector<std::vector<Value>> outputs);

  HitPolicy hit_policy() const noexcept { return hit_; }
  const std::vector<TableColumn> &inputs() const noexcept { return inputs_; }
  const std::vector<std::string> &output_names() const noexcept { return output_names_; }
  std::size_t num_rows() const noexcept { return conditions_.size(); }
  /// Row r's condition on input c, and its value of output o.
  const CellCondition &condition(std::size_t r, std::size_t c) const { return conditions_[r][c]; }
  const Value &output(std::size_t r, std::size_t o) const { return outputs_[r][o]; }

  /// Appends the matching rows (at most one for `first`) to `rows`, in row order. `inputs`
  /// holds one value per input column; a missing value, or one of the wrong type, meets
  /// only `-` cells. Does not allocate once `rows` has capacity.
  void match(std::span<const Value> inputs, std::vector<std::size_t> &rows) const;

  /// The same result as match() by checking every row in turn: the reference the index
  /// is measured against (benchmarks/bench_rules.cpp).
  void match_by_scan(std::span<const Value> inputs, std::vector<std::size_t> &rows) const;

 private:
  struct NumberIndex;
  struct StringIndex;
  struct Index;
  HitPolicy hit_ = HitPolicy::first;
  std::vector<TableColumn> inputs_;
  std::vector<std::string> output_names_;
  std::vector<std::vector<CellCondition>> conditions_;
  std::vector<std::vector<Value>> outputs_;
  std::shared_ptr<const Index> index_;
};

}  // namespace riskkit
