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

namespace riskkit::rules {

/// The static type of a name or an expression.
enum class Type : std::uint8_t { number = 1, string = 2, boolean = 3, timestamp = 4 };

/// One name an expression may read: `slot` indexes the span passed to evaluate().
struct Symbol {
  std::string name;
  Type type = Type::number;
  std::size_t slot = 0;
};

/// The names visible to an expression. Names are unique.
class RK_API SymbolTable {
 public:
  /// Adds a name; throws Error(invalid_bundle) if it already exists.
  void add(std::string name, Type type, std::size_t slot);
  const Symbol *find(std::string_view name) const noexcept;
  const std::vector<Symbol> &symbols() const noexcept { return symbols_; }

 private:
  std::vector<Symbol> symbols_;
};

/// Limits applied when compiling; exceeding one is Error(limit_exceeded) with line:column.
struct Limits {
  std::size_t max_length = 16 * 1024;  ///< characters of source
  std::size_t max_depth = 64;          ///< nesting of parentheses / operators
  std::size_t max_nodes = 4096;        ///< AST nodes (bounds bytecode size and evaluation steps)
};

class Program;  // detail: the bytecode

/// A compiled expression.
///
///     SymbolTable syms; syms.add("income", Type::number, 0);
///     auto e = Expression::compile("income > 3000 and not is_missing(income)", syms);
///     Value v = e.evaluate(slots);   // slots[0] holds income
class RK_API Expression {
 public:
  /// Compiles `source`. Throws Error(parse) for syntax errors and Error(invalid_bundle)
  /// for unknown names or type errors, each message starting with "line:column: ".
  static Expression compile(std::string_view source, const SymbolTable &symbols, const Limits &limits = {});

  /// The static result type.
  Type type() const noexcept;
  /// Evaluates over `slots` (indexed by Symbol::slot). Arithmetic on missing gives
  /// missing; comparisons with missing give false; x / 0 gives missing.
  Value evaluate(std::span<const Value> slots) const noexcept;
  /// As evaluate() for boolean expressions: true only when the result is true.
  bool test(std::span<const Value> slots) const noexcept;
  /// The names this expression reads (each once, in order of first use).
  const std::vector<std::string> &names() const noexcept;
  const std::string &source() const noexcept;

 private:
  explicit Expression(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

RK_API const char *to_string(Type type) noexcept;

}  // namespace riskkit::rules
