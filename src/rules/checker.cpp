#include "rules/checker.hpp"

#include <algorithm>
#include <string_view>

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
    return std::move(names_);
  }

 private:
  void visit(Node &node) {
    for (auto &child : node.children) visit(*child);
    switch (node.kind) {
      case NodeKind::literal: return;  // typed by the parser
      case NodeKind::name: return resolve_name(node);
      case NodeKind::unary: return check_unary(node);
      case NodeKind::binary: return check_binary(node);
      case NodeKind::membership: return check_membership(node);
      case NodeKind::call: return check_call(node);
    }
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
    const Type operand = node.children[0]->type;
    const Type wanted = node.op == Operator::negate ? Type::number : Type::boolean;
    if (operand != wanted) {
      type_error(node.op_pos, fmt::format("'{}' needs a {} operand, got {}", spelling(node.op), to_string(wanted),
                                          to_string(operand)));
    }
    node.type = wanted;
  }

  void check_binary(Node &node) {
    const Type left = node.children[0]->type;
    const Type right = node.children[1]->type;
    if (node.op == Operator::logical_and || node.op == Operator::logical_or) {
      for (const auto &child : node.children) {
        if (child->type != Type::boolean) {
          type_error(child->span.begin, fmt::format("operand of '{}' must be bool, got {}", spelling(node.op),
                                                    to_string(child->type)));
        }
      }
      node.type = Type::boolean;
      return;
    }
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
    if (fn->param) {
      for (std::size_t i = 0; i < n; ++i) {
        const Node &arg = *node.children[i];
        if (arg.type != *fn->param) {
          type_error(arg.span.begin, fmt::format("argument {} of {}() must be {}, got {}", i + 1, fn->name,
                                                 to_string(*fn->param), to_string(arg.type)));
        }
      }
    }
    node.builtin = fn;
    node.type = fn->result;
  }

  const SymbolTable &symbols_;
  std::vector<std::string> names_;
};

}  // namespace

std::vector<std::string> check(Node &root, const SymbolTable &symbols) { return Checker(symbols).run(root); }

}  // namespace riskkit::rules
