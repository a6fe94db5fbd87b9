#pragma once
// A Decision as JSON text, written in one place for everything that shows one:
// Decision::to_json (the CLI, the C ABI, Python) with the latency, the audit line without
// (a replay compares everything but the wall time).

#include <string>

#include "core/json_parse.hpp"
#include "core/json_writer.hpp"
#include "riskkit/engine/decision.hpp"

namespace riskkit::detail {

/// Whether a written decision ends with "latency_us" (rounded to 0.1 µs).
enum class DecisionLatency { omit, include };

/// Writes `d` as one JSON object: "decision_id", "segment", "arm", "shadow_scores" and
/// "outputs" only when set; NaN scores and outputs as null; strings as
/// nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) writes them.
void write_decision(JsonWriter &w, const Decision &d, DecisionLatency latency);

/// Writes `i` as {"field": ..., "message": ...}, as in a decision's "issues".
void write_issue(JsonWriter &w, const FieldIssue &i);

/// What write_decision writes without the latency, read back as a value, for callers that
/// compare decisions member by member (replay).
Json decision_json(const Decision &d);

}  // namespace riskkit::detail
