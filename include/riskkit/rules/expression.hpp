#pragma once
/// \file
/// The expression language used by rules (`when`) and expression features (`expr`).
/// Grammar and semantics: docs/rule-language.md.
///
/// Pipeline: lexer → recursive-descent parser → AST with source spans → type checker
/// against a SymbolTable → constant folding → flat bytecode. A compiled Expression is
/// immutable and may be evaluated from many threads at once; evaluation never throws
/// and never allocates for number/bool results.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"
#include "riskkit/rules/string_list.hpp"

namespace riskkit::rules {

/// The static type of a name or an expression.
enum class Type : std::uint8_t { number = 1, string = 2, boolean = 3, timestamp = 4 };

/// One name an expression may read: `slot` indexes the span passed to evaluate().
struct Symbol {
  std::string name;
  Type type = Type::number;
  std::size_t slot = 0;
};

/// A list that `in_list("name", x)` can test (a bundle's block/allow list).
struct NamedList {
  std::string name;
  std::shared_ptr<const StringList> entries;
};

/// The names visible to an expression, and the lists it may test. Names are unique;
/// list names are a namespace of their own (they appear only as in_list's first argument).
class RK_API SymbolTable {
 public:
  /// Adds a name; throws Error(invalid_bundle) if it already exists.
  void add(std::string name, Type type, std::size_t slot);
  const Symbol *find(std::string_view name) const noexcept;
  const std::vector<Symbol> &symbols() const noexcept { return symbols_; }
  /// Adds a list; throws Error(invalid_bundle) if a list of that name exists.
  void add_list(std::string name, std::shared_ptr<const StringList> entries);
  const NamedList *find_list(std::string_view name) const noexcept;
  const std::vector<NamedList> &lists() const noexcept { return lists_; }

 private:
  std::vector<Symbol> symbols_;
  std::vector<NamedList> lists_;
};

/// Limits applied when compiling; exceeding one is Error(limit_exceeded) with line:column.
struct Limits {
  std::size_t max_length = 16 * 1024;  ///< characters of source
  std::size_t max_depth = 64;          ///< nesting of parentheses / operators
  std::size_t max_nodes = 4096;        ///< AST nodes (bounds bytecode size and evaluation steps)
  /// Evaluation steps (VM instructions) one evaluation may take. The language has no
  /// loops and every jump goes forward, so no evaluation runs more instructions than
  /// the program has: the compiler rejects a program longer than this, and evaluation
  /// is then bounded without counting anything at run time.
  std::size_t max_steps = 16 * 1024;
};

/// What an evaluation noticed besides its value. Flags are only ever set, so one
/// EvalFlags can collect over several evaluations; reset it yourself.
struct EvalFlags {
  /// A `/` or `%` had a zero divisor (its result was missing). Division by a constant
  /// zero is flagged too: such subexpressions are never constant-folded away.
  bool division_by_zero = false;
};

class Program;  // detail: the bytecode

/// A compiled expression.
///
///     SymbolTable syms; syms.add("income", Type::number, 0);
///     auto e = Expression::compile("income > 3000 and not is_missing(income)", syms);
///     Value v = e.evaluate(slots);   // slots[0] holds income
class RK_API Expression {
 public:
  /// Compiles `source`. Throws Error(parse) for syntax errors, Error(invalid_bundle)
  /// for unknown names or type errors and Error(limit_exceeded) for a limit; each
  /// message starts with "line:column: " and ends with two lines showing the source
  /// line and a caret under the column:
  ///
  ///     1:11: unknown name 'incme' (did you mean 'income'?)
  ///      | x > 1 and incme > 3
  ///      |           ^
  static Expression compile(std::string_view source, const SymbolTable &symbols, const Limits &limits = {});

  /// The static result type.
  Type type() const noexcept;
  /// Evaluates over `slots` (indexed by Symbol::slot). Arithmetic on missing gives
  /// missing; comparisons with missing give false; x / 0 gives missing.
  Value evaluate(std::span<const Value> slots) const noexcept;
  /// As evaluate() for boolean expressions: true only when the result is true.
  bool test(std::span<const Value> slots) const noexcept;
  /// evaluate() that also reports what it noticed (division by zero) into `flags`.
  Value evaluate(std::span<const Value> slots, EvalFlags &flags) const noexcept;
  /// test() that also reports what it noticed into `flags`.
  bool test(std::span<const Value> slots, EvalFlags &flags) const noexcept;
  /// Bytecode instructions: the most steps one evaluation can take (see Limits::max_steps).
  std::size_t max_steps() const noexcept;
  /// The names this expression reads (each once, in order of first use).
  const std::vector<std::string> &names() const noexcept;
  const std::string &source() const noexcept;

 private:
  explicit Expression(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  friend const Program &program_of(const Expression &expression) noexcept;
  std::shared_ptr<const Program> program_;
};

/// Detail: the bytecode of `expression`, for linking a RuleSet into one program.
const Program &program_of(const Expression &expression) noexcept;

RK_API const char *to_string(Type type) noexcept;

}  // namespace riskkit::rules
