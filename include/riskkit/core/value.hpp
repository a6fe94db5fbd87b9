#pragma once
/// \file
/// Value: one typed datum of a record, a feature or an expression result.
///
/// Missing values, defined once for the whole library: a value is *missing* when the
/// field is absent from the record, is JSON null, is a NaN number, or equals one of the
/// schema's declared sentinels (e.g. -999). All four become the same missing Value
/// (type() == ValueType::missing); Schema::conform reports which form it took only in
/// diagnostics. Models see missing as NaN; rules see it through is_missing(x), and
/// every comparison with a missing operand is false.

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "riskkit/export.hpp"

namespace riskkit {

/// A point in time: microseconds since the Unix epoch, UTC.
struct Timestamp {
  std::int64_t micros = 0;
  friend bool operator==(Timestamp a, Timestamp b) { return a.micros == b.micros; }
  friend bool operator<(Timestamp a, Timestamp b) { return a.micros < b.micros; }
};

/// The type of a Value. Values are stable (they appear in the C ABI's docs).
enum class ValueType : std::uint8_t { missing = 0, number = 1, string = 2, boolean = 3, timestamp = 4 };

/// "missing", "number", "string", "bool" or "timestamp".
RK_API const char *to_string(ValueType type) noexcept;

/// A missing value, a double, a string, a bool or a Timestamp. Cheap to move; a NaN
/// number is normalized to missing on construction.
class RK_API Value {
 public:
  Value() = default;  ///< missing
  static Value missing() { return Value(); }
  static Value number(double x) { return std::isnan(x) ? Value() : Value(Storage(x)); }
  static Value string(std::string s) { return Value(Storage(std::move(s))); }
  static Value boolean(bool b) { return Value(Storage(b)); }
  static Value timestamp(Timestamp t) { return Value(Storage(t)); }

  ValueType type() const noexcept { return static_cast<ValueType>(v_.index()); }
  bool is_missing() const noexcept { return v_.index() == 0; }

  /// Accessors; calling one for the wrong type is a precondition violation (checked
  /// by std::get, which throws std::bad_variant_access).
  double as_number() const { return std::get<double>(v_); }
  const std::string &as_string() const { return std::get<std::string>(v_); }
  bool as_bool() const { return std::get<bool>(v_); }
  Timestamp as_timestamp() const { return std::get<Timestamp>(v_); }

  /// The value as a model input: number as is, bool as 0/1, timestamp as epoch
  /// seconds, missing (and strings) as NaN.
  double to_double() const noexcept;

  friend bool operator==(const Value &a, const Value &b) { return a.v_ == b.v_; }

 private:
  using Storage = std::variant<std::monostate, double, std::string, bool, Timestamp>;
  explicit Value(Storage s) : v_(std::move(s)) {}
  Storage v_;
};

}  // namespace riskkit
