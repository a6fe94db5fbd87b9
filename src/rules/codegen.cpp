#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include <fmt/format.h>

#include "rules/builtins.hpp"
#include "rules/compiler.hpp"

namespace riskkit::rules {
namespace {

/// The typed opcode of a comparison; Op lists each type's comparisons in Operator order.
Op comparison_op(Operator op, Type type) {
  Op first = Op::eq_number;
  switch (type) {
    case Type::number: first = Op::eq_number; break;
    case Type::string: first = Op::eq_string; break;
    case Type::timestamp: first = Op::eq_timestamp; break;
    case Type::boolean: first = Op::eq_bool; break;
  }
  return static_cast<Op>(static_cast<int>(first) + (static_cast<int>(op) - static_cast<int>(Operator::eq)));
}

Op arithmetic_op(Operator op) {
  switch (op) {
    case Operator::add: return Op::add;
    case Operator::subtract: return Op::subtract;
    case Operator::multiply: return Op::multiply;
    case Operator::divide: return Op::divide;
    default: return Op::modulo;
  }
}

Op load_op(Type type) {
  switch (type) {
    case Type::number: return Op::load_number;
    case Type::string: return Op::load_string;
    case Type::boolean: return Op::load_bool;
    case Type::timestamp: return Op::load_timestamp;
  }
  return Op::load_number;
}

template <class T>
void sort_unique(std::vector<T> &values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

class CodeGen {
 public:
  Program run(const Node &root) {
    gen(root);
    emit(Op::ret, 0, 0);
    program_.type = root.type;
    if (program_.max_stack > kMaxStack) {
      fail(ErrorCode::limit_exceeded, root.span.begin,
           fmt::format("expression needs an evaluation stack deeper than {} cells", kMaxStack));
    }
    return std::move(program_);
  }

 private:
  std::uint32_t index(std::size_t i) { return static_cast<std::uint32_t>(i); }

  /// Appends an instruction whose net stack effect is `effect`; returns its index.
  std::size_t emit(Op op, std::size_t arg, int effect, bool negate = false, std::size_t arg2 = 0) {
    program_.code.push_back(Instruction{op, negate, index(arg), index(arg2), 0});
    depth_ = static_cast<std::size_t>(static_cast<long>(depth_) + effect);
    program_.max_stack = std::max(program_.max_stack, depth_);
    return program_.code.size() - 1;
  }

  void gen(const Node &node) {
    switch (node.kind) {
      case NodeKind::literal: return gen_literal(node);
      case NodeKind::name: emit(load_op(node.type), node.slot, +1); return;
      case NodeKind::unary:
        gen(*node.children[0]);
        emit(node.op == Operator::negate ? Op::negate : Op::logical_not, 0, 0);
        return;
      case NodeKind::binary: return gen_binary(node);
      case NodeKind::membership: return gen_membership(node);
      case NodeKind::between: return gen_between(node);
      case NodeKind::call: return gen_call(node);
    }
  }

  void gen_literal(const Node &node) {
    const Value &v = node.value;
    if (v.type() == ValueType::string) {
      program_.strings.push_back(v.as_string());
      emit(Op::push_string, program_.strings.size() - 1, +1);
      return;
    }
    Cell cell{};
    cell.missing = v.is_missing();
    switch (v.type()) {
      case ValueType::number: cell.number = v.as_number(); break;
      case ValueType::boolean: cell.truth = v.as_bool(); break;
      case ValueType::timestamp: cell.micros = v.as_timestamp().micros; break;
      default:
        if (node.type == Type::number) cell.number = std::numeric_limits<double>::quiet_NaN();
        else cell.truth = false;  // keeps the missing-bool invariant; text is never read when missing
        break;
    }
    program_.constants.push_back(cell);
    emit(Op::push_constant, program_.constants.size() - 1, +1);
  }

  /// `name <op> number-literal` as one fused instruction. Returns false when the shape
  /// does not apply.
  bool gen_slot_comparison(const Node &node) {
    const Node &left = *node.children[0];
    const Node &right = *node.children[1];
    if (node.type != Type::boolean || left.kind != NodeKind::name || left.type != Type::number ||
        right.kind != NodeKind::literal || right.type != Type::number || node.op < Operator::eq ||
        node.op > Operator::ge)
      return false;
    gen_literal(right);  // appends the constant; the push itself is dropped below
    program_.code.pop_back();
    depth_ -= 1;
    const std::size_t constant = program_.constants.size() - 1;
    const auto op = static_cast<Op>(static_cast<int>(Op::eq_slot_number) +
                                    (static_cast<int>(node.op) - static_cast<int>(Operator::eq)));
    emit(op, left.slot, +1, false, constant);
    return true;
  }

  void gen_binary(const Node &node) {
    if (gen_slot_comparison(node)) return;
    gen(*node.children[0]);
    if (node.op == Operator::logical_and || node.op == Operator::logical_or) {
      // Short circuit: the jump keeps the decided left operand, otherwise it is popped.
      const Op jump = node.op == Operator::logical_and ? Op::jump_if_false : Op::jump_if_true;
      const std::size_t at = emit(jump, 0, -1);
      gen(*node.children[1]);
      emit(Op::to_bool, 0, 0);
      program_.code[at].arg = index(program_.code.size());
      return;
    }
    gen(*node.children[1]);
    const bool arithmetic = node.type == Type::number;
    emit(arithmetic ? arithmetic_op(node.op) : comparison_op(node.op, node.children[0]->type), 0, -1);
  }

  void gen_membership(const Node &node) {
    const Node &operand = *node.children[0];
    gen(operand);
    const auto elements = std::span(node.children).subspan(1);
    switch (operand.type) {
      case Type::number: {
        std::vector<double> list;
        for (const auto &e : elements) list.push_back(e->value.as_number());
        sort_unique(list);
        program_.number_lists.push_back(std::move(list));
        emit(Op::in_number, program_.number_lists.size() - 1, 0, node.negated);
        return;
      }
      case Type::string: {
        std::vector<std::string> list;
        for (const auto &e : elements) list.push_back(e->value.as_string());
        sort_unique(list);
        program_.string_lists.push_back(std::move(list));
        emit(Op::in_string, program_.string_lists.size() - 1, 0, node.negated);
        return;
      }
      default: {  // bool; the checker rejects timestamps
        std::size_t mask = 0;
        for (const auto &e : elements) mask |= e->value.as_bool() ? 2u : 1u;
        emit(Op::in_bool, mask, 0, node.negated);
        return;
      }
    }
  }

  void gen_between(const Node &node) {
    for (const auto &child : node.children) gen(*child);
    Op op = Op::between_number;
    if (node.children[0]->type == Type::string) op = Op::between_string;
    else if (node.children[0]->type == Type::timestamp) op = Op::between_timestamp;
    emit(op, 0, -2, node.negated);
  }

  void gen_call(const Node &node) {
    const Builtin &fn = *node.builtin;
    switch (fn.lowering) {
      case Lowering::fixed: {
        for (const auto &child : node.children) gen(*child);
        // String results get their own temporary, so no result overwrites another.
        const bool builds_string = fn.op == Op::lower || fn.op == Op::upper || fn.op == Op::substr;
        const std::size_t arg = builds_string ? program_.num_temps++ : 0;
        emit(fn.op, arg, 1 - static_cast<int>(node.children.size()));
        return;
      }
      case Lowering::fold:
        gen(*node.children[0]);
        for (std::size_t i = 1; i < node.children.size(); ++i) {
          gen(*node.children[i]);
          emit(fn.op, 0, -1);
        }
        return;
      case Lowering::if_then_else: {
        gen(*node.children[0]);
        const std::size_t to_else = emit(Op::branch_if_not, 0, -1);
        gen(*node.children[1]);
        const std::size_t to_end = emit(Op::jump, 0, 0);
        program_.code[to_else].arg = index(program_.code.size());
        depth_ -= 1;  // the else branch starts from the stack the condition left
        gen(*node.children[2]);
        program_.code[to_end].arg = index(program_.code.size());
        return;
      }
      case Lowering::list_lookup:
        gen(*node.children[1]);
        program_.member_lists.push_back(node.list);
        emit(fn.op, program_.member_lists.size() - 1, 0);
        return;
      case Lowering::coalesce: {
        std::vector<std::size_t> to_end;
        for (std::size_t i = 0; i + 1 < node.children.size(); ++i) {
          gen(*node.children[i]);
          to_end.push_back(emit(Op::jump_if_present, 0, -1));  // falls through having popped it
        }
        gen(*node.children.back());
        for (const std::size_t at : to_end) program_.code[at].arg = index(program_.code.size());
        return;
      }
    }
  }

  Program program_;
  std::size_t depth_ = 0;
};

}  // namespace

Program generate(const Node &root) { return CodeGen().run(root); }

}  // namespace riskkit::rules
