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

/// Every opcode in enum order: the computed-goto table below is generated from it, and
/// the static_assert proves the order, so the table can never dispatch to a wrong label.
#define RK_RULES_OPS(X)                                                                                              \
  X(load_number) X(load_string) X(load_bool) X(load_timestamp) X(push_constant) X(push_string) X(negate) X(add)      \
  X(subtract) X(multiply) X(divide) X(modulo) X(abs) X(log) X(min) X(max) X(exp) X(sqrt) X(round) X(floor) X(ceil)  \
  X(clamp) X(is_missing) X(lower) X(upper) X(len) X(starts_with) X(ends_with) X(contains) X(substr) X(hour_of_day)  \
  X(day_of_week) X(days_between) X(between_number) X(between_string) X(between_timestamp) X(eq_number)             \
  X(ne_number) X(lt_number) X(le_number) X(gt_number) X(ge_number) X(eq_string) X(ne_string) X(lt_string)           \
  X(le_string) X(gt_string) X(ge_string) X(eq_timestamp) X(ne_timestamp) X(lt_timestamp) X(le_timestamp)           \
  X(gt_timestamp) X(ge_timestamp) X(eq_bool) X(ne_bool) X(eq_slot_number) X(ne_slot_number) X(lt_slot_number)      \
  X(le_slot_number) X(gt_slot_number) X(ge_slot_number) X(in_number) X(in_string) X(in_bool) X(in_list)             \
  X(logical_not) X(to_bool) X(jump_if_false) X(jump_if_true) X(branch_if_not) X(jump) X(jump_if_present) X(hit)     \
  X(hit_eq_slot_number) X(hit_ne_slot_number) X(hit_lt_slot_number) X(hit_le_slot_number) X(hit_gt_slot_number)    \
  X(hit_ge_slot_number) X(skip_eq_slot_number) X(skip_ne_slot_number) X(skip_lt_slot_number)                        \
  X(skip_le_slot_number) X(skip_gt_slot_number) X(skip_ge_slot_number) X(eq_slot_string) X(in_slot_string)          \
  X(not_slot_bool) X(hit_eq_slot_string) X(skip_eq_slot_string) X(hit_in_slot_string) X(skip_in_slot_string)      \
  X(hit_not_slot_bool) X(skip_not_slot_bool) X(hit_slot_bool) X(skip_slot_bool) X(eq_const_number)                \
  X(ne_const_number) X(lt_const_number) X(le_const_number) X(gt_const_number) X(ge_const_number)                    \
  X(hit_eq_const_number) X(hit_ne_const_number) X(hit_lt_const_number) X(hit_le_const_number)                       \
  X(hit_gt_const_number) X(hit_ge_const_number) X(skip_eq_const_number) X(skip_ne_const_number)                     \
  X(skip_lt_const_number) X(skip_le_const_number) X(skip_gt_const_number) X(skip_ge_const_number) X(ret)

#define RK_RULES_OP_ENTRY(name) Op::name,
constexpr Op kOpOrder[] = {RK_RULES_OPS(RK_RULES_OP_ENTRY)};
#undef RK_RULES_OP_ENTRY

constexpr bool in_enum_order() {
  for (std::size_t i = 0; i < std::size(kOpOrder); ++i)
    if (static_cast<std::size_t>(kOpOrder[i]) != i) return false;
  return std::size(kOpOrder) == kOpCount;
}
static_assert(in_enum_order(), "RK_RULES_OPS must list every Op in enum order");

/// A number slot, missing (absent, of another type) as NaN: present numbers are never
/// NaN (Value normalizes them), so NaN stands for missing without a separate flag.
double slot_or_nan(std::span<const Value> slots, std::size_t i) {
  return i < slots.size() && slots[i].type() == ValueType::number ? slots[i].as_number() : kNaN;
}

/// slots[i] as a string, or nullptr when it is absent or not a string.
const std::string *slot_text(std::span<const Value> slots, std::size_t i) {
  return i < slots.size() && slots[i].type() == ValueType::string ? &slots[i].as_string() : nullptr;
}

/// A bool slot's truth; missing (absent, another type) counts as false.
bool slot_truth(std::span<const Value> slots, std::size_t i) {
  return i < slots.size() && slots[i].type() == ValueType::boolean && slots[i].as_bool();
}

/// != for numbers where NaN is missing: IEEE comparisons with NaN are already false,
/// as a comparison with missing must be, except x != NaN.
constexpr auto kNumberNotEqual = [](double x, double c) { return x < c || x > c; };

/// Where a rule-set program reports its hits (unused by single expressions). Every hit
/// instruction writes its rule to `*next` and advances `next` only if the rule fired:
/// no branch, so hits on unpredictable data cost no mispredictions.
struct HitSink {
  std::size_t *next = nullptr;  ///< room for one entry per rule of the program
  std::vector<std::size_t> *divided_by_zero = nullptr;
};

// Direct-threaded dispatch (GCC/Clang computed goto) jumps from each instruction's end
// straight to the next one's code, one indirect branch per instruction that the CPU
// predicts per site. Define RK_RULES_SWITCH_DISPATCH for the portable switch loop.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(RK_RULES_SWITCH_DISPATCH)
#define RK_RULES_THREADED 1
#else
#define RK_RULES_THREADED 0
#endif

#if RK_RULES_THREADED
// Label addresses and `goto *` are the GNU extension this dispatch is built on.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#endif

Cell run_on(const Program &p, std::span<const Value> slots, Cell *stack, std::string *temps, std::uint32_t &flags,
            HitSink &sink) {
  Cell *sp = stack;  // one past the top
  const Instruction *const code = p.code.data();
  const Instruction *ip = code;
#if RK_RULES_THREADED
#define RK_RULES_LABEL(name) &&op_##name,
  static const void *const kLabels[] = {RK_RULES_OPS(RK_RULES_LABEL)};
#undef RK_RULES_LABEL
#define RK_OP(name) op_##name:
#define RK_DISPATCH() goto *kLabels[static_cast<std::size_t>(ip->op)]
#else
#define RK_OP(name) case Op::name:
#define RK_DISPATCH() goto dispatch
#endif
#define RK_NEXT() \
  do {            \
    ++ip;         \
    RK_DISPATCH(); \
  } while (0)
#define RK_JUMP(to)      \
  do {                   \
    ip = code + (to);    \
    RK_DISPATCH();       \
  } while (0)
#define RK_BINARY(name, expr) \
  RK_OP(name) --sp; sp[-1] = (expr); RK_NEXT();
#define RK_SLOT_COMPARE(name, cmp) \
  RK_OP(name) *sp++ = compare(slot_number(slots, ip->arg), p.constants[ip->arg2], kNumber, cmp); RK_NEXT();
// The predicates that hit_* / skip_* instructions fuse with the rule's hit or a branch.
#define RK_SLOT_NUMBER(cmp) cmp(slot_or_nan(slots, ip->arg), p.constants[ip->arg2].number)
// The popped top (a number cell: NaN when missing) against a constant.
#define RK_POPPED_NUMBER(cmp) cmp((--sp)->number, p.constants[ip->arg2].number)
#define RK_CONST_NUMBER(name, cmp) \
  RK_OP(name) sp[-1] = boolean(cmp(sp[-1].number, p.constants[ip->arg2].number)); RK_NEXT();
#define RK_SLOT_STRING_EQ() (slot_text(slots, ip->arg) && ((*slot_text(slots, ip->arg) == p.strings[ip->arg2]) != ip->negate))
#define RK_SLOT_STRING_IN() \
  (slot_text(slots, ip->arg) && (contains(p.string_lists[ip->arg2], *slot_text(slots, ip->arg)) != ip->negate))
#define RK_HIT_IF(name, predicate)  \
  RK_OP(name)                       \
  *sink.next = ip->arg3;            \
  sink.next += (predicate) ? 1 : 0; \
  RK_NEXT();
#define RK_SKIP_UNLESS(name, predicate) \
  RK_OP(name)                           \
  if (!(predicate)) RK_JUMP(ip->arg3);  \
  RK_NEXT();

#if RK_RULES_THREADED
  RK_DISPATCH();
#else
dispatch:
  switch (ip->op) {
#endif
  RK_OP(load_number)
  *sp++ = load<ValueType::number>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.number = v.as_number(); });
  RK_NEXT();
  RK_OP(load_string)
  *sp++ = load<ValueType::string>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.text = &v.as_string(); });
  RK_NEXT();
  RK_OP(load_bool)
  *sp++ = load<ValueType::boolean>(slots, ip->arg, ip->op, [](Cell &c, const Value &v) { c.truth = v.as_bool(); });
  RK_NEXT();
  RK_OP(load_timestamp)
  *sp++ = load<ValueType::timestamp>(slots, ip->arg, ip->op,
                                     [](Cell &c, const Value &v) { c.micros = v.as_timestamp().micros; });
  RK_NEXT();
  RK_OP(push_constant) *sp++ = p.constants[ip->arg]; RK_NEXT();
  RK_OP(push_string)
  sp->text = &p.strings[ip->arg];
  sp->missing = false;
  ++sp;
  RK_NEXT();
  RK_OP(negate) sp[-1] = number(-sp[-1].number); RK_NEXT();
  RK_BINARY(add, number(sp[-1].number + sp[0].number))
  RK_BINARY(subtract, number(sp[-1].number - sp[0].number))
  RK_BINARY(multiply, number(sp[-1].number * sp[0].number))
  RK_OP(divide)
  RK_OP(modulo) {
    --sp;
    const double x = sp[-1].number;
    const double y = sp[0].number;
    if (y == 0) {
      flags |= kFlagDivisionByZero;
      sp[-1] = number(kNaN);
    } else {
      sp[-1] = number(ip->op == Op::divide ? x / y : std::fmod(x, y));
    }
    RK_NEXT();
  }
  RK_OP(abs) sp[-1] = number(std::fabs(sp[-1].number)); RK_NEXT();
  RK_OP(log) sp[-1] = number(sp[-1].number > 0 ? std::log(sp[-1].number) : kNaN); RK_NEXT();
  RK_OP(min)
  RK_OP(max) {
    --sp;
    const double a = sp[-1].number;
    const double b = sp[0].number;
    const double m = ip->op == Op::min ? std::min(a, b) : std::max(a, b);
    sp[-1] = number(std::isnan(a) || std::isnan(b) ? kNaN : m);
    RK_NEXT();
  }
  RK_OP(exp) sp[-1] = number(std::exp(sp[-1].number)); RK_NEXT();
  RK_OP(sqrt) sp[-1] = number(sp[-1].number >= 0 ? std::sqrt(sp[-1].number) : kNaN); RK_NEXT();
  RK_OP(round) sp[-1] = number(std::round(sp[-1].number)); RK_NEXT();
  RK_OP(floor) sp[-1] = number(std::floor(sp[-1].number)); RK_NEXT();
  RK_OP(ceil) sp[-1] = number(std::ceil(sp[-1].number)); RK_NEXT();
  RK_OP(clamp) {
    sp -= 2;
    const double x = sp[-1].number, lo = sp[0].number, hi = sp[1].number;
    sp[-1] = number(std::isnan(x) || std::isnan(lo) || std::isnan(hi) || lo > hi ? kNaN : std::min(std::max(x, lo), hi));
    RK_NEXT();
  }
  RK_OP(is_missing) sp[-1] = boolean(sp[-1].missing); RK_NEXT();
  RK_OP(lower)
  RK_OP(upper)
  if (!sp[-1].missing) sp[-1] = text_cell(map_ascii(*sp[-1].text, temps[ip->arg], ip->op == Op::lower));
  RK_NEXT();
  RK_OP(len) sp[-1] = sp[-1].missing ? number(kNaN) : number(code_points(*sp[-1].text)); RK_NEXT();
  RK_BINARY(starts_with,
            string_test(sp[-1], sp[0], [](std::string_view a, std::string_view b) { return a.starts_with(b); }))
  RK_BINARY(ends_with, string_test(sp[-1], sp[0], [](std::string_view a, std::string_view b) { return a.ends_with(b); }))
  RK_BINARY(contains, string_test(sp[-1], sp[0], [](std::string_view a, std::string_view b) {
              return a.find(b) != std::string_view::npos;
            }))
  RK_OP(substr)
  sp -= 2;
  sp[-1] = substring(sp[-1], sp[0].number, sp[1].number, temps[ip->arg]);
  RK_NEXT();
  RK_OP(hour_of_day) sp[-1] = hour_of_day(sp[-1]); RK_NEXT();
  RK_OP(day_of_week) sp[-1] = day_of_week(sp[-1]); RK_NEXT();
  RK_BINARY(days_between, days_between(sp[-1], sp[0]))
  RK_OP(between_number) sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kNumber); RK_NEXT();
  RK_OP(between_string) sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kText); RK_NEXT();
  RK_OP(between_timestamp) sp -= 2; sp[-1] = between(sp[-1], sp[0], sp[1], ip->negate, kMicros); RK_NEXT();
  RK_BINARY(eq_number, compare(sp[-1], sp[0], kNumber, std::equal_to<>()))
  RK_BINARY(ne_number, compare(sp[-1], sp[0], kNumber, std::not_equal_to<>()))
  RK_BINARY(lt_number, compare(sp[-1], sp[0], kNumber, std::less<>()))
  RK_BINARY(le_number, compare(sp[-1], sp[0], kNumber, std::less_equal<>()))
  RK_BINARY(gt_number, compare(sp[-1], sp[0], kNumber, std::greater<>()))
  RK_BINARY(ge_number, compare(sp[-1], sp[0], kNumber, std::greater_equal<>()))
  RK_BINARY(eq_string, compare(sp[-1], sp[0], kText, std::equal_to<>()))
  RK_BINARY(ne_string, compare(sp[-1], sp[0], kText, std::not_equal_to<>()))
  RK_BINARY(lt_string, compare(sp[-1], sp[0], kText, std::less<>()))
  RK_BINARY(le_string, compare(sp[-1], sp[0], kText, std::less_equal<>()))
  RK_BINARY(gt_string, compare(sp[-1], sp[0], kText, std::greater<>()))
  RK_BINARY(ge_string, compare(sp[-1], sp[0], kText, std::greater_equal<>()))
  RK_BINARY(eq_timestamp, compare(sp[-1], sp[0], kMicros, std::equal_to<>()))
  RK_BINARY(ne_timestamp, compare(sp[-1], sp[0], kMicros, std::not_equal_to<>()))
  RK_BINARY(lt_timestamp, compare(sp[-1], sp[0], kMicros, std::less<>()))
  RK_BINARY(le_timestamp, compare(sp[-1], sp[0], kMicros, std::less_equal<>()))
  RK_BINARY(gt_timestamp, compare(sp[-1], sp[0], kMicros, std::greater<>()))
  RK_BINARY(ge_timestamp, compare(sp[-1], sp[0], kMicros, std::greater_equal<>()))
  RK_BINARY(eq_bool, compare(sp[-1], sp[0], kTruth, std::equal_to<>()))
  RK_BINARY(ne_bool, compare(sp[-1], sp[0], kTruth, std::not_equal_to<>()))
  RK_SLOT_COMPARE(eq_slot_number, std::equal_to<>())
  RK_SLOT_COMPARE(ne_slot_number, std::not_equal_to<>())
  RK_SLOT_COMPARE(lt_slot_number, std::less<>())
  RK_SLOT_COMPARE(le_slot_number, std::less_equal<>())
  RK_SLOT_COMPARE(gt_slot_number, std::greater<>())
  RK_SLOT_COMPARE(ge_slot_number, std::greater_equal<>())
  RK_OP(in_number)
  sp[-1] = membership(sp[-1], !sp[-1].missing && contains(p.number_lists[ip->arg], sp[-1].number), ip->negate);
  RK_NEXT();
  RK_OP(in_string)
  sp[-1] = membership(sp[-1], !sp[-1].missing && contains(p.string_lists[ip->arg], *sp[-1].text), ip->negate);
  RK_NEXT();
  RK_OP(in_bool) sp[-1] = membership(sp[-1], ((ip->arg >> (sp[-1].truth ? 1 : 0)) & 1u) != 0, ip->negate); RK_NEXT();
  RK_OP(in_list)
  sp[-1] = membership(sp[-1], !sp[-1].missing && p.member_lists[ip->arg]->contains(*sp[-1].text), false);
  RK_NEXT();
  RK_OP(logical_not) sp[-1] = boolean(!sp[-1].truth); RK_NEXT();  // missing has truth == false
  RK_OP(to_bool) sp[-1].missing = false; RK_NEXT();
  RK_OP(jump_if_false)
  if (sp[-1].truth) {
    --sp;
    RK_NEXT();
  }
  sp[-1] = boolean(false);
  RK_JUMP(ip->arg);
  RK_OP(jump_if_true)
  if (sp[-1].truth) RK_JUMP(ip->arg);
  --sp;
  RK_NEXT();
  RK_OP(branch_if_not)
  --sp;
  if (!sp[0].truth) RK_JUMP(ip->arg);
  RK_NEXT();
  RK_OP(jump) RK_JUMP(ip->arg);
  RK_OP(jump_if_present)
  if (!sp[-1].missing) RK_JUMP(ip->arg);
  --sp;
  RK_NEXT();
  RK_OP(hit)
  --sp;
  *sink.next = ip->arg;
  sink.next += sp[0].truth ? 1 : 0;
  if (flags != 0) {  // set by this rule: the previous rule's hit cleared it
    if (sink.divided_by_zero) sink.divided_by_zero->push_back(ip->arg);
    flags = 0;
  }
  RK_NEXT();
  RK_HIT_IF(hit_eq_slot_number, RK_SLOT_NUMBER(std::equal_to<>()))
  RK_HIT_IF(hit_ne_slot_number, RK_SLOT_NUMBER(kNumberNotEqual))
  RK_HIT_IF(hit_lt_slot_number, RK_SLOT_NUMBER(std::less<>()))
  RK_HIT_IF(hit_le_slot_number, RK_SLOT_NUMBER(std::less_equal<>()))
  RK_HIT_IF(hit_gt_slot_number, RK_SLOT_NUMBER(std::greater<>()))
  RK_HIT_IF(hit_ge_slot_number, RK_SLOT_NUMBER(std::greater_equal<>()))
  RK_SKIP_UNLESS(skip_eq_slot_number, RK_SLOT_NUMBER(std::equal_to<>()))
  RK_SKIP_UNLESS(skip_ne_slot_number, RK_SLOT_NUMBER(kNumberNotEqual))
  RK_SKIP_UNLESS(skip_lt_slot_number, RK_SLOT_NUMBER(std::less<>()))
  RK_SKIP_UNLESS(skip_le_slot_number, RK_SLOT_NUMBER(std::less_equal<>()))
  RK_SKIP_UNLESS(skip_gt_slot_number, RK_SLOT_NUMBER(std::greater<>()))
  RK_SKIP_UNLESS(skip_ge_slot_number, RK_SLOT_NUMBER(std::greater_equal<>()))
  RK_OP(eq_slot_string) *sp++ = boolean(RK_SLOT_STRING_EQ()); RK_NEXT();
  RK_OP(in_slot_string) *sp++ = boolean(RK_SLOT_STRING_IN()); RK_NEXT();
  RK_OP(not_slot_bool) *sp++ = boolean(!slot_truth(slots, ip->arg)); RK_NEXT();
  RK_HIT_IF(hit_eq_slot_string, RK_SLOT_STRING_EQ())
  RK_SKIP_UNLESS(skip_eq_slot_string, RK_SLOT_STRING_EQ())
  RK_HIT_IF(hit_in_slot_string, RK_SLOT_STRING_IN())
  RK_SKIP_UNLESS(skip_in_slot_string, RK_SLOT_STRING_IN())
  RK_HIT_IF(hit_not_slot_bool, !slot_truth(slots, ip->arg))
  RK_SKIP_UNLESS(skip_not_slot_bool, !slot_truth(slots, ip->arg))
  RK_HIT_IF(hit_slot_bool, slot_truth(slots, ip->arg))
  RK_SKIP_UNLESS(skip_slot_bool, slot_truth(slots, ip->arg))
  RK_CONST_NUMBER(eq_const_number, std::equal_to<>())
  RK_CONST_NUMBER(ne_const_number, kNumberNotEqual)
  RK_CONST_NUMBER(lt_const_number, std::less<>())
  RK_CONST_NUMBER(le_const_number, std::less_equal<>())
  RK_CONST_NUMBER(gt_const_number, std::greater<>())
  RK_CONST_NUMBER(ge_const_number, std::greater_equal<>())
  RK_HIT_IF(hit_eq_const_number, RK_POPPED_NUMBER(std::equal_to<>()))
  RK_HIT_IF(hit_ne_const_number, RK_POPPED_NUMBER(kNumberNotEqual))
  RK_HIT_IF(hit_lt_const_number, RK_POPPED_NUMBER(std::less<>()))
  RK_HIT_IF(hit_le_const_number, RK_POPPED_NUMBER(std::less_equal<>()))
  RK_HIT_IF(hit_gt_const_number, RK_POPPED_NUMBER(std::greater<>()))
  RK_HIT_IF(hit_ge_const_number, RK_POPPED_NUMBER(std::greater_equal<>()))
  RK_SKIP_UNLESS(skip_eq_const_number, RK_POPPED_NUMBER(std::equal_to<>()))
  RK_SKIP_UNLESS(skip_ne_const_number, RK_POPPED_NUMBER(kNumberNotEqual))
  RK_SKIP_UNLESS(skip_lt_const_number, RK_POPPED_NUMBER(std::less<>()))
  RK_SKIP_UNLESS(skip_le_const_number, RK_POPPED_NUMBER(std::less_equal<>()))
  RK_SKIP_UNLESS(skip_gt_const_number, RK_POPPED_NUMBER(std::greater<>()))
  RK_SKIP_UNLESS(skip_ge_const_number, RK_POPPED_NUMBER(std::greater_equal<>()))
  RK_OP(ret) return sp == stack ? boolean(false) : sp[-1];  // a rule-set program leaves nothing
#if !RK_RULES_THREADED
  }
  return boolean(false);  // unreachable: every opcode has a case
#endif
#undef RK_SKIP_UNLESS
#undef RK_HIT_IF
#undef RK_SLOT_STRING_IN
#undef RK_SLOT_STRING_EQ
#undef RK_CONST_NUMBER
#undef RK_POPPED_NUMBER
#undef RK_SLOT_NUMBER
#undef RK_SLOT_COMPARE
#undef RK_BINARY
#undef RK_JUMP
#undef RK_NEXT
#undef RK_DISPATCH
#undef RK_OP
}

#if RK_RULES_THREADED
#pragma GCC diagnostic pop
#endif

/// This thread's string temporaries, at least `count` of them.
std::string *thread_temps(std::size_t count) {
  thread_local std::vector<std::string> temps;
  if (temps.size() < count) temps.resize(count);
  return temps.data();
}

}  // namespace

Cell run(const Program &program, std::span<const Value> slots, std::uint32_t &flags) noexcept {
  std::array<Cell, kMaxStack> stack;  // uninitialized: cells are written before they are read
  // String results (lower, upper, substr) live here; each such instruction owns one
  // entry and runs at most once per evaluation, so no result overwrites another. Reused
  // across evaluations, so after warm-up even string functions do not allocate.
  // Programs without string functions skip the thread-local lookup altogether.
  HitSink none;
  if (program.num_temps == 0) return run_on(program, slots, stack.data(), nullptr, flags, none);
  return run_on(program, slots, stack.data(), thread_temps(program.num_temps), flags, none);
}

void run_rules(const Program &program, std::span<const Value> slots, std::vector<std::size_t> &hits,
               std::vector<std::size_t> *divided_by_zero) {
  std::array<Cell, kMaxStack> stack;
  std::uint32_t flags = 0;
  std::string *temps = program.num_temps == 0 ? nullptr : thread_temps(program.num_temps);
  // Room for every rule to fire, trimmed to the rules that did.
  const std::size_t before = hits.size();
  hits.resize(before + program.num_rules);
  HitSink sink{hits.data() + before, divided_by_zero};
  run_on(program, slots, stack.data(), temps, flags, sink);
  hits.resize(static_cast<std::size_t>(sink.next - hits.data()));
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
