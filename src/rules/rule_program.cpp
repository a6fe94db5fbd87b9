// Linking a rule set into one program, then peephole rewriting each rule's code. Every
// rewrite keeps the rule's observable behaviour: which rules fire, and which divide by
// zero (a rule that can divide keeps its Op::hit, where that flag is reported).
#include "rules/rule_program.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace riskkit::rules {
namespace {

bool between_ops(Op op, Op first, Op last) { return op >= first && op <= last; }

bool is_slot_number_comparison(Op op) { return between_ops(op, Op::eq_slot_number, Op::ge_slot_number); }

bool is_skip(Op op) {
  switch (op) {
    case Op::skip_eq_slot_string:
    case Op::skip_in_slot_string:
    case Op::skip_not_slot_bool:
    case Op::skip_slot_bool: return true;
    default:
      return between_ops(op, Op::skip_eq_slot_number, Op::skip_ge_slot_number) ||
             between_ops(op, Op::skip_eq_const_number, Op::skip_ge_const_number);
  }
}

/// The jump target of `in`, or nullptr when it does not jump.
std::uint32_t *target_of(Instruction &in) {
  switch (in.op) {
    case Op::jump:
    case Op::jump_if_false:
    case Op::jump_if_true:
    case Op::branch_if_not:
    case Op::jump_if_present: return &in.arg;
    default: return is_skip(in.op) ? &in.arg3 : nullptr;
  }
}

/// The fused forms of a predicate over a slot: {hit_*, skip_*}, or {ret, ret} for none.
struct Fused {
  Op hit = Op::ret;
  Op skip = Op::ret;
};

/// `op` of the family starting at `from`, moved to the family starting at `to` (every
/// comparison family lists eq, ne, lt, le, gt, ge in that order).
Op moved(Op op, Op from, Op to) {
  return static_cast<Op>(static_cast<int>(to) + (static_cast<int>(op) - static_cast<int>(from)));
}

Fused fused_forms(Op op) {
  if (is_slot_number_comparison(op))
    return {moved(op, Op::eq_slot_number, Op::hit_eq_slot_number), moved(op, Op::eq_slot_number, Op::skip_eq_slot_number)};
  if (between_ops(op, Op::eq_const_number, Op::ge_const_number))
    return {moved(op, Op::eq_const_number, Op::hit_eq_const_number),
            moved(op, Op::eq_const_number, Op::skip_eq_const_number)};
  switch (op) {
    case Op::eq_slot_string: return {Op::hit_eq_slot_string, Op::skip_eq_slot_string};
    case Op::in_slot_string: return {Op::hit_in_slot_string, Op::skip_in_slot_string};
    case Op::not_slot_bool: return {Op::hit_not_slot_bool, Op::skip_not_slot_bool};
    case Op::load_bool: return {Op::hit_slot_bool, Op::skip_slot_bool};
    default: return {};
  }
}

/// One rule's code, with local jump targets (code.size() is the start of the next rule).
class RuleCode {
 public:
  RuleCode(const Program &program, std::size_t rule) : rule_(static_cast<std::uint32_t>(rule)) {
    code_ = program.code;
    code_.back() = Instruction{Op::hit, false, rule_, 0, 0};  // replaces Op::ret
    divides_ = std::any_of(code_.begin(), code_.end(),
                           [](const Instruction &in) { return in.op == Op::divide || in.op == Op::modulo; });
  }

  std::vector<Instruction> rewrite() {
    thread_jumps();
    if (!divides_) skip_hit_when_false();
    // A bool's truth is false when it is missing, which is all Op::hit reads.
    if (code_.size() >= 2 && code_[code_.size() - 2].op == Op::to_bool) remove(code_.size() - 2);
    compact();
    fuse_slot_reads();
    compact();
    fuse_branches();
    compact();
    return std::move(code_);
  }

 private:
  /// A jump_if_false landing on another jump_if_false with the same false value jumps
  /// on at once; likewise for jump_if_true. (`a and b and c` chains this way.)
  void thread_jumps() {
    for (auto &in : code_) {
      if (in.op != Op::jump_if_false && in.op != Op::jump_if_true) continue;
      while (in.arg < code_.size() && code_[in.arg].op == in.op) in.arg = code_[in.arg].arg;
    }
  }

  /// A false result only means "no hit": a jump_if_false to the hit pops and skips the
  /// rule instead. Only for rules that cannot divide, whose hit reports nothing else.
  void skip_hit_when_false() {
    const auto hit = static_cast<std::uint32_t>(code_.size() - 1);
    for (auto &in : code_) {
      if (in.op == Op::jump_if_false && in.arg == hit) in = Instruction{Op::branch_if_not, false, hit + 1, 0, 0};
    }
  }

  /// `s == "x"`, `s in [..]`, `not b` over a slot, and a number compared with a constant:
  /// one instruction instead of two or three.
  void fuse_slot_reads() {
    const auto targets = jump_targets();
    for (std::size_t i = 0; i + 1 < code_.size(); ++i) {
      Instruction &in = code_[i];
      const Instruction &next = code_[i + 1];
      if (targets[i + 1]) continue;
      if (in.op == Op::push_constant && between_ops(next.op, Op::eq_number, Op::ge_number)) {
        in = Instruction{moved(next.op, Op::eq_number, Op::eq_const_number), false, 0, in.arg, 0};
        remove(++i);
      } else if (in.op == Op::load_string && next.op == Op::in_string) {
        in = Instruction{Op::in_slot_string, next.negate, in.arg, next.arg, 0};
        remove(++i);
      } else if (in.op == Op::load_bool && next.op == Op::logical_not) {
        in = Instruction{Op::not_slot_bool, false, in.arg, 0, 0};
        remove(++i);
      } else if (in.op == Op::load_string && next.op == Op::push_string && i + 2 < code_.size() && !targets[i + 2] &&
                 (code_[i + 2].op == Op::eq_string || code_[i + 2].op == Op::ne_string)) {
        in = Instruction{Op::eq_slot_string, code_[i + 2].op == Op::ne_string, in.arg, next.arg, 0};
        remove(i + 1);
        remove(i + 2);
        i += 2;
      }
    }
  }

  /// A predicate over a slot (`x > c`, `s == "a"`, `not b`, ...) followed by a branch
  /// (`and`, `if`) or by the rule's hit: one instruction.
  void fuse_branches() {
    const auto targets = jump_targets();
    for (std::size_t i = 0; i + 1 < code_.size(); ++i) {
      Instruction &in = code_[i];
      const Instruction &next = code_[i + 1];
      const Fused fused = fused_forms(in.op);
      if (fused.hit == Op::ret || targets[i + 1]) continue;
      if (next.op == Op::branch_if_not) {
        in = Instruction{fused.skip, in.negate, in.arg, in.arg2, next.arg};
        remove(++i);
      } else if (next.op == Op::hit && !divides_) {
        in = Instruction{fused.hit, in.negate, in.arg, in.arg2, rule_};
        remove(++i);
      }
    }
  }

  /// targets[i]: some instruction jumps to i.
  std::vector<bool> jump_targets() {
    std::vector<bool> targets(code_.size() + 1, false);
    for (auto &in : code_) {
      if (const std::uint32_t *to = target_of(in)) targets[*to] = true;
    }
    return targets;
  }

  void remove(std::size_t i) {
    removed_.resize(code_.size(), false);
    removed_[i] = true;
  }

  /// Drops removed instructions; a jump to one lands on the next kept instruction.
  void compact() {
    if (removed_.empty()) return;
    std::vector<std::uint32_t> moved(code_.size() + 1);
    std::vector<Instruction> kept;
    for (std::size_t i = 0; i < code_.size(); ++i) {
      moved[i] = static_cast<std::uint32_t>(kept.size());
      if (!removed_[i]) kept.push_back(code_[i]);
    }
    moved[code_.size()] = static_cast<std::uint32_t>(kept.size());
    for (auto &in : kept) {
      if (std::uint32_t *to = target_of(in)) *to = moved[*to];
    }
    code_ = std::move(kept);
    removed_.clear();
  }

  std::vector<Instruction> code_;
  std::vector<bool> removed_;
  std::uint32_t rule_;
  bool divides_ = false;
};

template <class T>
std::uint32_t append(std::vector<T> &to, const std::vector<T> &from) {
  const auto offset = static_cast<std::uint32_t>(to.size());
  to.insert(to.end(), from.begin(), from.end());
  return offset;
}

}  // namespace

Program link_rules(std::span<const LinkedRule> rules) {
  Program out;
  out.type = Type::boolean;
  out.num_rules = rules.size();
  for (const LinkedRule &rule : rules) {
    const Program &p = *rule.program;
    const std::uint32_t constants = append(out.constants, p.constants);
    const std::uint32_t strings = append(out.strings, p.strings);
    const std::uint32_t number_lists = append(out.number_lists, p.number_lists);
    const std::uint32_t string_lists = append(out.string_lists, p.string_lists);
    const std::uint32_t member_lists = append(out.member_lists, p.member_lists);
    const auto temps = static_cast<std::uint32_t>(out.num_temps);
    const auto base = static_cast<std::uint32_t>(out.code.size());
    out.num_temps += p.num_temps;
    out.max_stack = std::max(out.max_stack, p.max_stack);
    for (Instruction in : RuleCode(p, rule.index).rewrite()) {
      if (std::uint32_t *to = target_of(in)) *to += base;
      switch (in.op) {
        case Op::push_constant: in.arg += constants; break;
        case Op::push_string: in.arg += strings; break;
        case Op::eq_slot_string:
        case Op::hit_eq_slot_string:
        case Op::skip_eq_slot_string: in.arg2 += strings; break;
        case Op::in_number: in.arg += number_lists; break;
        case Op::in_string: in.arg += string_lists; break;
        case Op::in_slot_string:
        case Op::hit_in_slot_string:
        case Op::skip_in_slot_string: in.arg2 += string_lists; break;
        case Op::in_list: in.arg += member_lists; break;
        case Op::lower:
        case Op::upper:
        case Op::substr: in.arg += temps; break;
        default:
          if (is_slot_number_comparison(in.op) || between_ops(in.op, Op::hit_eq_slot_number, Op::skip_ge_slot_number) ||
              between_ops(in.op, Op::eq_const_number, Op::skip_ge_const_number))
            in.arg2 += constants;
          break;
      }
      out.code.push_back(in);
    }
  }
  out.code.push_back(Instruction{Op::ret, false, 0, 0, 0});
  return out;
}

}  // namespace riskkit::rules
