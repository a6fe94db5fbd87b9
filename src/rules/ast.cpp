#include "rules/ast.hpp"

namespace riskkit::rules {

const char *spelling(Operator op) noexcept {
  switch (op) {
    case Operator::negate: return "-";
    case Operator::logical_not: return "not";
    case Operator::logical_or: return "or";
    case Operator::logical_and: return "and";
    case Operator::eq: return "==";
    case Operator::ne: return "!=";
    case Operator::lt: return "<";
    case Operator::le: return "<=";
    case Operator::gt: return ">";
    case Operator::ge: return ">=";
    case Operator::add: return "+";
    case Operator::subtract: return "-";
    case Operator::multiply: return "*";
    case Operator::divide: return "/";
    case Operator::modulo: return "%";
  }
  return "?";
}

}  // namespace riskkit::rules
