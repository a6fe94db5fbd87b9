#include "riskkit/engine/decision.hpp"

#include <cmath>
#include <limits>

#include "engine/decision_json.hpp"

namespace riskkit {
namespace detail {
namespace {

// A table output cell: numbers (NaN → null), strings, booleans; anything else null.
void write_output(JsonWriter &w, const Value &v) {
  switch (v.type()) {
    case ValueType::number: return w.number(v.as_number());
    case ValueType::string: return w.string(v.as_string());
    case ValueType::boolean: return w.boolean(v.as_bool());
    default: return w.null();
  }
}

void write_scores(JsonWriter &w, const std::vector<Score> &scores) {
  w.begin_object();
  for (const Score &s : scores) {
    w.key(s.name);
    w.number(s.value);
  }
  w.end_object();
}

void write_rule_hit(JsonWriter &w, const RuleHit &h) {
  w.begin_object();
  w.key("id");
  w.string(h.rule_id);
  w.key("action");
  w.string(to_string(h.action));
  w.key("code");
  w.string(h.reason.code);
  w.key("text");
  w.string(h.reason.text);
  w.key("mode");
  w.string(to_string(h.mode));
  w.key("score");
  w.number(h.score);
  w.key("tags");
  w.begin_array();
  for (const std::string &t : h.tags) w.string(t);
  w.end_array();
  w.end_object();
}

void write_outputs(JsonWriter &w, const std::vector<TableOutput> &outputs) {
  w.begin_object();
  for (const TableOutput &o : outputs) {
    w.key(o.name);
    if (o.collect) {
      w.begin_array();
      for (const Value &v : o.values) write_output(w, v);
      w.end_array();
    } else if (o.values.empty()) {
      w.null();
    } else {
      write_output(w, o.values[0]);
    }
  }
  w.end_object();
}

void write_reason(JsonWriter &w, const Reason &r) {
  w.begin_object();
  w.key("code");
  w.string(r.code);
  w.key("text");
  w.string(r.text);
  w.key("source");
  w.string(r.source);
  w.key("weight");
  w.number(r.weight);
  w.end_object();
}

}  // namespace

void write_issue(JsonWriter &w, const FieldIssue &i) {
  w.begin_object();
  w.key("field");
  w.string(i.field);
  w.key("message");
  w.string(i.message);
  w.end_object();
}

void write_decision(JsonWriter &w, const Decision &d, DecisionLatency latency) {
  // Every member by name: a member added to Decision does not compile here until written.
  const auto &[outcome, action, segment, arm, grade, scores, shadow_scores, rule_hits, rule_score, outputs, reasons,
               issues, event_id, decision_id, bundle_name, bundle_version, bundle_digest, latency_us] = d;
  w.begin_object();
  if (!decision_id.empty()) {
    w.key("decision_id");
    w.string(decision_id);
  }
  w.key("event_id");
  w.string(event_id);
  w.key("outcome");
  w.string(to_string(outcome));
  w.key("action");
  w.string(action);
  if (!segment.empty()) {
    w.key("segment");
    w.string(segment);
  }
  if (!arm.empty()) {
    w.key("arm");
    w.string(arm);
  }
  w.key("grade");
  w.string(grade);
  w.key("scores");
  write_scores(w, scores);
  if (!shadow_scores.empty()) {
    w.key("shadow_scores");
    write_scores(w, shadow_scores);
  }
  w.key("rule_hits");
  w.begin_array();
  for (const RuleHit &h : rule_hits) write_rule_hit(w, h);
  w.end_array();
  w.key("rule_score");
  w.number(rule_score);
  if (!outputs.empty()) {
    w.key("outputs");
    write_outputs(w, outputs);
  }
  w.key("reasons");
  w.begin_array();
  for (const Reason &r : reasons) write_reason(w, r);
  w.end_array();
  w.key("issues");
  w.begin_array();
  for (const FieldIssue &i : issues) write_issue(w, i);
  w.end_array();
  w.key("bundle");
  w.begin_object();
  w.key("name");
  w.string(bundle_name);
  w.key("version");
  w.string(bundle_version);
  w.key("digest");
  w.string(bundle_digest);
  w.end_object();
  if (latency == DecisionLatency::include) {
    w.key("latency_us");
    w.number(std::round(latency_us * 10) / 10);
  }
  w.end_object();
}

Json decision_json(const Decision &d) {
  std::string text;
  JsonWriter w(text);
  write_decision(w, d, DecisionLatency::omit);
  return Json::parse(text);
}

}  // namespace detail

std::string Decision::to_json() const {
  std::string text;
  text.reserve(1024);
  detail::JsonWriter w(text);
  detail::write_decision(w, *this, detail::DecisionLatency::include);
  return text;
}

double automated_share(std::span<const Decision> decisions) noexcept {
  if (decisions.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t automated = 0;
  for (const Decision &d : decisions) automated += d.outcome != Outcome::review;
  return static_cast<double>(automated) / static_cast<double>(decisions.size());
}

}  // namespace riskkit
