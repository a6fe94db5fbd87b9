#pragma once
/// \file
/// The recursive-descent parser: tokens → syntax tree. The grammar, in EBNF, heads each
/// parse function in parser.cpp and is collected in docs/rule-language.md.

#include <string_view>

#include "riskkit/rules/expression.hpp"
#include "rules/ast.hpp"

namespace riskkit::rules {

/// Parses `source` into a tree whose literals are typed and whose names and calls are
/// unresolved. Throws Error(parse) for a syntax error and Error(limit_exceeded) when the
/// source, nesting or node count exceeds `limits`; messages start with "line:column: ".
NodePtr parse(std::string_view source, const Limits &limits);

}  // namespace riskkit::rules
