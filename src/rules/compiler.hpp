#pragma once
/// \file
/// From a checked syntax tree to bytecode: constant folding, then code generation.

#include <cstddef>

#include "rules/ast.hpp"
#include "rules/program.hpp"

namespace riskkit::rules {

/// The deepest evaluation stack a Program may need; the VM keeps its stack in a fixed
/// array of this many cells on the machine stack, so evaluation never allocates.
inline constexpr std::size_t kMaxStack = 256;

/// Replaces every constant subtree of the checked tree by a literal holding its value.
/// The value is computed by generating code for the subtree and running it on the VM,
/// so a folded expression gives exactly what the unfolded one would.
void fold_constants(NodePtr &root);

/// Generates the bytecode of a checked tree: code, constants, lists, type, max_stack.
/// Throws Error(limit_exceeded) if the program would need more than kMaxStack cells.
Program generate(const Node &root);

}  // namespace riskkit::rules
