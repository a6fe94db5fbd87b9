#include "riskkit/rules/expression.hpp"

#include <utility>

#include <fmt/format.h>

#include "rules/checker.hpp"
#include "rules/compiler.hpp"
#include "rules/parser.hpp"
#include "rules/program.hpp"

namespace riskkit::rules {

Expression Expression::compile(std::string_view source, const SymbolTable &symbols, const Limits &limits) {
  try {
    NodePtr root = parse(source, limits);
    std::vector<std::string> names = check(*root, symbols);
    fold_constants(root);
    auto program = std::make_shared<Program>(generate(*root));
    // No loops and only forward jumps: an evaluation runs each instruction at most once.
    if (program->code.size() > limits.max_steps) {
      fail(ErrorCode::limit_exceeded, root->span.begin,
           fmt::format("expression compiles to {} evaluation steps, more than the limit of {}", program->code.size(),
                       limits.max_steps));
    }
    program->source = std::string(source);
    program->names = std::move(names);
    return Expression(std::move(program));
  } catch (const Diagnostic &d) {
    throw Error(d.code(), fmt::format("{}\n{}", d.what(), caret_excerpt(source, d.at())));
  }
}

const Program &program_of(const Expression &expression) noexcept { return *expression.program_; }

std::size_t Expression::max_steps() const noexcept { return program_->code.size(); }

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
