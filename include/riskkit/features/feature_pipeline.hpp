#pragma once
/// \file
/// FeaturePipeline: numeric features computed from a record's fields, compiled once.
/// Every kind of feature, with an example: docs/features.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/schema.hpp"
#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"
#include "riskkit/features/transforms.hpp"
#include "riskkit/features/velocity.hpp"
#include "riskkit/rules/expression.hpp"
#include "riskkit/rules/string_list.hpp"

namespace riskkit {

/// A velocity feature: the aggregate of an entity's prior events over a window of
/// event time (semantics in velocity.hpp). Entity, value and filter read fields only,
/// so all velocity features of a record go to the store in one call.
struct VelocityDefinition {
  std::vector<std::string> entity;  ///< one or more fields forming the entity key
  std::string window;               ///< "90s", "15m", "1h", "30d" (at most 90 days)
  std::string lateness = "5m";      ///< how late (behind the entity's newest event) an event may arrive
  VelocityAggregation aggregation = VelocityAggregation::count;
  std::string value;                ///< field aggregated: a number (sum/min/max/mean) or any field (distinct_count)
  std::string filter;               ///< bool expression over fields; only events for which it is true are recorded
  bool record = true;               ///< false: read only (another feature or system records the events)
};

/// A list-membership feature: 1 when the field's value is in the list, 0 when not,
/// missing when the field is missing.
struct ListMembershipDefinition {
  std::string list;
  std::string field;
};

/// How one feature is defined: exactly one of `field` (pass-through of a number, bool or
/// timestamp field), `expr` (an expression over fields and earlier features, of type
/// number or bool), `velocity`, `in_list`, `bins` and `map`. `origin` prefixes error
/// messages, e.g. "bundle.json: /features/3".
struct FeatureDefinition {
  std::string name;
  std::string field;
  std::string expr;
  std::optional<VelocityDefinition> velocity;
  std::optional<ListMembershipDefinition> in_list;
  std::optional<BinsDefinition> bins;
  std::optional<CategoryMapDefinition> map;
  std::string origin;
};

/// A list as the pipeline sees it: its entries and, when it holds pseudonyms of one
/// kind of personal data, that kind (an in_list feature must then test a field of it).
struct ListSpec {
  std::string name;
  std::string pii_kind;  ///< "" for a list of plain values
  std::shared_ptr<const rules::StringList> entries;
};

/// Per-call state of FeaturePipeline::compute: where velocity state lives, and what
/// happened to it.
struct FeatureContext {
  VelocityStore *velocity = nullptr;  ///< null: velocity features are missing
  std::size_t velocity_unavailable = 0;  ///< velocity features the store could not answer
  std::size_t velocity_late = 0;         ///< velocity features refused as late events
  std::size_t velocity_unkeyed = 0;      ///< velocity features skipped: no event id or event time
  /// Expression features that divided by zero (their value is missing), by feature index;
  /// appended to, never cleared by compute().
  std::vector<std::size_t> divided_by_zero;
};

/// Compiled features. Slot layout shared with rules and models: slots [0, schema size)
/// hold the conformed fields, then one slot per feature in definition order. Every
/// feature value is a number or missing (bools become 1/0, timestamps epoch seconds).
/// Immutable; compute() is thread-safe (velocity state lives in the caller's store).
class RK_API FeaturePipeline {
 public:
  FeaturePipeline() = default;
  /// Compiles every definition against the schema and the bundle's lists (which
  /// expressions reach through in_list("name", x)); throws Error naming the origin and
  /// line:column of the first problem (unknown name, type error, duplicate name, bad
  /// field type, bad window, unknown list).
  FeaturePipeline(const Schema &schema, const std::vector<FeatureDefinition> &definitions,
                  const std::vector<ListSpec> &lists = {});

  /// Every name visible to rules: fields then features, with their slots; and the lists.
  const rules::SymbolTable &symbols() const noexcept { return symbols_; }
  std::size_t num_slots() const noexcept { return first_feature_ + features_.size(); }
  std::size_t num_features() const noexcept { return features_.size(); }
  std::size_t first_feature_slot() const noexcept { return first_feature_; }
  const std::string &feature_name(std::size_t i) const { return features_[i].name; }
  /// How many features are velocity features.
  std::size_t num_velocity_features() const noexcept { return velocity_.size(); }

  /// Fills the feature slots of `slots` (size num_slots()) from its field slots. Velocity
  /// features first read and record in `context.velocity` (one store call per record),
  /// then every other feature is computed in definition order.
  void compute(std::span<Value> slots, FeatureContext &context) const noexcept;
  /// compute() without a velocity store: velocity features are missing.
  void compute(std::span<Value> slots) const noexcept;

 private:
  enum class Kind : std::uint8_t { field, expr, velocity, in_list, bins, map };
  struct Feature {
    std::string name;
    Kind kind = Kind::field;
    std::size_t field_slot = 0;  // field: the field read; in_list: the field tested; bins, map: the input
    std::optional<rules::Expression> expr;
    std::shared_ptr<const rules::StringList> list;
    std::optional<BinsDefinition> bins;       // checked; special sorted by input value
    std::optional<CategoryMapDefinition> map;  // checked; values sorted by category
  };
  struct Velocity {
    VelocityWindow window;
    std::size_t feature = 0;  // index into features_
    std::vector<std::size_t> entity_slots;
    std::optional<std::size_t> value_slot;
    std::optional<rules::Expression> filter;
    bool record = true;
  };
  Velocity compile_velocity(const Schema &schema, const FeatureDefinition &def, const rules::SymbolTable &fields) const;
  void compute_velocity(std::span<Value> slots, FeatureContext &context) const noexcept;

  rules::SymbolTable symbols_;
  std::size_t first_feature_ = 0;
  std::vector<Feature> features_;
  std::vector<Velocity> velocity_;
  std::optional<std::size_t> event_id_slot_, event_time_slot_;
};

}  // namespace riskkit
