#pragma once
// One decision, end to end: fields → features → rules → models → segment, arm, policy,
// tables → reasons. Engine::decide runs it on a record; a replay runs it on the inputs an
// audit line logged, with the logged velocity values instead of a store.

#include <string>
#include <utility>
#include <vector>

#include "engine/engine_runtime.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/decision.hpp"

namespace riskkit::detail {

/// A decision's inputs when replaying an audit line instead of reading a record.
struct ReplayInputs {
  std::vector<Value> fields;             ///< conformed, pseudonymized field values, in schema order
  std::vector<FieldIssue> input_issues;  ///< what the original record raised on entry
  VelocityStore *velocity = nullptr;     ///< answers with the logged velocity values
};

/// What the audit log records beyond the Decision.
struct AuditCapture {
  std::vector<Value> fields;      ///< conformed, pseudonymized field values, in schema order
  std::size_t input_issues = 0;   ///< the first this many Decision::issues arose on entry
  std::vector<double> features;   ///< every feature, in Bundle::feature_names() order (NaN = missing)
  /// What the velocity store answered, per velocity feature (by name), in request order.
  std::vector<std::pair<std::string, VelocityResult>> velocity;
};

/// Conforms `record` into `slots` (throwing Error(invalid_record) naming each required
/// field that is missing), pseudonymizes it and computes the features, reading and
/// recording velocity in `velocity`. Returns true when velocity state was unavailable.
bool prepare_record(const BundleContent &content, const EngineRuntime &runtime, const Record &record,
                    VelocityStore *velocity, std::vector<Value> &slots, std::vector<FieldIssue> &issues);

/// Decides `record` (or, when `replay` is given, the logged inputs) with `bundle`.
/// Fills `capture` when it is not null. Throws Error(invalid_record) for a record missing
/// a required field.
Decision decide(const Bundle &bundle, const EngineRuntime &runtime, const Record *record, const ReplayInputs *replay,
                AuditCapture *capture);

/// The bucket (0-9999) a challenger split puts `id` in: the first 8 bytes of
/// SHA-256(salt + "\x1f" + id), big-endian, modulo 10000.
std::uint32_t challenger_bucket(std::string_view salt, std::string_view id);

}  // namespace riskkit::detail
