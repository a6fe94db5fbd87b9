#include "rules/builtins.hpp"

#include <array>

namespace riskkit::rules {
namespace {

using A = ArgKind;
constexpr std::array<A, 3> kNumbers{A::number, A::number, A::number};
constexpr std::array<A, 3> kStrings{A::string, A::string, A::string};
constexpr std::array<A, 3> kTimes{A::timestamp, A::timestamp, A::timestamp};

constexpr std::array<Builtin, 24> kBuiltins{{
    // math
    {"min", 2, kVariadic, kNumbers, A::number, Op::min, Lowering::fold},
    {"max", 2, kVariadic, kNumbers, A::number, Op::max, Lowering::fold},
    {"abs", 1, 1, kNumbers, A::number, Op::abs},
    {"log", 1, 1, kNumbers, A::number, Op::log},
    {"exp", 1, 1, kNumbers, A::number, Op::exp},
    {"sqrt", 1, 1, kNumbers, A::number, Op::sqrt},
    {"round", 1, 1, kNumbers, A::number, Op::round},
    {"floor", 1, 1, kNumbers, A::number, Op::floor},
    {"ceil", 1, 1, kNumbers, A::number, Op::ceil},
    {"clamp", 3, 3, kNumbers, A::number, Op::clamp},
    // missing values and choice
    {"is_missing", 1, 1, {A::any, A::any, A::any}, A::boolean, Op::is_missing},
    {"if", 3, 3, {A::boolean, A::same, A::same}, A::same, Op::ret, Lowering::if_then_else},
    {"coalesce", 2, kVariadic, {A::same, A::same, A::same}, A::same, Op::ret, Lowering::coalesce},
    // strings
    {"lower", 1, 1, kStrings, A::string, Op::lower},
    {"upper", 1, 1, kStrings, A::string, Op::upper},
    {"len", 1, 1, kStrings, A::number, Op::len},
    {"starts_with", 2, 2, kStrings, A::boolean, Op::starts_with},
    {"ends_with", 2, 2, kStrings, A::boolean, Op::ends_with},
    {"contains", 2, 2, kStrings, A::boolean, Op::contains},
    {"substr", 3, 3, {A::string, A::number, A::number}, A::string, Op::substr},
    // time (UTC)
    {"hour_of_day", 1, 1, kTimes, A::number, Op::hour_of_day},
    {"day_of_week", 1, 1, kTimes, A::number, Op::day_of_week},
    {"days_between", 2, 2, kTimes, A::number, Op::days_between},
    // bundle lists (docs/features.md#lists)
    {"in_list", 2, 2, kStrings, A::boolean, Op::in_list, Lowering::list_lookup, false},
}};

}  // namespace

std::span<const Builtin> builtins() noexcept { return kBuiltins; }

const Builtin *find_builtin(std::string_view name) noexcept {
  for (const auto &b : builtins()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace riskkit::rules
