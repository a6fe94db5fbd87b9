#pragma once
/// \file
/// Record: one event (a loan application, a transaction) as named Values.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"

namespace riskkit {

/// An unordered set of named Values, as received from the caller. A Record is not yet
/// checked against any schema: Schema::conform does that. Setting a name twice keeps
/// the last value.
///
///     riskkit::Record r;
///     r.set("monthly_income", riskkit::Value::number(5200)).set("channel", riskkit::Value::string("app"));
class RK_API Record {
 public:
  using Field = std::pair<std::string, Value>;

  Record &set(std::string name, Value value);
  /// The value of `name`, or nullptr when the record has no such field.
  const Value *find(std::string_view name) const noexcept;
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  const std::vector<Field> &fields() const noexcept { return fields_; }

  /// Parses one JSON object: numbers, strings, booleans and null (missing). Nested
  /// objects and arrays are refused. Throws Error(parse) naming line:column, or
  /// Error(invalid_record) naming the field. Depth and size are bounded.
  static Record from_json(std::string_view json);

 private:
  std::vector<Field> fields_;
};

}  // namespace riskkit
