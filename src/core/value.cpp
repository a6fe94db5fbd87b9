#include "riskkit/core/value.hpp"

#include <limits>

namespace riskkit {

const char *to_string(ValueType type) noexcept {
  switch (type) {
    case ValueType::missing: return "missing";
    case ValueType::number: return "number";
    case ValueType::string: return "string";
    case ValueType::boolean: return "bool";
    case ValueType::timestamp: return "timestamp";
  }
  return "unknown";
}

double Value::to_double() const noexcept {
  switch (type()) {
    case ValueType::number: return std::get<double>(v_);
    case ValueType::boolean: return std::get<bool>(v_) ? 1.0 : 0.0;
    case ValueType::timestamp: return static_cast<double>(std::get<Timestamp>(v_).micros) / 1e6;
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace riskkit
