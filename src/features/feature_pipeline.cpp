#include "riskkit/features/feature_pipeline.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "features/transforms.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

rules::Type type_of(FieldType t) {
  switch (t) {
    case FieldType::number: return rules::Type::number;
    case FieldType::string: return rules::Type::string;
    case FieldType::boolean: return rules::Type::boolean;
    case FieldType::timestamp: return rules::Type::timestamp;
  }
  return rules::Type::number;
}

[[noreturn]] void fail(const FeatureDefinition &def, ErrorCode code, const std::string &what) {
  throw Error(code, fmt::format("{}: feature '{}': {}", def.origin, def.name, what));
}

std::size_t field_slot(const Schema &schema, const FeatureDefinition &def, const std::string &field) {
  const auto index = schema.index_of(field);
  if (!index) fail(def, ErrorCode::invalid_bundle, fmt::format("unknown field '{}'", field));
  return *index;
}

int kinds_given(const FeatureDefinition &def) {
  return !def.field.empty() + !def.expr.empty() + def.velocity.has_value() + def.in_list.has_value() +
         def.bins.has_value() + def.map.has_value();
}

}  // namespace

FeaturePipeline::FeaturePipeline(const Schema &schema, const std::vector<FeatureDefinition> &definitions,
                                 const std::vector<ListSpec> &lists)
    : first_feature_(schema.size()) {
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const FieldSpec &f = schema.fields()[i];
    symbols_.add(f.name, type_of(f.type), i);
    if (f.role == FieldRole::event_id) event_id_slot_ = i;
    if (f.role == FieldRole::event_time) event_time_slot_ = i;
  }
  for (const ListSpec &l : lists) symbols_.add_list(l.name, l.entries);
  const rules::SymbolTable fields_only = symbols_;  // what velocity filters may read
  features_.reserve(definitions.size());
  for (const FeatureDefinition &def : definitions) {
    if (def.name.empty()) fail(def, ErrorCode::invalid_bundle, "a feature needs a name");
    if (symbols_.find(def.name)) fail(def, ErrorCode::invalid_bundle, "the name is already used by a field or feature");
    if (kinds_given(def) != 1)
      fail(def, ErrorCode::invalid_bundle, "give exactly one of 'field', 'expr', 'velocity', 'in_list', 'bins' and 'map'");
    Feature f;
    f.name = def.name;
    if (!def.field.empty()) {
      f.kind = Kind::field;
      f.field_slot = field_slot(schema, def, def.field);
      if (schema.fields()[f.field_slot].type == FieldType::string)
        fail(def, ErrorCode::invalid_bundle, fmt::format("field '{}' is a string; features are numbers", def.field));
    } else if (!def.expr.empty()) {
      f.kind = Kind::expr;
      try {
        f.expr = rules::Expression::compile(def.expr, symbols_);
      } catch (const Error &e) {
        fail(def, e.code(), e.what());
      }
      if (f.expr->type() != rules::Type::number && f.expr->type() != rules::Type::boolean)
        fail(def, ErrorCode::invalid_bundle,
             fmt::format("expression is of type {}; features are numbers or bools", rules::to_string(f.expr->type())));
    } else if (def.in_list) {
      f.kind = Kind::in_list;
      const auto list = std::find_if(lists.begin(), lists.end(), [&](const ListSpec &l) { return l.name == def.in_list->list; });
      if (list == lists.end()) fail(def, ErrorCode::invalid_bundle, fmt::format("unknown list '{}'", def.in_list->list));
      f.field_slot = field_slot(schema, def, def.in_list->field);
      const FieldSpec &spec = schema.fields()[f.field_slot];
      if (spec.type != FieldType::string)
        fail(def, ErrorCode::invalid_bundle, fmt::format("field '{}' is not a string; lists hold strings", spec.name));
      if (spec.pii != list->pii_kind)
        fail(def, ErrorCode::invalid_bundle,
             fmt::format("list '{}' holds {} but field '{}' holds {}", list->name,
                         list->pii_kind.empty() ? "plain values" : "'" + list->pii_kind + "' pseudonyms", spec.name,
                         spec.pii.empty() ? "plain values" : "'" + spec.pii + "' values"));
      f.list = list->entries;
    } else if (def.bins) {
      f.kind = Kind::bins;
      const rules::Symbol *in = symbols_.find(def.bins->input);
      if (!in) fail(def, ErrorCode::invalid_bundle, fmt::format("unknown input '{}'", def.bins->input));
      if (in->type != rules::Type::number)
        fail(def, ErrorCode::invalid_bundle, fmt::format("input '{}' is a {}; bins need a number", in->name,
                                                         rules::to_string(in->type)));
      f.field_slot = in->slot;
      f.bins = def.bins;
      if (std::string problem = detail::check_bins(*f.bins); !problem.empty()) fail(def, ErrorCode::invalid_bundle, problem);
    } else if (def.map) {
      f.kind = Kind::map;
      const rules::Symbol *in = symbols_.find(def.map->input);
      if (!in) fail(def, ErrorCode::invalid_bundle, fmt::format("unknown input '{}'", def.map->input));
      if (in->type != rules::Type::string)
        fail(def, ErrorCode::invalid_bundle, fmt::format("input '{}' is a {}; a map needs a string field", in->name,
                                                         rules::to_string(in->type)));
      f.field_slot = in->slot;
      f.map = def.map;
      if (std::string problem = detail::check_map(*f.map); !problem.empty()) fail(def, ErrorCode::invalid_bundle, problem);
    } else {
      f.kind = Kind::velocity;
      Velocity v = compile_velocity(schema, def, fields_only);
      v.feature = features_.size();
      velocity_.push_back(std::move(v));
    }
    symbols_.add(def.name, rules::Type::number, first_feature_ + features_.size());
    features_.push_back(std::move(f));
  }
}

void FeaturePipeline::compute(std::span<Value> slots) const noexcept {
  FeatureContext none;
  compute(slots, none);
}

void FeaturePipeline::compute(std::span<Value> slots, FeatureContext &context) const noexcept {
  if (!velocity_.empty()) compute_velocity(slots, context);
  for (std::size_t i = 0; i < features_.size(); ++i) {
    const Feature &f = features_[i];
    Value &out = slots[first_feature_ + i];
    switch (f.kind) {
      case Kind::field: out = Value::number(slots[f.field_slot].to_double()); break;
      case Kind::expr: {
        rules::EvalFlags flags;
        out = Value::number(f.expr->evaluate(slots, flags).to_double());
        if (flags.division_by_zero) context.divided_by_zero.push_back(i);
        break;
      }
      case Kind::in_list: {
        const Value &v = slots[f.field_slot];
        out = v.type() == ValueType::string ? Value::number(f.list->contains(v.as_string()) ? 1 : 0) : Value::missing();
        break;
      }
      case Kind::bins: out = Value::number(detail::apply_bins(*f.bins, slots[f.field_slot])); break;
      case Kind::map: out = Value::number(detail::apply_map(*f.map, slots[f.field_slot])); break;
      case Kind::velocity: break;  // written by compute_velocity
    }
  }
}

}  // namespace riskkit
