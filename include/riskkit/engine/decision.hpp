#pragma once
/// \file
/// Decision: everything the engine concluded about one record.

#include <cstdint>
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

/// A rule that fired.
struct RuleHit {
  std::string rule_id;
  Action action = Action::flag;
  ReasonCode reason;
};

/// The result of Engine::decide.
struct RK_API Decision {
  Outcome outcome = Outcome::approve;
  std::string grade;               ///< grade band of the policy's grade score, "" if none
  std::vector<Score> scores;       ///< one per model, in bundle order
  std::vector<RuleHit> rule_hits;  ///< rules that fired, in rule order
  std::vector<Reason> reasons;     ///< principal reasons, most important first
  std::vector<FieldIssue> issues;  ///< non-fatal data problems found in the record
  std::string event_id;            ///< the record's event_id field, if the schema has one
  std::string bundle_name;
  std::string bundle_version;
  std::string bundle_digest;  ///< SHA-256 over the bundle's files (Bundle::digest)
  double latency_us = 0;      ///< wall time spent in decide()

  /// One JSON object with all of the above; keys are documented in docs/bundle-format.md.
  std::string to_json() const;
};

}  // namespace riskkit
