#pragma once
/// \file
/// The compiled form of an expression: flat bytecode for a small stack machine.
///
/// Every instruction is typed (the checker has proved the operand types), so the VM
/// never inspects a runtime tag except to read the caller's slots. A Program is built
/// once by the compiler, then shared read-only between threads.

#include <cstddef>
#include <cstdint>
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
  is_missing,      ///< ( v -- b ), any type
  eq_number, ne_number, lt_number, le_number, gt_number, ge_number,                    ///< ( x y -- b )
  eq_string, ne_string, lt_string, le_string, gt_string, ge_string,                    ///< ( s t -- b )
  eq_timestamp, ne_timestamp, lt_timestamp, le_timestamp, gt_timestamp, ge_timestamp,  ///< ( t u -- b )
  eq_bool, ne_bool,                                                                    ///< ( b c -- b )
  in_number,      ///< ( x -- b ) x in number_lists[arg]; `negate` flag makes it `not in`
  in_string,      ///< ( s -- b ) s in string_lists[arg]
  in_bool,        ///< ( b -- b ) arg bit 0: false is listed, bit 1: true is listed
  logical_not,    ///< ( b -- !b ), missing counts as false
  to_bool,        ///< ( b -- b ), missing becomes false
  jump_if_false,  ///< ( b -- ) if b is not true: replace it by false and jump to arg
  jump_if_true,   ///< ( b -- ) if b is true: keep it and jump to arg
  ret,            ///< ( v -- v ) the result is the top of the stack
};

/// One instruction: 8 bytes.
struct Instruction {
  Op op = Op::ret;
  bool negate = false;     ///< for in_*: `not in`
  std::uint32_t arg = 0;   ///< slot, constant, list or jump target
};

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
  std::size_t max_stack = 1;       ///< deepest stack the code reaches
};

/// Runs `program` over `slots` (vm.cpp). A string result points into `slots` or the
/// program, so it is valid as long as both are.
Cell run(const Program &program, std::span<const Value> slots) noexcept;

/// The Value of a result cell of static type `type` (copies strings).
Value to_value(const Cell &cell, Type type);

}  // namespace riskkit::rules
