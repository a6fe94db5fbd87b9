#pragma once
/// \file
/// The compiled form of an expression: flat bytecode for a small stack machine.
///
/// Every instruction is typed (the checker has proved the operand types), so the VM
/// never inspects a runtime tag except to read the caller's slots. A Program is built
/// once by the compiler, then shared read-only between threads.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit::rules {

/// Opcodes. Stack effects are written as (before -- after).
enum class Op : std::uint8_t {
  load_number,     ///< ( -- x ) slots[arg] as a number; any other type is missing
  load_string,     ///< ( -- s ) slots[arg] as a string
  load_bool,       ///< ( -- b ) slots[arg] as a bool
  load_timestamp,  ///< ( -- t ) slots[arg] as a timestamp
  push_constant,   ///< ( -- c ) Program::constants[arg]
  push_string,     ///< ( -- s ) Program::strings[arg]
  negate,          ///< ( x -- -x )
  add,             ///< ( x y -- x+y )
  subtract,        ///< ( x y -- x-y )
  multiply,        ///< ( x y -- x*y )
  divide,          ///< ( x y -- x/y ), y == 0 gives missing
  modulo,          ///< ( x y -- fmod(x,y) ), y == 0 gives missing
  abs,             ///< ( x -- |x| )
  log,             ///< ( x -- ln x ), x <= 0 gives missing
  min,             ///< ( x y -- min ), missing if either is missing
  max,             ///< ( x y -- max ), missing if either is missing
  exp,             ///< ( x -- e^x ), overflow gives +inf
  sqrt,            ///< ( x -- sqrt x ), x < 0 gives missing
  round,           ///< ( x -- round x ), halves away from zero
  floor,           ///< ( x -- floor x )
  ceil,            ///< ( x -- ceil x )
  clamp,           ///< ( x lo hi -- min(max(x, lo), hi) ), lo > hi gives missing
  is_missing,      ///< ( v -- b ), any type
  lower,           ///< ( s -- s' ) ASCII letters lowered into temps[arg]
  upper,           ///< ( s -- s' ) ASCII letters raised into temps[arg]
  len,             ///< ( s -- n ) code points
  starts_with,     ///< ( s t -- b ) false when either is missing
  ends_with,       ///< ( s t -- b )
  contains,        ///< ( s t -- b )
  substr,          ///< ( s start count -- s' ) code points, into temps[arg]
  hour_of_day,     ///< ( t -- n ) 0-23, UTC
  day_of_week,     ///< ( t -- n ) 1 = Monday ... 7 = Sunday, UTC
  days_between,    ///< ( t u -- n ) (u - t) in days, fractional
  between_number,     ///< ( x lo hi -- b ) lo <= x <= hi; `negate` makes it `not between`
  between_string,     ///< ( s lo hi -- b )
  between_timestamp,  ///< ( t lo hi -- b )
  eq_number, ne_number, lt_number, le_number, gt_number, ge_number,                    ///< ( x y -- b )
  eq_string, ne_string, lt_string, le_string, gt_string, ge_string,                    ///< ( s t -- b )
  eq_timestamp, ne_timestamp, lt_timestamp, le_timestamp, gt_timestamp, ge_timestamp,  ///< ( t u -- b )
  eq_bool, ne_bool,                                                                    ///< ( b c -- b )
  /// ( -- b ) slots[arg] (a number) compared with constants[arg2]: `income > 3000` in one
  /// step instead of three, the most common shape of a rule's condition.
  eq_slot_number, ne_slot_number, lt_slot_number, le_slot_number, gt_slot_number, ge_slot_number,
  in_number,      ///< ( x -- b ) x in number_lists[arg]; `negate` flag makes it `not in`
  in_string,      ///< ( s -- b ) s in string_lists[arg]
  in_bool,        ///< ( b -- b ) arg bit 0: false is listed, bit 1: true is listed
  in_list,        ///< ( s -- b ) s in member_lists[arg] (a bundle list); missing gives false
  logical_not,    ///< ( b -- !b ), missing counts as false
  to_bool,        ///< ( b -- b ), missing becomes false
  jump_if_false,  ///< ( b -- ) if b is not true: replace it by false and jump to arg
  jump_if_true,   ///< ( b -- ) if b is true: keep it and jump to arg
  branch_if_not,  ///< ( b -- ) pop b; if it is not true, jump to arg
  jump,           ///< ( -- ) jump to arg
  jump_if_present,  ///< ( v -- v ) if v is present: keep it and jump to arg; else pop it
  // Rule-set programs only (rule_program.cpp): every rule's code in one program, so a
  // record costs one VM entry instead of one per rule.
  hit,            ///< ( b -- ) if b is true, rule arg fired; rule arg's division flag is reported here
  /// ( -- ) slots[arg] (a number) compared with constants[arg2]; if true, rule arg3 fired.
  hit_eq_slot_number, hit_ne_slot_number, hit_lt_slot_number, hit_le_slot_number, hit_gt_slot_number,
  hit_ge_slot_number,
  /// ( -- ) slots[arg] compared with constants[arg2]; if not true, jump to arg3 (the
  /// fused `x > c and ...` of a rule, whose false result skips the rule's hit).
  skip_eq_slot_number, skip_ne_slot_number, skip_lt_slot_number, skip_le_slot_number, skip_gt_slot_number,
  skip_ge_slot_number,
  eq_slot_string,  ///< ( -- b ) slots[arg] (a string) == strings[arg2]; `negate` makes it !=
  in_slot_string,  ///< ( -- b ) slots[arg] (a string) in string_lists[arg2]; `negate` makes it `not in`
  not_slot_bool,   ///< ( -- b ) not slots[arg] (a bool); missing counts as false, so gives true
  /// ( -- ) the three predicates above and a bool slot's truth, fused like the *_slot_number
  /// ones: hit_* reports rule arg3 if the predicate is true, skip_* jumps to arg3 if not.
  hit_eq_slot_string, skip_eq_slot_string, hit_in_slot_string, skip_in_slot_string,
  hit_not_slot_bool, skip_not_slot_bool, hit_slot_bool, skip_slot_bool,
  /// ( x -- b ) x compared with constants[arg2]: `a / b > 0.6`, `days_between(t, u) < 30`.
  eq_const_number, ne_const_number, lt_const_number, le_const_number, gt_const_number, ge_const_number,
  /// ( x -- ) as above; if true, rule arg3 fired.
  hit_eq_const_number, hit_ne_const_number, hit_lt_const_number, hit_le_const_number, hit_gt_const_number,
  hit_ge_const_number,
  /// ( x -- ) as above; if not true, jump to arg3.
  skip_eq_const_number, skip_ne_const_number, skip_lt_const_number, skip_le_const_number, skip_gt_const_number,
  skip_ge_const_number,
  ret,            ///< ( v -- v ) the result is the top of the stack; always the last opcode
};

/// The number of opcodes (Op::ret is the last).
inline constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::ret) + 1;

/// One instruction: 16 bytes.
struct Instruction {
  Op op = Op::ret;
  bool negate = false;     ///< for in_*, between_* and eq_slot_string: `not in`, `not between`, `!=`
  std::uint32_t arg = 0;   ///< slot, constant, list, temporary, jump target or rule
  std::uint32_t arg2 = 0;  ///< the constant, string or list of a fused slot instruction
  std::uint32_t arg3 = 0;  ///< the rule or jump target of a fused hit_* / skip_* instruction
};
static_assert(sizeof(Instruction) == 16);

/// One VM stack cell. The static type is known from the bytecode, so the cell holds no
/// type tag. Invariants: a missing number holds NaN, so IEEE arithmetic propagates it
/// without a branch; a missing bool holds `truth == false`. Strings point into the
/// caller's slots or the Program, never owning memory.
struct Cell {
  union {
    double number;
    std::int64_t micros;
    const std::string *text;
    bool truth;
  };
  bool missing;
};

/// A compiled expression; immutable once built.
class Program {
 public:
  std::string source;              ///< the expression text
  Type type = Type::boolean;       ///< static result type
  std::vector<std::string> names;  ///< names read, in order of first use
  std::vector<Instruction> code;   ///< ends with Op::ret
  std::vector<Cell> constants;     ///< numbers, bools, typed missings (never strings)
  std::vector<std::string> strings;
  std::vector<std::vector<double>> number_lists;       ///< sorted ascending
  std::vector<std::vector<std::string>> string_lists;  ///< sorted ascending
  std::vector<std::shared_ptr<const StringList>> member_lists;  ///< bundle lists named by in_list()
  std::size_t max_stack = 1;       ///< deepest stack the code reaches
  std::size_t num_temps = 0;       ///< string results built during evaluation (one per instruction)
  std::size_t num_rules = 0;       ///< rule-set programs: the rules linked (each reports at most one hit)
};

/// Bits of the `flags` argument of run(): what an evaluation noticed besides its value.
inline constexpr std::uint32_t kFlagDivisionByZero = 1;

/// Runs `program` over `slots` (vm.cpp), OR-ing kFlag* bits into `flags`. A string result
/// points into `slots`, the program or this thread's temporaries, so it is valid until
/// the thread's next run().
Cell run(const Program &program, std::span<const Value> slots, std::uint32_t &flags) noexcept;

/// Runs a rule-set program (see link_rules in rule_program.hpp): appends every rule that
/// fired to `hits` and, when `divided_by_zero` is given, every rule that divided by zero.
void run_rules(const Program &program, std::span<const Value> slots, std::vector<std::size_t> &hits,
               std::vector<std::size_t> *divided_by_zero);

/// The Value of a result cell of static type `type` (copies strings).
Value to_value(const Cell &cell, Type type);

}  // namespace riskkit::rules
