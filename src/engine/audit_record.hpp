#pragma once
// The audit line of one decision (docs/audit.md): written by the Engine, read by replay.

#include <string>

#include "core/json_parse.hpp"
#include "engine/bundle_content.hpp"
#include "engine/decide.hpp"
#include "engine/decision_json.hpp"

namespace riskkit::detail {

/// The audit line (one JSON object, no newline) of decision `d` made with `content`.
std::string audit_line(const BundleContent &content, const Decision &d, const AuditCapture &capture,
                       VelocityFailurePolicy velocity_failure);

/// The line's "features" object. Numbers in the log: NaN → null, ±infinity →
/// "Infinity"/"-Infinity" (JSON holds neither), anything else printed round-trip exact.
void write_features(JsonWriter &w, const BundleContent &content, const AuditCapture &capture);

/// Reads back a number as the log wrote it; false when `j` is none of those forms.
bool read_audit_number(const Json &j, double &out);

/// The logged inputs of `line` as field values of `content`'s schema (absent or null =
/// missing), with an issue per value that does not fit its field's type.
ReplayInputs replay_inputs(const BundleContent &content, const Json &line);

}  // namespace riskkit::detail
