#include "engine/audit_record.hpp"

#include <cmath>
#include <limits>

#include "core/json_writer.hpp"
#include "riskkit/core/time.hpp"

namespace riskkit::detail {
namespace {

// NaN → null, ±infinity → "Infinity"/"-Infinity" (JSON holds neither).
void write_audit_number(JsonWriter &w, double x) {
  if (std::isinf(x)) w.string(x > 0 ? "Infinity" : "-Infinity");
  else w.number(x);  // NaN: null
}

void write_value(JsonWriter &w, const Value &v) {
  switch (v.type()) {
    case ValueType::missing: return w.null();
    case ValueType::number: return write_audit_number(w, v.as_number());
    case ValueType::string: return w.string(v.as_string());
    case ValueType::boolean: return w.boolean(v.as_bool());
    case ValueType::timestamp: {
      // ISO-8601 reads back only from 1970 on; earlier instants stay integer microseconds.
      const Timestamp t = v.as_timestamp();
      if (t.micros >= 0) return w.string(format_timestamp(t));
      return w.integer(t.micros);
    }
  }
  w.null();
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

void write_features(JsonWriter &w, const BundleContent &content, const AuditCapture &capture) {
  w.begin_object();
  for (std::size_t i = 0; i < capture.features.size(); ++i) {
    w.key(content.features.feature_name(i));
    write_audit_number(w, capture.features[i]);
  }
  w.end_object();
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
  // Built in a buffer of this thread that keeps its capacity, then copied once: a callback
  // that decides again on this thread cannot overwrite the line it was handed.
  thread_local std::string line;
  line.clear();
  JsonWriter w(line);
  w.begin_object();
  w.key("audit");
  w.integer(1);
  w.key("decision_id");
  w.string(d.decision_id);
  w.key("event_id");
  w.string(d.event_id);
  w.key("event_time");
  const FieldSpec *fields = content.schema.fields().data();
  std::size_t event_time = content.schema.size();  // the last event-time field, if any
  for (std::size_t i = 0; i < content.schema.size(); ++i)
    if (fields[i].role == FieldRole::event_time) event_time = i;
  if (event_time < content.schema.size()) write_value(w, capture.fields[event_time]);
  else w.null();
  w.key("bundle");
  w.begin_object();
  w.key("name");
  w.string(content.name);
  w.key("version");
  w.string(content.version);
  w.key("stage");
  w.string(content.stage);
  w.key("digest");
  w.string(content.digest);
  w.end_object();
  w.key("arm");
  w.string(d.arm);
  w.key("velocity_failure");
  w.string(velocity_failure == VelocityFailurePolicy::fail_closed ? "fail_closed" : "fail_open");
  w.key("inputs");
  w.begin_object();
  for (std::size_t i = 0; i < content.schema.size(); ++i) {
    w.key(fields[i].name);
    write_value(w, capture.fields[i]);
  }
  w.end_object();
  w.key("input_issues");
  w.begin_array();
  for (std::size_t i = 0; i < capture.input_issues; ++i) write_issue(w, d.issues[i]);
  w.end_array();
  w.key("velocity");
  w.begin_object();
  for (const auto &[name, result] : capture.velocity) {
    w.key(name);
    w.begin_object();
    w.key("value");
    write_audit_number(w, result.value);
    w.key("status");
    w.string(result.status == VelocityStatus::ok     ? "ok"
             : result.status == VelocityStatus::late ? "late"
                                                     : "unavailable");
    w.end_object();
  }
  w.end_object();
  w.key("features");
  write_features(w, content, capture);
  w.key("decision");
  write_decision(w, d, DecisionLatency::omit);
  w.end_object();
  return line;
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
