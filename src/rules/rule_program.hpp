#pragma once
/// \file
/// A whole rule set as one Program: each enabled rule's code in rule order, its `ret`
/// replaced by Op::hit, then rewritten into fused instructions (see program.hpp) that a
/// single expression never needs. One VM entry per record instead of one per rule, one
/// constant pool, and no per-rule dispatch of the commonest shapes.

#include <cstddef>
#include <span>

#include "rules/program.hpp"

namespace riskkit::rules {

/// One rule to link: its index in the RuleSet (what Op::hit reports) and its program.
struct LinkedRule {
  std::size_t index = 0;
  const Program *program = nullptr;
};

/// Links `rules` (boolean programs) into one program for run_rules(). Evaluating it
/// reports exactly the hits and divisions by zero that evaluating each rule's program
/// on its own would, in the same order.
Program link_rules(std::span<const LinkedRule> rules);

}  // namespace riskkit::rules
