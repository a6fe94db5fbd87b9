#pragma once
/// \file
/// Schema: the typed fields a bundle expects, and how raw records are conformed to them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "riskkit/core/record.hpp"
#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"

namespace riskkit {

/// The declared type of a field.
enum class FieldType : std::uint8_t { number = 1, string = 2, boolean = 3, timestamp = 4 };

/// What a field means to the engine. event_id and event_time identify the event
/// (audit, velocity); entity fields key velocity state.
enum class FieldRole : std::uint8_t { none, event_id, event_time, entity };

/// One field of a schema.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::number;
  bool required = false;
  FieldRole role = FieldRole::none;
  /// Numbers that mean "missing" for this field (e.g. -999). Number fields only.
  std::vector<double> missing_values;
  /// The kind of personal data this field holds ("phone", "device", ...), empty if none.
  std::string pii;
};

/// A problem found while conforming a record. `fatal` problems (a required field that is
/// missing) make the record unusable; the others leave the field missing.
struct FieldIssue {
  std::string field;
  std::string message;
  bool fatal = false;
};

/// An ordered list of fields.
///
/// Conforming rules, per field: absent, null, NaN and declared sentinels → missing;
/// a value of the declared type → kept; a string given for a number, bool or timestamp
/// field is parsed (whole string, e.g. "5200", "true", "2026-11-25T10:00:00Z") and, if it
/// does not parse, becomes missing with an issue; a number for a timestamp field is epoch
/// seconds; any other type mismatch → missing with an issue. Fields the schema does not
/// declare are ignored and, unless missing, reported as a non-fatal issue. A required field that
/// ends up missing is a fatal issue.
class RK_API Schema {
 public:
  Schema() = default;
  /// Throws Error(invalid_bundle) on duplicate or empty names.
  explicit Schema(std::vector<FieldSpec> fields);

  const std::vector<FieldSpec> &fields() const noexcept { return fields_; }
  std::size_t size() const noexcept { return fields_.size(); }
  std::optional<std::size_t> index_of(std::string_view name) const noexcept;

  /// Writes one Value per field, in schema order, to `out` (resized to size()), and
  /// appends problems to `issues`. Never throws for data problems.
  void conform(const Record &record, std::vector<Value> &out, std::vector<FieldIssue> &issues) const;

  /// Converts one text cell (CSV) to a Value of the field's type with the same rules as
  /// conform; an empty cell is missing. Returns the issue text through `problem` on failure.
  Value parse_text(std::size_t field, std::string_view text, std::string &problem) const;

 private:
  Value conform_value(const FieldSpec &spec, const Value &raw, std::vector<FieldIssue> &issues) const;
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<FieldSpec> fields_;
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> index_;
};

/// "number", "string", "bool", "timestamp".
RK_API const char *to_string(FieldType type) noexcept;

}  // namespace riskkit
