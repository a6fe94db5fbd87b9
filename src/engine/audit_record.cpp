#include "engine/audit_record.hpp"

#include <cmath>
#include <limits>

#include "riskkit/core/time.hpp"

namespace riskkit::detail {
namespace {

Json value_json(const Value &v) {
  switch (v.type()) {
    case ValueType::missing: return Json();
    case ValueType::number: return audit_number(v.as_number());
    case ValueType::string: return v.as_string();
    case ValueType::boolean: return v.as_bool();
    case ValueType::timestamp: {
      // ISO-8601 reads back only from 1970 on; earlier instants stay integer microseconds.
      const Timestamp t = v.as_timestamp();
      return t.micros >= 0 ? Json(format_timestamp(t)) : Json(t.micros);
    }
  }
  return Json();
}

// A logged value as a value of a field of `type`; nullopt when it does not fit.
std::optional<Value> field_value(FieldType type, const Json &j) {
  if (j.is_null()) return Value::missing();
  double x = 0;
  switch (type) {
    case FieldType::number:
      if (read_audit_number(j, x)) return Value::number(x);
      break;
    case FieldType::string:
      if (j.is_string()) return Value::string(j.get<std::string>());
      break;
    case FieldType::boolean:
      if (j.is_boolean()) return Value::boolean(j.get<bool>());
      break;
    case FieldType::timestamp:
      if (j.is_number_integer()) return Value::timestamp(Timestamp{j.get<std::int64_t>()});
      if (j.is_string())
        if (const auto t = parse_timestamp(j.get<std::string>())) return Value::timestamp(*t);
      break;
  }
  return std::nullopt;
}

}  // namespace

Json audit_number(double x) {
  if (std::isnan(x)) return Json();
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

bool read_audit_number(const Json &j, double &out) {
  if (j.is_null()) out = std::numeric_limits<double>::quiet_NaN();
  else if (j.is_number()) out = j.get<double>();
  else if (j == "Infinity") out = std::numeric_limits<double>::infinity();
  else if (j == "-Infinity") out = -std::numeric_limits<double>::infinity();
  else return false;
  return true;
}

std::string audit_line(const BundleContent &content, const Decision &d, const AuditCapture &capture,
                       VelocityFailurePolicy velocity_failure) {
  Json j;
  j["audit"] = 1;
  j["decision_id"] = d.decision_id;
  j["event_id"] = d.event_id;
  Json event_time;
  for (std::size_t i = 0; i < content.schema.size(); ++i)
    if (content.schema.fields()[i].role == FieldRole::event_time) event_time = value_json(capture.fields[i]);
  j["event_time"] = std::move(event_time);
  j["bundle"] = {{"name", content.name}, {"version", content.version}, {"stage", content.stage},
                 {"digest", content.digest}};
  j["arm"] = d.arm;
  j["velocity_failure"] = velocity_failure == VelocityFailurePolicy::fail_closed ? "fail_closed" : "fail_open";
  Json inputs = Json::object();
  for (std::size_t i = 0; i < content.schema.size(); ++i)
    inputs[content.schema.fields()[i].name] = value_json(capture.fields[i]);
  j["inputs"] = std::move(inputs);
  Json input_issues = Json::array();
  for (std::size_t i = 0; i < capture.input_issues; ++i)
    input_issues.push_back({{"field", d.issues[i].field}, {"message", d.issues[i].message}});
  j["input_issues"] = std::move(input_issues);
  Json velocity = Json::object();
  for (const auto &[name, result] : capture.velocity)
    velocity[name] = {{"value", audit_number(result.value)},
                      {"status", result.status == VelocityStatus::ok     ? "ok"
                                 : result.status == VelocityStatus::late ? "late"
                                                                         : "unavailable"}};
  j["velocity"] = std::move(velocity);
  Json features = Json::object();
  for (std::size_t i = 0; i < capture.features.size(); ++i)
    features[content.features.feature_name(i)] = audit_number(capture.features[i]);
  j["features"] = std::move(features);
  j["decision"] = decision_json(d);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ReplayInputs replay_inputs(const BundleContent &content, const Json &line) {
  ReplayInputs in;
  const Json &inputs = line.at("inputs");
  in.fields.resize(content.schema.size());
  for (std::size_t i = 0; i < content.schema.size(); ++i) {
    const FieldSpec &f = content.schema.fields()[i];
    const auto it = inputs.find(f.name);
    if (it == inputs.end()) continue;
    if (auto v = field_value(f.type, *it)) in.fields[i] = std::move(*v);
    else in.input_issues.push_back({f.name, "replay: the logged value " + it->dump() + " is not a " + to_string(f.type), false});
  }
  if (const auto issues = line.find("input_issues"); issues != line.end() && issues->is_array())
    for (const Json &i : *issues)
      in.input_issues.push_back({i.value("field", ""), i.value("message", ""), false});
  return in;
}

}  // namespace riskkit::detail
