#include "rules/builtins.hpp"

#include <array>

namespace riskkit::rules {
namespace {

constexpr std::array<Builtin, 5> kBuiltins{{
    {"min", 2, kVariadic, Type::number, Type::number, Op::min},
    {"max", 2, kVariadic, Type::number, Type::number, Op::max},
    {"abs", 1, 1, Type::number, Type::number, Op::abs},
    {"log", 1, 1, Type::number, Type::number, Op::log},
    {"is_missing", 1, 1, std::nullopt, Type::boolean, Op::is_missing},
}};

}  // namespace

std::span<const Builtin> builtins() noexcept { return kBuiltins; }

const Builtin *find_builtin(std::string_view name) noexcept {
  for (const auto &b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace riskkit::rules
