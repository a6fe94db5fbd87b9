// The stack machine. All runtime semantics of the language live here (constant folding
// runs this same code), so there is one definition of what each operator means.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

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

Cell slot_number(std::span<const Value> slots, std::size_t i) {
  return load<ValueType::number>(slots, i, Op::load_number, [](Cell &c, const Value &v) { c.number = v.as_number(); });
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

/// A string cell pointing at `text`.
Cell text_cell(const std::string *text) {
  Cell c{};
  c.text = text;
  c.missing = false;
  return c;
}

Cell missing_text() {
  Cell c{};
  c.truth = false;
  c.missing = true;
  return c;
}

/// ASCII-only case mapping: deterministic, locale-free and byte-length preserving.
const std::string *map_ascii(const std::string &in, std::string &out, bool to_lower) {
  out.assign(in);
  for (char &ch : out) {
    if (to_lower && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    else if (!to_lower && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return &out;
}

bool starts_code_point(char ch) { return (static_cast<unsigned char>(ch) & 0xc0) != 0x80; }

double code_points(const std::string &s) {
  std::size_t n = 0;
  for (const char ch : s) n += starts_code_point(ch) ? 1 : 0;
  return static_cast<double>(n);
}

/// The byte offset of code point `index` in `s` (s.size() when past the end).
std::size_t byte_of(const std::string &s, double index) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!starts_code_point(s[i])) continue;
    if (static_cast<double>(seen) >= index) return i;
    ++seen;
  }
  return s.size();
}

/// substr(s, start, count) in code points; missing unless start and count are whole
/// numbers >= 0. Past the end gives the part that exists (possibly "").
Cell substring(const Cell &s, double start, double count, std::string &out) {
  if (s.missing || !(start >= 0) || !(count >= 0) || std::floor(start) != start || std::floor(count) != count)
    return missing_text();
  const std::size_t from = byte_of(*s.text, start);
  const std::size_t to = byte_of(*s.text, start + count);
  out.assign(*s.text, from, to - from);
  return text_cell(&out);
}

constexpr std::int64_t kMicrosPerHour = 3'600'000'000;
constexpr std::int64_t kMicrosPerDay = 24 * kMicrosPerHour;

/// Floor division, so instants before 1970 fall in the right hour and day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

Cell hour_of_day(const Cell &t) {
  if (t.missing) return number(kNaN);
  const std::int64_t in_day = t.micros - floor_div(t.micros, kMicrosPerDay) * kMicrosPerDay;
  return number(static_cast<double>(in_day / kMicrosPerHour));
}

/// ISO 8601 weekday: 1970-01-01 was a Thursday (4).
Cell day_of_week(const Cell &t) {
  if (t.missing) return number(kNaN);
  const std::int64_t days = floor_div(t.micros, kMicrosPerDay);
  return number(static_cast<double>((days % 7 + 7 + 3) % 7 + 1));
}

Cell days_between(const Cell &t, const Cell &u) {
  if (t.missing || u.missing) return number(kNaN);
  // The difference in whole microseconds first, so equal instants give exactly 0.
  const auto diff = static_cast<double>(u.micros) - static_cast<double>(t.micros);
  return number(diff / static_cast<double>(kMicrosPerDay));
}

/// lo <= x <= hi; false whenever any of the three is missing, for `not between` too.
template <class Get>
Cell between(const Cell &x, const Cell &lo, const Cell &hi, bool negate, Get get) {
  if (x.missing || lo.missing || hi.missing) return boolean(false);
  const bool inside = !(get(x) < get(lo)) && !(get(hi) < get(x));
  return boolean(inside != negate);
}

/// A string predicate; false when either operand is missing.
template <class Test>
Cell string_test(const Cell &s, const Cell &t, Test test) {
  return boolean(!s.missing && !t.missing && test(std::string_view(*s.text), std::string_view(*t.text)));
}

Cell run_on(const Program &p, std::span<const Value> slots, Cell *stack, std::string *temps, std::uint32_t &flags) {
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
      case Op::divide:
      case Op::modulo: {
        --sp;
        const double x = sp[-1].number;
        const double y = sp[0].number;
        if (y == 0) {
          flags |= kFlagDivisionByZero;
          sp[-1] = number(kNaN);
        } else {
          sp[-1] = number(ip->op == Op::divide ? x / y : std::fmod(x, y));
        }
        break;
      }
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
      case Op::exp: sp[-1] = number(std::exp(sp[-1].number)); break;
      case Op::sqrt: sp[-1] = number(sp[-1].number >= 0 ? std::sqrt(sp[-1].number) : kNaN); break;
      case Op::round: sp[-1] = number(std::round(sp[-1].number)); break;
      case Op::floor: sp[-1] = number(std::floor(sp[-1].number)); break;
      case Op::ceil: sp[-1] = number(std::ceil(sp[-1].number)); break;
      case Op::clamp: {
        sp -= 2;
        const double x = sp[-1].number, lo = sp[0].number, hi = sp[1].number;
        sp[-1] = number(std::isnan(x) || std::isnan(lo) || std::isnan(hi) || lo > hi ? kNaN : std::min(std::max(x, lo), hi));
        break;
      }
      case Op::is_missing: sp[-1] = boolean(sp[-1].missing); break;
      case Op::lower:
      case Op::upper:
        if (!sp[-1].missing) sp[-1] = text_cell(map_ascii(*sp[-1].text, temps[ip->arg], ip->op == Op::lower));
        break;
      case Op::len: sp[-1] = sp[-1].missing ? number(kNaN) : number(code_points(*sp[-1].text)); break;
      case Op::starts_with:
        --sp;
        sp[-1] = string_test(sp[-1], sp[0], [](std::string_view a, std::string_view b) { return a.starts_with(b); });
        break;
      case Op::ends_with:
        --sp;
        sp[-1] = string_test(sp[-1], sp[0], [](std::string_view a, std::string_view b) { return a.ends_with(b); });
        break;
      case Op::contains:
        --sp;
        sp[-1] = string_test(sp[-1], sp[0],
                             [](std::string_view a, std::string_view b) { return a.find(b) != std::string_view::npos; });
        break;
      case Op::substr:
        sp -= 2;
        sp[-1] = substring(sp[-1], sp[0].number, sp[1].number, temps[ip->arg]);
        break;
      case Op::hour_of_day: sp[-1] = hour_of_day(sp[-1]); break;
      case Op::day_of_week: sp[-1] = day_of_week(sp[-1]); break;
      case Op::days_between: --sp; sp[-1] = days_between(sp[-1], sp[0]); break;
      case Op::between_number: sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kNumber); break;
      case Op::between_string: sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kText); break;
      case Op::between_timestamp: sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kMicros); break;
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
      case Op::eq_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::equal_to<>()); break;
      case Op::ne_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::not_equal_to<>()); break;
      case Op::lt_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::less<>()); break;
      case Op::le_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::less_equal<>()); break;
      case Op::gt_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::greater<>()); break;
      case Op::ge_slot_number: *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, std::greater_equal<>()); break;
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
      case Op::in_list:
        sp[-1] = membership(sp[-1], !sp[-1].missing && p.member_lists[ip->arg]->contains(*sp[-1].text), false);
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
      case Op::branch_if_not:
        --sp;
        if (!sp[0].truth) ip = code + ip->arg - 1;
        break;
      case Op::jump: ip = code + ip->arg - 1; break;
      case Op::jump_if_present:
        if (!sp[-1].missing) ip = code + ip->arg - 1;
        else --sp;
        break;
      case Op::ret: return sp[-1];
    }
  }
}

}  // namespace

Cell run(const Program &program, std::span<const Value> slots, std::uint32_t &flags) noexcept {
  std::array<Cell, kMaxStack> stack;  // uninitialized: cells are written before they are read
  // String results (lower, upper, substr) live here; each such instruction owns one
  // entry and runs at most once per evaluation, so no result overwrites another. Reused
  // across evaluations, so after warm-up even string functions do not allocate.
  // Programs without string functions skip the thread-local lookup altogether.
  if (program.num_temps == 0) return run_on(program, slots, stack.data(), nullptr, flags);
  thread_local std::vector<std::string> temps;
  if (temps.size() < program.num_temps) temps.resize(program.num_temps);
  return run_on(program, slots, stack.data(), temps.data(), flags);
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
  EvalFlags ignored;
  return evaluate(slots, ignored);
}

bool Expression::test(std::span<const Value> slots) const noexcept {
  EvalFlags ignored;
  return test(slots, ignored);
}

Value Expression::evaluate(std::span<const Value> slots, EvalFlags &flags) const noexcept {
  std::uint32_t bits = 0;
  const Cell cell = run(*program_, slots, bits);
  if (bits & kFlagDivisionByZero) flags.division_by_zero = true;
  return to_value(cell, program_->type);
}

bool Expression::test(std::span<const Value> slots, EvalFlags &flags) const noexcept {
  if (program_->type != Type::boolean) return false;
  // `field <op> number`, the commonest rule, skips the VM's entry and dispatch loop.
  const Program &p = *program_;
  if (p.code.size() == 2 && p.code[0].op >= Op::eq_slot_number && p.code[0].op <= Op::ge_slot_number) {
    const Instruction &in = p.code[0];
    if (in.arg >= slots.size() || slots[in.arg].type() != ValueType::number) return false;
    const double x = slots[in.arg].as_number();
    const double c = p.constants[in.arg2].number;  // NaN for a folded missing (x > log(-1)): every test is false
    switch (in.op) {
      case Op::eq_slot_number: return x == c;
      case Op::ne_slot_number: return !std::isnan(c) && x != c;
      case Op::lt_slot_number: return x < c;
      case Op::le_slot_number: return x <= c;
      case Op::gt_slot_number: return x > c;
      default: return x >= c;
    }
  }
  std::uint32_t bits = 0;
  const bool truth = run(*program_, slots, bits).truth;
  if (bits & kFlagDivisionByZero) flags.division_by_zero = true;
  return truth;
}

}  // namespace riskkit::rules
