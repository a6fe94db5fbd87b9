#pragma once
/// \file
/// The type checker: resolves names and functions and gives every node its type.

#include <string>
#include <vector>

#include "riskkit/rules/expression.hpp"
#include "rules/ast.hpp"

namespace riskkit::rules {

/// Resolves every name against `symbols` (setting Node::slot) and every call against
/// the function table (setting Node::builtin), and sets every Node::type. Returns the
/// names read, each once, in order of first use. Throws Error(invalid_bundle) with
/// "line:column: " for an unknown name or function, a type error or a wrong arity.
std::vector<std::string> check(Node &root, const SymbolTable &symbols);

}  // namespace riskkit::rules
