#include "riskkit/features/feature_pipeline.hpp"

#include <fmt/format.h>

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

}  // namespace

FeaturePipeline::FeaturePipeline(const Schema &schema, const std::vector<FeatureDefinition> &definitions)
    : first_feature_(schema.size()) {
  for (std::size_t i = 0; i < schema.size(); ++i) symbols_.add(schema.fields()[i].name, type_of(schema.fields()[i].type), i);
  features_.reserve(definitions.size());
  for (const FeatureDefinition &def : definitions) {
    if (def.name.empty()) fail(def, ErrorCode::invalid_bundle, "a feature needs a name");
    if (symbols_.find(def.name)) fail(def, ErrorCode::invalid_bundle, "the name is already used by a field or feature");
    if (def.field.empty() == def.expr.empty()) fail(def, ErrorCode::invalid_bundle, "give exactly one of 'field' and 'expr'");
    Feature f;
    f.name = def.name;
    if (!def.field.empty()) {
      const rules::Symbol *sym = symbols_.find(def.field);
      const auto index = schema.index_of(def.field);
      if (!sym || !index) fail(def, ErrorCode::invalid_bundle, fmt::format("unknown field '{}'", def.field));
      if (sym->type == rules::Type::string)
        fail(def, ErrorCode::invalid_bundle, fmt::format("field '{}' is a string; features are numbers", def.field));
      f.field_slot = *index;
    } else {
      try {
        f.expr = rules::Expression::compile(def.expr, symbols_);
      } catch (const Error &e) {
        fail(def, e.code(), e.what());
      }
      if (f.expr->type() != rules::Type::number && f.expr->type() != rules::Type::boolean)
        fail(def, ErrorCode::invalid_bundle,
             fmt::format("expression is of type {}; features are numbers or bools", rules::to_string(f.expr->type())));
    }
    symbols_.add(def.name, rules::Type::number, first_feature_ + features_.size());
    features_.push_back(std::move(f));
  }
}

void FeaturePipeline::compute(std::span<Value> slots) const noexcept {
  for (std::size_t i = 0; i < features_.size(); ++i) {
    const Feature &f = features_[i];
    slots[first_feature_ + i] =
        Value::number(f.expr ? f.expr->evaluate(slots).to_double() : slots[f.field_slot].to_double());
  }
}

}  // namespace riskkit
