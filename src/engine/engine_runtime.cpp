#include "engine/engine_runtime.hpp"

#include <charconv>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"

namespace riskkit::detail {

EngineRuntime make_runtime(const EngineOptions &options) {
  EngineRuntime rt;
  std::optional<privacy::PseudonymKey> key = options.pseudonym_key;
  if (!key) key = privacy::PseudonymKey::from_environment();
  if (key) rt.pseudonymizer = std::make_shared<const privacy::Pseudonymizer>(*key, options.normalize);
  rt.velocity = options.velocity_store ? options.velocity_store : std::make_shared<InProcessVelocityStore>();
  rt.velocity_failure = options.velocity_failure;
  return rt;
}

void check_can_run(const BundleContent &content, const EngineRuntime &runtime) {
  if (content.pii_fields.empty() || runtime.pseudonymizer) return;
  throw Error(ErrorCode::invalid_argument,
              fmt::format("bundle '{}' has personal data fields (e.g. '{}') and no pseudonymization key is configured: "
                          "set {} (hex, or base64: + base64) or {} (a file holding the key), or pass "
                          "EngineOptions::pseudonym_key; raw identifiers are never used unkeyed",
                          content.name, content.schema.fields()[content.pii_fields.front().slot].name,
                          privacy::kKeyVariable, privacy::kKeyFileVariable));
}

void pseudonymize(const BundleContent &content, const EngineRuntime &runtime, std::vector<Value> &slots,
                  std::vector<FieldIssue> &issues) {
  // Derived parts first: they need the raw values the loop below replaces.
  for (const DerivedField &d : content.derived_fields) {
    const Value &source = slots[d.source];
    std::string part = source.type() == ValueType::string
                           ? privacy::derive(d.kind, d.part, source.as_string(), runtime.pseudonymizer->options())
                           : std::string();
    std::int64_t length = 0;
    if (part.empty()) slots[d.slot] = Value::missing();
    else if (!privacy::is_count(d.part)) slots[d.slot] = Value::string(std::move(part));
    else if (std::from_chars(part.data(), part.data() + part.size(), length).ec == std::errc())
      slots[d.slot] = Value::number(static_cast<double>(length));
  }
  for (const PiiField &f : content.pii_fields) {
    Value &v = slots[f.slot];
    if (v.type() != ValueType::string) continue;
    std::string pseudonym = runtime.pseudonymizer->pseudonymize(f.kind, v.as_string());
    if (pseudonym.empty()) {
      issues.push_back({content.schema.fields()[f.slot].name,
                        fmt::format("not a usable {} value; treated as missing", privacy::to_string(f.kind)), false});
      v = Value::missing();
    } else {
      v = Value::string(std::move(pseudonym));
    }
  }
}

bool compute_features(const BundleContent &content, VelocityStore *velocity, std::vector<Value> &slots,
                      std::vector<FieldIssue> &issues) {
  slots.resize(content.features.num_slots());
  FeatureContext context;
  context.velocity = velocity;
  content.features.compute(slots, context);
  if (context.velocity_unavailable > 0)
    issues.push_back({"velocity", fmt::format("velocity store unavailable: {} velocity feature(s) missing",
                                              context.velocity_unavailable), false});
  if (context.velocity_late > 0)
    issues.push_back({"velocity", fmt::format("event arrived later than the allowed lateness: {} velocity feature(s) "
                                              "missing and the event not recorded", context.velocity_late), false});
  if (context.velocity_unkeyed > 0)
    issues.push_back({"velocity", fmt::format("{} velocity feature(s) missing: the record lacks its event id or "
                                              "event time", context.velocity_unkeyed), false});
  for (const std::size_t i : context.divided_by_zero)
    issues.push_back({"feature:" + content.features.feature_name(i), "division by zero", false});
  return context.velocity_unavailable > 0;
}

}  // namespace riskkit::detail
