#include "rules/diagnostic.hpp"

#include <fmt/format.h>

namespace riskkit::rules {

void fail(ErrorCode code, SourcePos at, std::string_view message) {
  throw Error(code, fmt::format("{}:{}: {}", at.line, at.column, message));
}

}  // namespace riskkit::rules
