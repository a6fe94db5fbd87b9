#pragma once
// A Decision as a JSON value: Decision::to_json writes it with the latency, the audit log
// without (a replay compares everything but the wall time).

#include "core/json_parse.hpp"
#include "riskkit/engine/decision.hpp"

namespace riskkit::detail {

/// Every key of Decision::to_json except "latency_us"; "decision_id", "segment", "arm",
/// "shadow_scores" and "outputs" only when set.
Json decision_json(const Decision &d);

}  // namespace riskkit::detail
