#include "riskkit/core/record.hpp"

#include <fmt/format.h>

#include "core/json_parse.hpp"
#include "riskkit/error.hpp"

namespace riskkit {

Record &Record::set(std::string name, Value value) {
  for (auto &field : fields_) {
    if (field.first == name) {
      field.second = std::move(value);
      return *this;
    }
  }
  fields_.emplace_back(std::move(name), std::move(value));
  return *this;
}

const Value *Record::find(std::string_view name) const noexcept {
  for (const auto &field : fields_)
    if (field.first == name) return &field.second;
  return nullptr;
}

Record Record::from_json(std::string_view json) {
  const detail::Json doc = detail::parse_json(json, "record", {.max_depth = 2, .max_bytes = std::size_t{1} << 20});
  if (!doc.is_object()) throw Error(ErrorCode::invalid_record, "record: expected a JSON object");
  Record record;
  record.fields_.reserve(doc.size());
  for (const auto &[key, value] : doc.items()) {
    switch (value.type()) {
      case detail::Json::value_t::null: record.set(key, Value::missing()); break;
      case detail::Json::value_t::boolean: record.set(key, Value::boolean(value.get<bool>())); break;
      case detail::Json::value_t::number_integer:
      case detail::Json::value_t::number_unsigned:
      case detail::Json::value_t::number_float: record.set(key, Value::number(value.get<double>())); break;
      case detail::Json::value_t::string: record.set(key, Value::string(value.get<std::string>())); break;
      default:
        throw Error(ErrorCode::invalid_record,
                    fmt::format("record: field '{}': nested objects and arrays are not supported", key));
    }
  }
  return record;
}

}  // namespace riskkit
