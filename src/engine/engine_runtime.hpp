#pragma once
// What an Engine adds to a bundle when deciding: the pseudonymizer and the velocity store
// (deployment settings that never come from the bundle), and the stage that uses them.

#include <memory>
#include <vector>

#include "engine/bundle_content.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

namespace riskkit::detail {

struct EngineRuntime {
  std::shared_ptr<const privacy::Pseudonymizer> pseudonymizer;  // null when no key is configured
  std::shared_ptr<VelocityStore> velocity;
  VelocityFailurePolicy velocity_failure = VelocityFailurePolicy::fail_open;
};

/// Builds the runtime from options (the key from options or the environment; a new
/// in-process store when none is given). Throws Error for a malformed key.
EngineRuntime make_runtime(const EngineOptions &options);

/// Throws Error(invalid_argument) naming the key variables when `content` has personal
/// data fields and `runtime` has no key: such a bundle is never run unkeyed.
void check_can_run(const BundleContent &content, const EngineRuntime &runtime);

/// Fills the fields derived from parts of pii fields, then replaces every pii field's
/// value in `slots` by its pseudonym (missing when nothing identifying is left, with an
/// issue that names only the field).
void pseudonymize(const BundleContent &content, const EngineRuntime &runtime, std::vector<Value> &slots,
                  std::vector<FieldIssue> &issues);

/// Sizes `slots` (fields conformed and pseudonymized) for the features and computes them,
/// reading and recording velocity state in `velocity`. Returns true when velocity state
/// was unavailable.
bool compute_features(const BundleContent &content, VelocityStore *velocity, std::vector<Value> &slots,
                      std::vector<FieldIssue> &issues);

}  // namespace riskkit::detail
