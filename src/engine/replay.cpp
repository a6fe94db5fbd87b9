// replay(): an audit log's decisions recomputed from their logged inputs (docs/audit.md).
#include <fstream>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/audit_record.hpp"
#include "engine/decide.hpp"
#include "engine/decision_json.hpp"
#include "riskkit/engine/audit.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

using detail::Json;

// Answers each velocity feature with the value the audit line logged for it; a feature the
// log does not know (added to the bundle since) is unavailable.
class LoggedVelocity final : public VelocityStore {
 public:
  explicit LoggedVelocity(const Json &line) {
    const auto logged = line.find("velocity");
    if (logged == line.end() || !logged->is_object()) return;
    for (const auto &[name, entry] : logged->items()) {
      VelocityResult r{std::numeric_limits<double>::quiet_NaN(), VelocityStatus::unavailable};
      const std::string status = entry.value("status", "");
      if (entry.contains("value") && detail::read_audit_number(entry["value"], r.value))
        r.status = status == "ok" ? VelocityStatus::ok : status == "late" ? VelocityStatus::late : VelocityStatus::unavailable;
      values_[name] = r;
    }
  }
  void apply(std::span<const VelocityRequest> requests, std::span<VelocityResult> results) noexcept override {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const std::string &id = requests[i].window->state_id;
      const auto it = values_.find(id.substr(0, id.rfind('#')));
      results[i] = it != values_.end() ? it->second
                                       : VelocityResult{std::numeric_limits<double>::quiet_NaN(), VelocityStatus::unavailable};
    }
  }
  VelocityStats stats() const override { return {}; }

 private:
  std::unordered_map<std::string, VelocityResult> values_;
};

// Appends one difference per leaf where `logged` and `replayed` differ.
void diff(const Json &logged, const Json &replayed, const std::string &path, std::size_t line, const std::string &id,
          std::vector<ReplayDifference> &out) {
  if (logged.is_object() && replayed.is_object()) {
    for (const auto &[key, value] : logged.items()) {
      const auto other = replayed.find(key);
      if (other == replayed.end()) out.push_back({line, id, detail::json_path(path, key), value.dump(), ""});
      else diff(value, *other, detail::json_path(path, key), line, id, out);
    }
    for (const auto &[key, value] : replayed.items())
      if (!logged.contains(key)) out.push_back({line, id, detail::json_path(path, key), "", value.dump()});
    return;
  }
  if (logged.is_array() && replayed.is_array() && logged.size() == replayed.size()) {
    for (std::size_t i = 0; i < logged.size(); ++i) diff(logged[i], replayed[i], detail::json_path(path, i), line, id, out);
    return;
  }
  if (logged != replayed) out.push_back({line, id, path, logged.dump(), replayed.dump()});
}

// Through text, as the log went: numbers compare as the log reads them.
Json features_json(const detail::BundleContent &c, const detail::AuditCapture &capture) {
  std::string text;
  detail::JsonWriter w(text);
  detail::write_features(w, c, capture);
  return Json::parse(text);
}

}  // namespace

ReplayReport replay(const std::string &audit_path, const std::string &bundle_dir) {
  const std::shared_ptr<const Bundle> bundle = Bundle::load(bundle_dir);
  const detail::BundleContent &c = bundle->content();
  std::ifstream in(audit_path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, fmt::format("{}: cannot open the audit log", audit_path));
  detail::EngineRuntime runtime;  // no key: the logged inputs are pseudonymized already
  ReplayReport report;
  std::string text;
  for (std::size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++report.decisions;
    const std::size_t before = report.differences.size();
    Json logged;
    try {
      logged = detail::parse_json(text, fmt::format("{}:{}", audit_path, line));
      if (!logged.is_object() || logged.value("audit", 0) != 1 || !logged.contains("inputs") ||
          !logged["inputs"].is_object() || !logged.contains("decision"))
        throw Error(ErrorCode::parse, fmt::format("{}:{}: not an audit line (format 1)", audit_path, line));
    } catch (const Error &e) {
      report.differences.push_back({line, "", "", e.what(), ""});
      continue;
    }
    const std::string id = logged.value("decision_id", "");
    detail::ReplayInputs inputs = detail::replay_inputs(c, logged);
    bool rejected = false;
    for (std::size_t i = 0; i < c.schema.size(); ++i)
      if (c.schema.fields()[i].required && inputs.fields[i].is_missing()) {
        const std::string &name = c.schema.fields()[i].name;
        report.differences.push_back({line, id, detail::json_path("/inputs", name), logged["inputs"].value(name, Json()).dump(),
                                      "rejected: the bundle requires this field"});
        rejected = true;
      }
    if (rejected) continue;
    LoggedVelocity velocity(logged);
    inputs.velocity = &velocity;
    runtime.velocity_failure = logged.value("velocity_failure", "") == "fail_closed" ? VelocityFailurePolicy::fail_closed
                                                                                    : VelocityFailurePolicy::fail_open;
    detail::AuditCapture capture;
    Decision d = detail::decide(*bundle, runtime, nullptr, &inputs, &capture);
    d.decision_id = id;
    diff(logged["decision"], detail::decision_json(d), "/decision", line, id, report.differences);
    diff(logged.value("features", Json::object()), features_json(c, capture), "/features", line, id,
         report.differences);
    if (report.differences.size() == before) ++report.identical;
  }
  return report;
}

}  // namespace riskkit
