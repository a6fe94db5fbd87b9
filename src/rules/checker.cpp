#include "rules/checker.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "rules/builtins.hpp"
#include "rules/suggest.hpp"

namespace riskkit::rules {
namespace {

[[noreturn]] void type_error(SourcePos at, std::string_view message) { fail(ErrorCode::invalid_bundle, at, message); }

bool is_arithmetic(Operator op) {
  return op == Operator::add || op == Operator::subtract || op == Operator::multiply || op == Operator::divide ||
         op == Operator::modulo;
}

bool is_ordering(Operator op) {
  return op == Operator::lt || op == Operator::le || op == Operator::gt || op == Operator::ge;
}

class Checker {
 public:
  explicit Checker(const SymbolTable &symbols) : symbols_(symbols) {}

  std::vector<std::string> run(Node &root) {
    visit(root);
    settle(root, Type::boolean);  // a bare `null` is a missing bool: a rule that never fires
    return std::move(names_);
  }

 private:
  void visit(Node &node) {
    for (auto &child : node.children) visit(*child);
    switch (node.kind) {
      case NodeKind::literal:  // typed by the parser, except `null`, typed by its context
        if (node.is_null) untyped_.insert(&node);
        return;
      case NodeKind::name: return resolve_name(node);
      case NodeKind::unary: return check_unary(node);
      case NodeKind::binary: return check_binary(node);
      case NodeKind::membership: return check_membership(node);
      case NodeKind::between: return check_between(node);
      case NodeKind::call: return check_call(node);
    }
  }

  /// True for `null` and for calls whose type follows arguments that are all `null`
  /// (`if(c, null, null)`, `coalesce(null, null)`): their type comes from the context.
  bool untyped(const Node &node) const { return untyped_.count(&node) != 0; }

  /// Gives an untyped node (and the untyped arguments it takes its type from) `type`.
  void settle(Node &node, Type type) {
    if (!untyped(node)) return;
    untyped_.erase(&node);
    node.type = type;
    if (node.kind != NodeKind::call) return;
    for (std::size_t i = 0; i < node.children.size(); ++i)
      if (node.builtin->arg(i) == ArgKind::same) settle(*node.children[i], type);
  }

  /// Settles `node` to `wanted` if untyped; then its type must be `wanted`.
  bool settle_as(Node &node, Type wanted) {
    settle(node, wanted);
    return node.type == wanted;
  }

  [[noreturn]] void null_test(const Node &node) {
    type_error(node.op_pos, fmt::format("'{}' with null is always false (a test with a missing value is false); "
                                        "use is_missing(...) to test for a missing value",
                                        node.kind == NodeKind::membership ? "in"
                                        : node.kind == NodeKind::between ? "between"
                                                                         : spelling(node.op)));
  }

  void resolve_name(Node &node) {
    const Symbol *symbol = symbols_.find(node.name);
    if (symbol == nullptr) {
      if (find_builtin(node.name) != nullptr) {
        type_error(node.op_pos, fmt::format("'{}' is a function: call it as {}(...)", node.name, node.name));
      }
      std::vector<std::string_view> known;
      for (const auto &s : symbols_.symbols()) known.push_back(s.name);
      type_error(node.op_pos, fmt::format("unknown name '{}'{}", node.name, did_you_mean(node.name, known)));
    }
    node.type = symbol->type;
    node.slot = symbol->slot;
    if (std::find(names_.begin(), names_.end(), node.name) == names_.end()) names_.push_back(node.name);
  }

  void check_unary(Node &node) {
    const Type wanted = node.op == Operator::negate ? Type::number : Type::boolean;
    settle(*node.children[0], wanted);
    const Type operand = node.children[0]->type;
    if (operand != wanted) {
      type_error(node.op_pos, fmt::format("'{}' needs a {} operand, got {}", spelling(node.op), to_string(wanted),
                                          to_string(operand)));
    }
    node.type = wanted;
  }

  void check_binary(Node &node) {
    if (node.op == Operator::logical_and || node.op == Operator::logical_or) {
      for (const auto &child : node.children) {
        if (!settle_as(*child, Type::boolean)) {
          type_error(child->span.begin, fmt::format("operand of '{}' must be bool, got {}", spelling(node.op),
                                                    to_string(child->type)));
        }
      }
      node.type = Type::boolean;
      return;
    }
    if (is_arithmetic(node.op)) {
      settle(*node.children[0], Type::number);
      settle(*node.children[1], Type::number);
    } else if (untyped(*node.children[0]) || untyped(*node.children[1])) {
      null_test(node);
    }
    const Type left = node.children[0]->type;
    const Type right = node.children[1]->type;
    if (is_arithmetic(node.op)) {
      if (left != Type::number || right != Type::number) {
        type_error(node.op_pos, fmt::format("cannot apply '{}' to {} and {} (arithmetic needs numbers)",
                                            spelling(node.op), to_string(left), to_string(right)));
      }
      node.type = Type::number;
      return;
    }
    if (left != right) {
      type_error(node.op_pos, fmt::format("cannot compare {} with {} using '{}'", to_string(left), to_string(right),
                                          spelling(node.op)));
    }
    if (left == Type::boolean && is_ordering(node.op)) {
      type_error(node.op_pos, fmt::format("cannot order bools with '{}' (bools support only == and !=)",
                                          spelling(node.op)));
    }
    node.type = Type::boolean;
  }

  void check_membership(Node &node) {
    if (untyped(*node.children[0])) null_test(node);
    const Type operand = node.children[0]->type;
    if (operand == Type::timestamp) type_error(node.op_pos, "'in' does not apply to timestamps (they have no literals)");
    for (std::size_t i = 1; i < node.children.size(); ++i) {
      const Node &element = *node.children[i];
      if (element.type != operand) {
        type_error(element.span.begin, fmt::format("list element is {} but the value tested is {}",
                                                   to_string(element.type), to_string(operand)));
      }
    }
    node.type = Type::boolean;
  }

  void check_between(Node &node) {
    for (const auto &child : node.children)
      if (untyped(*child)) null_test(node);
    const Type operand = node.children[0]->type;
    if (operand == Type::boolean) type_error(node.op_pos, "'between' needs numbers, strings or timestamps, got bool");
    for (std::size_t i = 1; i < 3; ++i) {
      const Node &bound = *node.children[i];
      if (bound.type != operand) {
        type_error(bound.span.begin, fmt::format("bound of 'between' is {} but the value tested is {}",
                                                 to_string(bound.type), to_string(operand)));
      }
    }
    node.type = Type::boolean;
  }

  /// The type T shared by a call's `same` arguments: the first typed one's. Untyped ones
  /// take it; nullopt when every `same` argument is untyped.
  std::optional<Type> unify_same(Node &node, const Builtin &fn) {
    std::optional<Type> shared;
    std::size_t first = 0;
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (fn.arg(i) != ArgKind::same || untyped(*node.children[i])) continue;
      if (!shared) {
        shared = node.children[i]->type;
        first = i;
      } else if (node.children[i]->type != *shared) {
        type_error(node.children[i]->span.begin,
                   fmt::format("argument {} of {}() must be {} like argument {}, got {}", i + 1, fn.name,
                               to_string(*shared), first + 1, to_string(node.children[i]->type)));
      }
    }
    if (shared)
      for (std::size_t i = 0; i < node.children.size(); ++i)
        if (fn.arg(i) == ArgKind::same) settle(*node.children[i], *shared);
    return shared;
  }

  static std::optional<Type> concrete(ArgKind kind) {
    switch (kind) {
      case ArgKind::number: return Type::number;
      case ArgKind::string: return Type::string;
      case ArgKind::boolean: return Type::boolean;
      case ArgKind::timestamp: return Type::timestamp;
      default: return std::nullopt;
    }
  }

  void check_call(Node &node) {
    const Builtin *fn = find_builtin(node.name);
    if (fn == nullptr) {
      std::vector<std::string_view> known;
      for (const auto &b : builtins()) known.push_back(b.name);
      type_error(node.op_pos, fmt::format("unknown function '{}'{}", node.name, did_you_mean(node.name, known)));
    }
    const std::size_t n = node.children.size();
    if (n < fn->min_args || n > fn->max_args) {
      const std::string expected = fn->max_args == kVariadic        ? fmt::format("at least {}", fn->min_args)
                                   : fn->min_args == fn->max_args ? fmt::format("{}", fn->min_args)
                                                                  : fmt::format("{} to {}", fn->min_args, fn->max_args);
      type_error(node.op_pos, fmt::format("{}() takes {} argument{}, got {}", fn->name, expected,
                                          fn->max_args == 1 ? "" : "s", n));
    }
    for (std::size_t i = 0; i < n; ++i) {
      Node &arg = *node.children[i];
      const ArgKind kind = fn->arg(i);
      if (kind == ArgKind::any) settle(arg, Type::boolean);  // is_missing(null) is simply true
      const std::optional<Type> wanted = concrete(kind);
      if (wanted && !settle_as(arg, *wanted)) {
        type_error(arg.span.begin, fmt::format("argument {} of {}() must be {}, got {}", i + 1, fn->name,
                                               to_string(*wanted), to_string(arg.type)));
      }
    }
    node.builtin = fn;
    if (fn->lowering == Lowering::list_lookup) resolve_list(node);
    const std::optional<Type> shared = unify_same(node, *fn);
    if (fn->result != ArgKind::same) {
      node.type = *concrete(fn->result);
    } else if (shared) {
      node.type = *shared;
    } else {
      untyped_.insert(&node);  // if(c, null, null): typed by the context, like null
    }
  }

  /// in_list("name", x): the name must be a string literal naming one of the bundle's lists.
  void resolve_list(Node &node) {
    const Node &name = *node.children[0];
    if (name.kind != NodeKind::literal || name.value.type() != ValueType::string) {
      type_error(name.span.begin, fmt::format("the first argument of {}() must be a list name in quotes", node.name));
    }
    const NamedList *list = symbols_.find_list(name.value.as_string());
    if (list == nullptr) {
      std::vector<std::string_view> known;
      for (const auto &l : symbols_.lists()) known.push_back(l.name);
      type_error(name.span.begin, fmt::format("unknown list '{}'{}", name.value.as_string(),
                                              known.empty() ? std::string(" (the bundle has no lists)")
                                                            : did_you_mean(name.value.as_string(), known)));
    }
    node.list = list->entries;
  }

  const SymbolTable &symbols_;
  std::vector<std::string> names_;
  std::unordered_set<const Node *> untyped_;
};

}  // namespace

std::vector<std::string> check(Node &root, const SymbolTable &symbols) { return Checker(symbols).run(root); }

}  // namespace riskkit::rules
