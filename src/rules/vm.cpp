// The stack machine. All runtime semantics of the language live here (constant folding
// runs this same code), so there is one definition of what each operator means.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>

#include "rules/compiler.hpp"
#include "rules/program.hpp"

namespace riskkit::rules {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A number cell; NaN (from missing operands, 0/0, inf-inf, …) is missing.
Cell number(double x) {
  Cell c{};
  c.number = x;
  c.missing = std::isnan(x);
  return c;
}

Cell boolean(bool b) {
  Cell c{};
  c.truth = b;
  c.missing = false;
  return c;
}

Cell missing_of(Op load) {
  Cell c{};
  if (load == Op::load_number) c.number = kNaN;
  else c.truth = false;  // the missing-bool invariant; other types only read `missing`
  c.missing = true;
  return c;
}

/// slots[i] as a cell of type `type`; absent or of another type is missing. `Set`
/// copies the payload out of the Value.
template <ValueType type, class Set>
Cell load(std::span<const Value> slots, std::size_t i, Op op, Set set) {
  if (i >= slots.size() || slots[i].type() != type) return missing_of(op);
  Cell c{};
  set(c, slots[i]);
  c.missing = false;
  return c;
}

/// Any comparison with a missing operand is false, whatever the operator.
template <class Get, class Compare>
Cell compare(const Cell &a, const Cell &b, Get get, Compare cmp) {
  return boolean(!a.missing && !b.missing && cmp(get(a), get(b)));
}

constexpr auto kNumber = [](const Cell &c) { return c.number; };
constexpr auto kText = [](const Cell &c) -> const std::string & { return *c.text; };
constexpr auto kMicros = [](const Cell &c) { return c.micros; };
constexpr auto kTruth = [](const Cell &c) { return c.truth; };

/// Membership in a sorted list: a scan for short lists, a binary search for long ones.
template <class T, class K>
bool contains(const std::vector<T> &sorted, const K &key) {
  if (sorted.size() <= 8) return std::find(sorted.begin(), sorted.end(), key) != sorted.end();
  return std::binary_search(sorted.begin(), sorted.end(), key);
}

/// `x in list` / `x not in list`: false whenever x is missing.
Cell membership(const Cell &x, bool found, bool negate) { return boolean(!x.missing && (found != negate)); }

Cell run_on(const Program &p, std::span<const Value> slots, Cell *stack) {
  Cell *sp = stack;  // one past the top
  const Instruction *const code = p.code.data();
  for (const Instruction *ip = code;; ++ip) {
    switch (ip->op) {
      case Op::load_number:
        *sp++ = load<ValueType::number>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.number = v.as_number(); });
        break;
      case Op::load_string:
        *sp++ = load<ValueType::string>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.text = &v.as_string(); });
        break;
      case Op::load_bool:
        *sp++ = load<ValueType::boolean>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.truth = v.as_bool(); });
        break;
      case Op::load_timestamp:
        *sp++ = load<ValueType::timestamp>(slots, ip->arg, ip->op,
                                           [](Cell &c, const Value &v) { c.micros = v.as_timestamp().micros; });
        break;
      case Op::push_constant: *sp++ = p.constants[ip->arg]; break;
      case Op::push_string:
        sp->text = &p.strings[ip->arg];
        sp->missing = false;
        ++sp;
        break;
      case Op::negate: sp[-1] = number(-sp[-1].number); break;
      case Op::add: --sp; sp[-1] = number(sp[-1].number + sp[0].number); break;
      case Op::subtract: --sp; sp[-1] = number(sp[-1].number - sp[0].number); break;
      case Op::multiply: --sp; sp[-1] = number(sp[-1].number * sp[0].number); break;
      case Op::divide: --sp; sp[-1] = number(sp[0].number == 0 ? kNaN : sp[-1].number / sp[0].number); break;
      case Op::modulo: --sp; sp[-1] = number(sp[0].number == 0 ? kNaN : std::fmod(sp[-1].number, sp[0].number)); break;
      case Op::abs: sp[-1] = number(std::fabs(sp[-1].number)); break;
      case Op::log: sp[-1] = number(sp[-1].number > 0 ? std::log(sp[-1].number) : kNaN); break;
      case Op::min:
      case Op::max: {
        --sp;
        const double a = sp[-1].number;
        const double b = sp[0].number;
        const double m = ip->op == Op::min ? std::min(a, b) : std::max(a, b);
        sp[-1] = number(std::isnan(a) || std::isnan(b) ? kNaN : m);
        break;
      }
      case Op::is_missing: sp[-1] = boolean(sp[-1].missing); break;
      case Op::eq_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::equal_to<>()); break;
      case Op::ne_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::not_equal_to<>()); break;
      case Op::lt_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::less<>()); break;
      case Op::le_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::less_equal<>()); break;
      case Op::gt_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::greater<>()); break;
      case Op::ge_number: --sp; sp[-1] = compare(sp[-1], sp[0], kNumber, std::greater_equal<>()); break;
      case Op::eq_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::equal_to<>()); break;
      case Op::ne_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::not_equal_to<>()); break;
      case Op::lt_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::less<>()); break;
      case Op::le_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::less_equal<>()); break;
      case Op::gt_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::greater<>()); break;
      case Op::ge_string: --sp; sp[-1] = compare(sp[-1], sp[0], kText, std::greater_equal<>()); break;
      case Op::eq_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::equal_to<>()); break;
      case Op::ne_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::not_equal_to<>()); break;
      case Op::lt_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::less<>()); break;
      case Op::le_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::less_equal<>()); break;
      case Op::gt_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::greater<>()); break;
      case Op::ge_timestamp: --sp; sp[-1] = compare(sp[-1], sp[0], kMicros, std::greater_equal<>()); break;
      case Op::eq_bool: --sp; sp[-1] = compare(sp[-1], sp[0], kTruth, std::equal_to<>()); break;
      case Op::ne_bool: --sp; sp[-1] = compare(sp[-1], sp[0], kTruth, std::not_equal_to<>()); break;
      case Op::in_number:
        sp[-1] = membership(sp[-1], !sp[-1].missing && contains(p.number_lists[ip->arg], sp[-1].number), ip->negate);
        break;
      case Op::in_string:
        sp[-1] = membership(sp[-1], !sp[-1].missing && contains(p.string_lists[ip->arg], *sp[-1].text), ip->negate);
        break;
      case Op::in_bool:
        sp[-1] = membership(sp[-1], ((ip->arg >> (sp[-1].truth ? 1 : 0)) & 1u) != 0, ip->negate);
        break;
      case Op::logical_not: sp[-1] = boolean(!sp[-1].truth); break;  // missing has truth == false
      case Op::to_bool: sp[-1].missing = false; break;
      case Op::jump_if_false:
        if (sp[-1].truth) {
          --sp;
        } else {
          sp[-1] = boolean(false);
          ip = code + ip->arg - 1;
        }
        break;
      case Op::jump_if_true:
        if (sp[-1].truth) ip = code + ip->arg - 1;
        else --sp;
        break;
      case Op::ret: return sp[-1];
    }
  }
}

}  // namespace

Cell run(const Program &program, std::span<const Value> slots) noexcept {
  std::array<Cell, kMaxStack> stack;  // uninitialized: cells are written before they are read
  return run_on(program, slots, stack.data());
}

Value to_value(const Cell &cell, Type type) {
  if (cell.missing) return Value::missing();
  switch (type) {
    case Type::number: return Value::number(cell.number);
    case Type::string: return Value::string(*cell.text);
    case Type::boolean: return Value::boolean(cell.truth);
    case Type::timestamp: return Value::timestamp(Timestamp{cell.micros});
  }
  return Value::missing();
}

Value Expression::evaluate(std::span<const Value> slots) const noexcept {
  return to_value(run(*program_, slots), program_->type);
}

bool Expression::test(std::span<const Value> slots) const noexcept {
  return program_->type == Type::boolean && run(*program_, slots).truth;
}

}  // namespace riskkit::rules
