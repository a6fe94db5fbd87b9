#pragma once
// What a loaded bundle holds, shared by the loader and the engine.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/feature_reader.hpp"
#include "engine/table_stage.hpp"
#include "policy/reasons.hpp"
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
  bool shadow = false;                   // scored and logged, never used by the policy
  /// Scorecards: per characteristic, its best points minus its expected points (the
  /// "max" reason baseline in contribution terms); empty for other models.
  std::vector<double> best_points_offset;
  /// The catalogue as this model's reasons see it: one unit per feature or group.
  std::vector<ReasonUnit> reason_units;
};

/// A named segment (policy.segments): the first whose condition holds names the
/// decision's segment and, when it has cutoffs, replaces the policy's.
struct Segment {
  std::string name;
  rules::Expression when;
  std::optional<std::vector<Cutoff>> cutoffs;
};

/// One arm of a champion/challenger split: its share and what it replaces.
struct ChallengerArm {
  std::string name;
  std::uint32_t upper = 0;  ///< cumulative share in basis points: bucket < upper falls here
  std::optional<std::vector<Cutoff>> cutoffs;
  std::optional<std::vector<BundleTable>> tables;
};

/// policy.challenger: a deterministic split by a (pseudonymized) customer field.
struct ChallengerSplit {
  std::size_t field_slot = 0;
  std::string salt;
  std::vector<ChallengerArm> arms;  ///< the first is the champion (it takes records without an id)
};

/// policy.reasons.baseline: what a model's contributions are measured from.
enum class ReasonBaseline : std::uint8_t {
  mean,    ///< the model's expected value (contributions as the model gives them)
  best,    ///< "max": a scorecard's best points per characteristic
  cutoff,  ///< the mean contributions of reference applicants scored nearest the cut-off
};

struct BundleContent {
  std::string name, version, stage, description, digest, directory;
  Schema schema;
  FeaturePipeline features;
  RuleSet rules;
  std::vector<BundleModel> models;
  Policy policy;
  std::vector<BundleTable> tables;  ///< the policy's decision tables, in manifest order
  std::vector<Segment> segments;
  std::optional<ChallengerSplit> challenger;
  ReasonBaseline reason_baseline = ReasonBaseline::mean;
  /// ReasonBaseline::cutoff: per (score index, threshold) of every cutoff on a model, the
  /// contributions (one per model input) reasons are measured from.
  std::map<std::pair<std::size_t, double>, std::vector<double>> cutoff_baselines;
  std::optional<std::size_t> event_id_field;
  /// Fields pseudonymized right after Schema::conform (docs/privacy.md).
  std::vector<PiiField> pii_fields;
  /// Fields filled from parts of pii fields (an e-mail's domain) before pseudonymization.
  std::vector<DerivedField> derived_fields;
  /// The bundle's lists ("lists"), also registered in the features' symbol table.
  std::vector<ListSpec> lists;
};

}  // namespace riskkit::detail
