#pragma once
// What a loaded bundle holds, shared by the loader and the engine.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/feature_reader.hpp"
#include "engine/table_stage.hpp"
#include "riskkit/core/schema.hpp"
#include "riskkit/features/feature_pipeline.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/policy/policy.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit::detail {

/// A model as the bundle uses it: which slots feed its columns, which output it scores.
struct BundleModel {
  std::string name;
  std::shared_ptr<const Model> model;
  std::vector<std::string> inputs;       // slot names, in column order
  std::vector<std::size_t> input_slots;  // the same, as slots
  PredictOutput output = PredictOutput::value;
  std::size_t score_output = 0;          // which of the model's outputs is the score
};

struct BundleContent {
  std::string name, version, stage, description, digest, directory;
  Schema schema;
  FeaturePipeline features;
  RuleSet rules;
  std::vector<BundleModel> models;
  Policy policy;
  std::vector<BundleTable> tables;  ///< the policy's decision tables, in manifest order
  /// Reason code and text per model input name (the policy's catalogue).
  std::unordered_map<std::string, ReasonCode> catalogue;
  std::optional<std::size_t> event_id_field;
  /// Fields pseudonymized right after Schema::conform (docs/privacy.md).
  std::vector<PiiField> pii_fields;
  /// Fields filled from parts of pii fields (an e-mail's domain) before pseudonymization.
  std::vector<DerivedField> derived_fields;
  /// The bundle's lists ("lists"), also registered in the features' symbol table.
  std::vector<ListSpec> lists;
};

}  // namespace riskkit::detail
