#include <algorithm>

#include "rules/builtins.hpp"
#include "rules/compiler.hpp"

namespace riskkit::rules {
namespace {

bool is_constant(const Node &node) {
  if (node.kind == NodeKind::name) return false;
  if (node.kind == NodeKind::call && !node.builtin->pure) return false;
  return std::all_of(node.children.begin(), node.children.end(),
                     [](const NodePtr &child) { return child->kind == NodeKind::literal; });
}

}  // namespace

void fold_constants(NodePtr &root) {
  for (auto &child : root->children) fold_constants(child);
  if (root->kind == NodeKind::literal || !is_constant(*root)) return;
  const Program program = generate(*root);
  std::uint32_t flags = 0;
  const Value value = to_value(run(program, {}, flags), root->type);
  // A constant division by zero stays in the code, so every evaluation reports it.
  if (flags & kFlagDivisionByZero) return;
  root->value = value;
  root->kind = NodeKind::literal;
  root->children.clear();
  root->height = 1;
}

}  // namespace riskkit::rules
