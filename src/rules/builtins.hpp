#pragma once
/// \file
/// The function table: every function an expression may call. The checker reads it for
/// arity and types, the compiler for the opcode and how to lower the call; adding a
/// function is one row here, an opcode in program.hpp and its case in vm.cpp. Functions
/// that need a bundle (list membership, velocity) join the table with `pure = false`,
/// so constant folding never evaluates them at compile time.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "rules/program.hpp"

namespace riskkit::rules {

/// What an argument (or the result) may be.
enum class ArgKind : std::uint8_t {
  number, string, boolean, timestamp,
  any,   ///< any type; each argument independently
  same,  ///< one type T shared by every `same` argument (a `null` takes it); a `same` result is T
};

/// How a call becomes bytecode.
enum class Lowering : std::uint8_t {
  fixed,         ///< push every argument, then `op` once (consumes all of them)
  fold,          ///< push two arguments, `op`; then for each further one: push it, `op`
  if_then_else,  ///< lazy: only the chosen branch runs
  coalesce,      ///< lazy: stops at the first present argument
  list_lookup,   ///< the first argument is a string literal naming a list (resolved by the
                 ///< checker into Node::list); only the second is pushed, then `op`
};

struct Builtin {
  std::string_view name;
  std::size_t min_args = 1;
  std::size_t max_args = 1;        ///< kVariadic for no upper bound
  std::array<ArgKind, 3> args{};   ///< argument i has kind args[min(i, 2)]
  ArgKind result = ArgKind::number;
  Op op = Op::ret;
  Lowering lowering = Lowering::fixed;
  bool pure = true;                ///< depends only on its arguments, so constant calls fold

  ArgKind arg(std::size_t i) const noexcept { return args[i < 2 ? i : 2]; }
};

inline constexpr std::size_t kVariadic = static_cast<std::size_t>(-1);

/// All functions, in documentation order.
std::span<const Builtin> builtins() noexcept;

/// The function called `name`, or nullptr.
const Builtin *find_builtin(std::string_view name) noexcept;

}  // namespace riskkit::rules
