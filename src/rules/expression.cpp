#include "riskkit/rules/expression.hpp"

#include <utility>

#include "rules/checker.hpp"
#include "rules/compiler.hpp"
#include "rules/parser.hpp"
#include "rules/program.hpp"

namespace riskkit::rules {

Expression Expression::compile(std::string_view source, const SymbolTable &symbols, const Limits &limits) {
  NodePtr root = parse(source, limits);
  std::vector<std::string> names = check(*root, symbols);
  fold_constants(root);
  auto program = std::make_shared<Program>(generate(*root));
  program->source = std::string(source);
  program->names = std::move(names);
  return Expression(std::move(program));
}

Type Expression::type() const noexcept { return program_->type; }
const std::vector<std::string> &Expression::names() const noexcept { return program_->names; }
const std::string &Expression::source() const noexcept { return program_->source; }

const char *to_string(Type type) noexcept {
  switch (type) {
    case Type::number: return "number";
    case Type::string: return "string";
    case Type::boolean: return "bool";
    case Type::timestamp: return "timestamp";
  }
  return "unknown";
}

}  // namespace riskkit::rules
