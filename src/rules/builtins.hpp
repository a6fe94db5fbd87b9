#pragma once
/// \file
/// The function table: every function an expression may call. The checker reads it for
/// arity and types, the compiler for the opcode; adding a function is one row here, an
/// opcode in program.hpp and its case in vm.cpp.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "rules/program.hpp"

namespace riskkit::rules {

struct Builtin {
  std::string_view name;
  std::size_t min_args = 1;
  std::size_t max_args = 1;     ///< kVariadic for no upper bound
  std::optional<Type> param;    ///< type every argument must have; nullopt = any type
  Type result = Type::number;
  Op op = Op::ret;              ///< unary, or binary applied left to right for variadics
  bool pure = true;             ///< depends only on its arguments, so constant calls fold
};

inline constexpr std::size_t kVariadic = static_cast<std::size_t>(-1);

/// All functions, in documentation order.
std::span<const Builtin> builtins() noexcept;

/// The function called `name`, or nullptr.
const Builtin *find_builtin(std::string_view name) noexcept;

}  // namespace riskkit::rules
