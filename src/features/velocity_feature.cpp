// Velocity features inside the pipeline: compiling a definition, and turning a record
// into one store request per velocity feature.
#include <cmath>

#include <fmt/format.h>

#include "core/sha256.hpp"
#include "riskkit/error.hpp"
#include "riskkit/features/feature_pipeline.hpp"

namespace riskkit {
namespace {

[[noreturn]] void fail(const FeatureDefinition &def, const std::string &what) {
  throw Error(ErrorCode::invalid_bundle, fmt::format("{}: feature '{}': velocity: {}", def.origin, def.name, what));
}

// The text a distinct_count counts: strings as they are, other types in a fixed format.
void distinct_text(const Value &v, std::string &out) {
  out.clear();
  switch (v.type()) {
    case ValueType::string: out = v.as_string(); break;
    case ValueType::number: out = fmt::format("n:{}", v.as_number()); break;
    case ValueType::boolean: out = v.as_bool() ? "b:1" : "b:0"; break;
    case ValueType::timestamp: out = fmt::format("t:{}", v.as_timestamp().micros); break;
    case ValueType::missing: break;
  }
}

// Per-thread buffers: the views of each request point into these.
struct Scratch {
  std::vector<std::string> entities, distincts;
  std::vector<VelocityRequest> requests;
  std::vector<VelocityResult> results;
  std::vector<std::size_t> features;  // velocity_ index of each request
};

}  // namespace

FeaturePipeline::Velocity FeaturePipeline::compile_velocity(const Schema &schema, const FeatureDefinition &def,
                                                            const rules::SymbolTable &fields) const {
  const VelocityDefinition &d = *def.velocity;
  if (!event_id_slot_ || !event_time_slot_)
    fail(def, "the schema needs a field with role 'event_id' and one with role 'event_time'");
  Velocity v;
  v.record = d.record;
  v.window.aggregation = d.aggregation;
  const auto window = parse_duration(d.window);
  if (!window || *window <= 0) fail(def, fmt::format("window '{}' is not a duration from 1s to 90d (e.g. \"1h\")", d.window));
  const auto lateness = parse_duration(d.lateness);
  if (!lateness) fail(def, fmt::format("lateness '{}' is not a duration up to 90d (e.g. \"5m\")", d.lateness));
  v.window.window_us = *window;
  v.window.lateness_us = *lateness;
  if (d.entity.empty()) fail(def, "'entity' needs at least one field");
  std::string identity = fmt::format("entity=");
  for (const std::string &name : d.entity) {
    const auto slot = schema.index_of(name);
    if (!slot) fail(def, fmt::format("unknown entity field '{}'", name));
    v.entity_slots.push_back(*slot);
    identity += name + ",";
  }
  const bool needs_value = d.aggregation != VelocityAggregation::count;
  if (needs_value != !d.value.empty())
    fail(def, needs_value ? fmt::format("'{}' needs a 'value' field", to_string(d.aggregation))
                          : "'count' takes no 'value'");
  if (needs_value) {
    const auto slot = schema.index_of(d.value);
    if (!slot) fail(def, fmt::format("unknown value field '{}'", d.value));
    if (d.aggregation != VelocityAggregation::distinct_count && schema.fields()[*slot].type != FieldType::number)
      fail(def, fmt::format("'{}' needs a number field; '{}' is a {}", to_string(d.aggregation), d.value,
                            to_string(schema.fields()[*slot].type)));
    v.value_slot = *slot;
  }
  if (!d.filter.empty()) {
    try {
      v.filter = rules::Expression::compile(d.filter, fields);
    } catch (const Error &e) {
      fail(def, fmt::format("filter: {}", e.what()));
    }
    if (v.filter->type() != rules::Type::boolean) fail(def, "the filter must be a bool expression over fields");
  }
  // The state id ignores window and lateness: the recorded events stay true when they change.
  identity += fmt::format("|agg={}|value={}|filter={}", to_string(d.aggregation), d.value, d.filter);
  v.window.state_id = def.name + "#" + detail::sha256_hex(identity).substr(0, 8);
  return v;
}

void FeaturePipeline::compute_velocity(std::span<Value> slots, FeatureContext &context) const noexcept {
  const auto write_all_missing = [&] {
    for (const Velocity &v : velocity_) slots[first_feature_ + v.feature] = Value::missing();
  };
  const Value &id = slots[*event_id_slot_];
  const Value &time = slots[*event_time_slot_];
  if (!context.velocity || time.type() != ValueType::timestamp ||
      (id.type() != ValueType::string && id.type() != ValueType::number)) {
    if (context.velocity) context.velocity_unkeyed += velocity_.size();
    write_all_missing();
    return;
  }
  try {
    thread_local Scratch s;
    thread_local std::string id_text;
    id_text = id.type() == ValueType::string ? id.as_string() : fmt::format("{}", id.as_number());
    const std::int64_t t = time.as_timestamp().micros;
    s.entities.resize(velocity_.size());
    s.distincts.resize(velocity_.size());
    s.requests.clear();
    s.features.clear();
    for (std::size_t i = 0; i < velocity_.size(); ++i) {
      const Velocity &v = velocity_[i];
      slots[first_feature_ + v.feature] = Value::missing();
      std::string &key = s.entities[i];
      key.clear();
      bool keyed = true;
      for (std::size_t k = 0; k < v.entity_slots.size(); ++k) {
        const Value &part = slots[v.entity_slots[k]];
        if (part.is_missing()) keyed = false;
        else if (part.type() == ValueType::string) key += part.as_string();
        else distinct_text(part, s.distincts[i]), key += s.distincts[i];
        if (k + 1 < v.entity_slots.size()) key.push_back('\x1f');
      }
      if (!keyed) continue;  // no entity, no state: the feature is missing
      VelocityEvent e;
      e.entity = key;
      e.event_id = id_text;
      e.time_us = t;
      e.record = v.record && (!v.filter || v.filter->test(slots));
      if (v.value_slot) {
        const Value &value = slots[*v.value_slot];
        if (v.window.aggregation == VelocityAggregation::distinct_count) {
          distinct_text(value, s.distincts[i]);
          e.distinct = s.distincts[i];
        } else {
          e.value = value.type() == ValueType::number ? value.as_number() : std::nan("");
        }
      }
      s.requests.push_back(VelocityRequest{&v.window, e});
      s.features.push_back(i);
    }
    s.results.resize(s.requests.size());
    context.velocity->apply(s.requests, s.results);
    for (std::size_t r = 0; r < s.results.size(); ++r) {
      const VelocityResult &res = s.results[r];
      if (res.status == VelocityStatus::late) ++context.velocity_late;
      if (res.status == VelocityStatus::unavailable) ++context.velocity_unavailable;
      slots[first_feature_ + velocity_[s.features[r]].feature] =
          res.status == VelocityStatus::ok ? Value::number(res.value) : Value::missing();
    }
  } catch (...) {  // allocation failure: the features stay missing, as if the store were down
    context.velocity_unavailable += velocity_.size();
    write_all_missing();
  }
}

}  // namespace riskkit
