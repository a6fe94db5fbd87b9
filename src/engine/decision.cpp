#include "riskkit/engine/decision.hpp"

#include <cmath>

#include "core/json_parse.hpp"

namespace riskkit {
namespace {

// Table outputs are numbers or strings; missing is null.
detail::Json output_json(const Value &v) {
  switch (v.type()) {
    case ValueType::number: return std::isnan(v.as_number()) ? detail::Json() : detail::Json(v.as_number());
    case ValueType::string: return v.as_string();
    case ValueType::boolean: return v.as_bool();
    default: return detail::Json();
  }
}

}  // namespace

std::string Decision::to_json() const {
  detail::Json j;
  j["event_id"] = event_id;
  j["outcome"] = to_string(outcome);
  j["grade"] = grade;
  detail::Json s = detail::Json::object();
  for (const Score &score : scores) s[score.name] = std::isnan(score.value) ? detail::Json() : detail::Json(score.value);
  j["scores"] = std::move(s);
  detail::Json hits = detail::Json::array();
  for (const RuleHit &h : rule_hits)
    hits.push_back({{"id", h.rule_id}, {"action", to_string(h.action)}, {"code", h.reason.code},
                    {"text", h.reason.text}, {"mode", to_string(h.mode)}, {"score", h.score}, {"tags", h.tags}});
  j["rule_hits"] = std::move(hits);
  j["rule_score"] = rule_score;
  if (!outputs.empty()) {
    detail::Json out = detail::Json::object();
    for (const TableOutput &o : outputs) {
      detail::Json values = detail::Json::array();
      for (const Value &v : o.values) values.push_back(output_json(v));
      out[o.name] = o.collect ? std::move(values) : values.empty() ? detail::Json() : values[0];
    }
    j["outputs"] = std::move(out);
  }
  detail::Json rs = detail::Json::array();
  for (const Reason &r : reasons)
    rs.push_back({{"code", r.code}, {"text", r.text}, {"source", r.source}, {"weight", r.weight}});
  j["reasons"] = std::move(rs);
  detail::Json is = detail::Json::array();
  for (const FieldIssue &i : issues) is.push_back({{"field", i.field}, {"message", i.message}});
  j["issues"] = std::move(is);
  j["bundle"] = {{"name", bundle_name}, {"version", bundle_version}, {"digest", bundle_digest}};
  j["latency_us"] = std::round(latency_us * 10) / 10;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace riskkit
