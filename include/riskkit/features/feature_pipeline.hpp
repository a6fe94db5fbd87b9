#pragma once
/// \file
/// FeaturePipeline: numeric features computed from a record's fields, compiled once.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/schema.hpp"
#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit {

/// How one feature is defined: exactly one of `field` (pass-through of a number, bool or
/// timestamp field) and `expr` (an expression over fields and earlier features, of type
/// number or bool). `origin` prefixes error messages, e.g. "bundle.json: /features/3".
struct FeatureDefinition {
  std::string name;
  std::string field;
  std::string expr;
  std::string origin;
};

/// Compiled features. Slot layout shared with rules and models: slots [0, schema size)
/// hold the conformed fields, then one slot per feature in definition order. Every
/// feature value is a number or missing (bools become 1/0, timestamps epoch seconds).
/// Immutable; compute() is thread-safe.
class RK_API FeaturePipeline {
 public:
  FeaturePipeline() = default;
  /// Compiles every definition; throws Error naming the origin and line:column of the
  /// first problem (unknown name, type error, duplicate name, bad field type).
  FeaturePipeline(const Schema &schema, const std::vector<FeatureDefinition> &definitions);

  /// Every name visible to rules: fields then features, with their slots.
  const rules::SymbolTable &symbols() const noexcept { return symbols_; }
  std::size_t num_slots() const noexcept { return first_feature_ + features_.size(); }
  std::size_t num_features() const noexcept { return features_.size(); }
  std::size_t first_feature_slot() const noexcept { return first_feature_; }
  const std::string &feature_name(std::size_t i) const { return features_[i].name; }

  /// Fills the feature slots of `slots` (size num_slots()) from its field slots.
  void compute(std::span<Value> slots) const noexcept;

 private:
  struct Feature {
    std::string name;
    std::size_t field_slot = 0;            // read when there is no expression
    std::optional<rules::Expression> expr;
  };
  rules::SymbolTable symbols_;
  std::size_t first_feature_ = 0;
  std::vector<Feature> features_;
};

}  // namespace riskkit
