#pragma once
/// \file
/// The expression syntax tree. The parser builds it, the checker annotates it (types,
/// slots, functions) and the compiler folds and lowers it to bytecode.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/rules/expression.hpp"
#include "rules/diagnostic.hpp"

namespace riskkit::rules {

struct Builtin;

enum class NodeKind : std::uint8_t {
  literal,     ///< `value` (number, string, bool; missing only after folding)
  name,        ///< `name`, resolved to `slot`
  unary,       ///< `op` applied to children[0]
  binary,      ///< children[0] `op` children[1]
  membership,  ///< children[0] [not] in children[1..] (all literals)
  between,     ///< children[0] [not] between children[1] and children[2] (inclusive)
  call,        ///< `name`(children...), resolved to `builtin`
};

/// Unary and binary operators, as written.
enum class Operator : std::uint8_t {
  negate, logical_not,                 // unary
  logical_or, logical_and,             // boolean
  eq, ne, lt, le, gt, ge,              // comparison
  add, subtract, multiply, divide, modulo,  // arithmetic
};

/// The operator as written in source, e.g. "<=" or "and".
const char *spelling(Operator op) noexcept;

struct Node {
  NodeKind kind = NodeKind::literal;
  Operator op = Operator::negate;  ///< unary and binary nodes
  bool negated = false;            ///< membership: `not in`; between: `not between`
  bool is_null = false;            ///< literal `null`: missing, typed by its context
  SourceSpan span;                 ///< the whole node
  SourcePos op_pos;                ///< the operator or function-name token
  std::size_t height = 1;          ///< 1 for a leaf; bounded by Limits::max_depth
  Value value;                     ///< literal
  std::string name;                ///< name or function
  std::vector<std::unique_ptr<Node>> children;

  // Set by the checker (literals get their type from the parser).
  Type type = Type::number;
  std::size_t slot = 0;              ///< name
  const Builtin *builtin = nullptr;  ///< call
  std::shared_ptr<const StringList> list;  ///< in_list(): the list its first argument names
};

using NodePtr = std::unique_ptr<Node>;

}  // namespace riskkit::rules
