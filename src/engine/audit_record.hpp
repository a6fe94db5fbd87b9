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

/// A number as the audit log writes it: NaN → null, ±infinity → "Infinity"/"-Infinity",
/// anything else a JSON number printed round-trip exact.
Json audit_number(double x);

/// Reads back what audit_number wrote; false when `j` is none of those.
bool read_audit_number(const Json &j, double &out);

/// The logged inputs of `line` as field values of `content`'s schema (absent or null =
/// missing), with an issue per value that does not fit its field's type.
ReplayInputs replay_inputs(const BundleContent &content, const Json &line);

}  // namespace riskkit::detail
