#include "riskkit/core/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "riskkit/core/time.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

// Quotes a user-supplied string for a message, cut to a readable length.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 40;
  return s.size() <= kMax ? fmt::format("\"{}\"", s) : fmt::format("\"{}...\"", s.substr(0, kMax));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double x = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (s.empty() || end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  return x;
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  if (s == "true" || s == "TRUE" || s == "True" || s == "1") return true;
  if (s == "false" || s == "FALSE" || s == "False" || s == "0") return false;
  return std::nullopt;
}

}  // namespace

const char *to_string(FieldType type) noexcept {
  switch (type) {
    case FieldType::number: return "number";
    case FieldType::string: return "string";
    case FieldType::boolean: return "bool";
    case FieldType::timestamp: return "timestamp";
  }
  return "unknown";
}

Schema::Schema(std::vector<FieldSpec> fields) : fields_(std::move(fields)) {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name.empty()) throw Error(ErrorCode::invalid_bundle, fmt::format("schema: field {} has no name", i));
    if (!index_.emplace(fields_[i].name, i).second)
      throw Error(ErrorCode::invalid_bundle, fmt::format("schema: field '{}' is declared twice", fields_[i].name));
  }
}

std::optional<std::size_t> Schema::index_of(std::string_view name) const noexcept {
  const auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Value Schema::parse_text(std::size_t field, std::string_view text, std::string &problem) const {
  const FieldSpec &spec = fields_.at(field);
  if (text.empty()) return Value::missing();
  switch (spec.type) {
    case FieldType::string: return Value::string(std::string(text));
    case FieldType::number:
      if (auto x = parse_number(text)) {
        if (std::find(spec.missing_values.begin(), spec.missing_values.end(), *x) != spec.missing_values.end())
          return Value::missing();
        return Value::number(*x);
      }
      problem = fmt::format("expected number, got string {}", quoted(text));
      return Value::missing();
    case FieldType::boolean:
      if (auto b = parse_bool(text)) return Value::boolean(*b);
      problem = fmt::format("expected bool, got string {}", quoted(text));
      return Value::missing();
    case FieldType::timestamp:
      if (auto t = parse_timestamp(trim(text))) return Value::timestamp(*t);
      if (auto x = parse_number(text); x && std::isfinite(*x) && std::abs(*x) < 1e13)
        return Value::timestamp(Timestamp{static_cast<std::int64_t>(std::llround(*x * 1e6))});
      problem = fmt::format("expected timestamp, got string {}", quoted(text));
      return Value::missing();
  }
  return Value::missing();
}

Value Schema::conform_value(const FieldSpec &spec, const Value &raw, std::vector<FieldIssue> &issues) const {
  const ValueType given = raw.type();
  if (given == ValueType::missing) return raw;
  if (given == ValueType::string && spec.type != FieldType::string) {
    std::string problem;
    Value v = parse_text(static_cast<std::size_t>(&spec - fields_.data()), raw.as_string(), problem);
    if (!problem.empty()) issues.push_back({spec.name, std::move(problem), false});
    return v;
  }
  switch (spec.type) {
    case FieldType::number:
      if (given == ValueType::number) {
        const double x = raw.as_number();
        if (std::find(spec.missing_values.begin(), spec.missing_values.end(), x) != spec.missing_values.end())
          return Value::missing();
        return raw;
      }
      break;
    case FieldType::string:
      if (given == ValueType::string) return raw;
      break;
    case FieldType::boolean:
      if (given == ValueType::boolean) return raw;
      break;
    case FieldType::timestamp:
      if (given == ValueType::timestamp) return raw;
      if (given == ValueType::number && std::isfinite(raw.as_number()) && std::abs(raw.as_number()) < 1e13)
        return Value::timestamp(Timestamp{static_cast<std::int64_t>(std::llround(raw.as_number() * 1e6))});
      break;
  }
  issues.push_back({spec.name, fmt::format("expected {}, got {}", to_string(spec.type), to_string(given)), false});
  return Value::missing();
}

void Schema::conform(const Record &record, std::vector<Value> &out, std::vector<FieldIssue> &issues) const {
  out.assign(fields_.size(), Value::missing());
  for (const auto &[name, raw] : record.fields()) {
    const auto index = index_of(name);
    if (!index) {
      // An undeclared field that is missing anyway (null, an empty CSV cell) is the same as absent.
      if (!raw.is_missing()) issues.push_back({name, "not in the schema; ignored", false});
      continue;
    }
    out[*index] = conform_value(fields_[*index], raw, issues);
  }
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].required && out[i].is_missing())
      issues.push_back({fields_[i].name, "required field is missing", true});
}

}  // namespace riskkit
