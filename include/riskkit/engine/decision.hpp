#pragma once
/// \file
/// Decision: everything the engine concluded about one record.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/core/schema.hpp"
#include "riskkit/export.hpp"
#include "riskkit/policy/policy.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit {

/// A named model output, e.g. {"credit", 0.07}.
struct Score {
  std::string name;
  double value = 0;
};

/// A rule that fired. Shadow hits are listed too (mode == shadow) but never act.
struct RuleHit {
  std::string rule_id;
  Action action = Action::flag;
  ReasonCode reason;
  RuleMode mode = RuleMode::active;
  double score = 0;               ///< the rule's score (counted in Decision::rule_score only when active)
  std::vector<std::string> tags;
};

/// One output of a policy decision table, named "<table>.<output>". A `first` table
/// gives at most one value (none when no row matched); a `collect` table one value per
/// matching row, in row order.
struct TableOutput {
  std::string name;
  std::vector<Value> values;
  bool collect = false;  ///< from a `collect` table: to_json writes an array
};

/// The result of Engine::decide.
struct RK_API Decision {
  /// The outcome in approve/review/decline terms: for the application stage the outcome
  /// itself; for other stages the kind of `action` (review = sent to a person, decline =
  /// adverse). docs/stages.md.
  Outcome outcome = Outcome::approve;
  /// The stage outcome by name: "approve"/"review"/"decline" for the application stage,
  /// e.g. "raise"/"keep"/"cut" for behaviour, "sms"/"legal" for collection.
  std::string action = "approve";
  std::string segment;             ///< the first policy segment whose condition held, "" if none
  std::string arm;                 ///< the champion/challenger arm that decided, "" without a split
  std::string grade;               ///< grade band of the policy's grade score, "" if none
  std::vector<Score> scores;       ///< one per active model, in bundle order
  std::vector<Score> shadow_scores;  ///< one per shadow model: scored and logged, never acting
  std::vector<RuleHit> rule_hits;  ///< rules that fired (active and shadow), in rule order
  double rule_score = 0;           ///< sum of the scores of the active rules that fired
  std::vector<TableOutput> outputs;  ///< decision-table outputs, in table then column order
  std::vector<Reason> reasons;     ///< principal reasons, most important first
  std::vector<FieldIssue> issues;  ///< non-fatal data problems found in the record
  std::string event_id;            ///< the record's event_id field, if the schema has one
  std::string decision_id;         ///< unique id of this decision in the audit log; "" when not audited
  std::string bundle_name;
  std::string bundle_version;
  std::string bundle_digest;  ///< SHA-256 over the bundle's files (Bundle::digest)
  double latency_us = 0;      ///< wall time spent in decide()

  /// One JSON object with all of the above; keys are documented in docs/bundle-format.md.
  std::string to_json() const;
};

/// The share of `decisions` made without manual review (outcome other than review):
/// the automated-decision rate a policy is monitored by. NaN for no decisions.
RK_API double automated_share(std::span<const Decision> decisions) noexcept;

}  // namespace riskkit
