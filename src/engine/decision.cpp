#include "riskkit/engine/decision.hpp"

#include <cmath>
#include <limits>

#include "engine/decision_json.hpp"

namespace riskkit {
using detail::Json;
namespace {

// Table outputs are numbers or strings; missing is null.
Json output_json(const Value &v) {
  switch (v.type()) {
    case ValueType::number: return std::isnan(v.as_number()) ? Json() : Json(v.as_number());
    case ValueType::string: return v.as_string();
    case ValueType::boolean: return v.as_bool();
    default: return Json();
  }
}

}  // namespace

std::string Decision::to_json() const {
  Json j = detail::decision_json(*this);
  j["latency_us"] = std::round(latency_us * 10) / 10;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

double automated_share(std::span<const Decision> decisions) noexcept {
  if (decisions.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t automated = 0;
  for (const Decision &d : decisions) automated += d.outcome != Outcome::review;
  return static_cast<double>(automated) / static_cast<double>(decisions.size());
}

namespace detail {

Json decision_json(const Decision &d) {
  const auto &[outcome, action, segment, arm, grade, scores, shadow_scores, rule_hits, rule_score, outputs, reasons,
               issues, event_id, decision_id, bundle_name, bundle_version, bundle_digest, latency_us] = d;
  (void)latency_us;
  Json j;
  if (!decision_id.empty()) j["decision_id"] = decision_id;
  j["event_id"] = event_id;
  j["outcome"] = to_string(outcome);
  j["action"] = action;
  if (!segment.empty()) j["segment"] = segment;
  if (!arm.empty()) j["arm"] = arm;
  j["grade"] = grade;
  Json s = Json::object();
  for (const Score &score : scores) s[score.name] = std::isnan(score.value) ? Json() : Json(score.value);
  j["scores"] = std::move(s);
  if (!shadow_scores.empty()) {
    Json shadow = Json::object();
    for (const Score &score : shadow_scores)
      shadow[score.name] = std::isnan(score.value) ? Json() : Json(score.value);
    j["shadow_scores"] = std::move(shadow);
  }
  Json hits = Json::array();
  for (const RuleHit &h : rule_hits)
    hits.push_back({{"id", h.rule_id}, {"action", to_string(h.action)}, {"code", h.reason.code},
                    {"text", h.reason.text}, {"mode", to_string(h.mode)}, {"score", h.score}, {"tags", h.tags}});
  j["rule_hits"] = std::move(hits);
  j["rule_score"] = rule_score;
  if (!outputs.empty()) {
    Json out = Json::object();
    for (const TableOutput &o : outputs) {
      Json values = Json::array();
      for (const Value &v : o.values) values.push_back(output_json(v));
      out[o.name] = o.collect ? std::move(values) : values.empty() ? Json() : values[0];
    }
    j["outputs"] = std::move(out);
  }
  Json rs = Json::array();
  for (const Reason &r : reasons)
    rs.push_back({{"code", r.code}, {"text", r.text}, {"source", r.source}, {"weight", r.weight}});
  j["reasons"] = std::move(rs);
  Json is = Json::array();
  for (const FieldIssue &i : issues) is.push_back({{"field", i.field}, {"message", i.message}});
  j["issues"] = std::move(is);
  j["bundle"] = {{"name", bundle_name}, {"version", bundle_version}, {"digest", bundle_digest}};
  return j;
}

}  // namespace detail

}  // namespace riskkit
