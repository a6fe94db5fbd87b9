// Audit log and replay: every decision logged with pseudonymized inputs and the velocity
// values it read; replay reproduces it bit for bit, and names every difference a changed
// bundle makes (oracles: brute-force velocity counts, the policy's cutoffs applied by hand).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include "core/json_writer.hpp"
#include "engine/audit_record.hpp"
#include "engine/decide.hpp"
#include "engine/engine_runtime.hpp"
#include "engine_test_support.hpp"
#include "riskkit/core/time.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

const std::string kFeatures = RK_TEST_DATA "/bundles/features";
const std::string kBasic = RK_TEST_DATA "/bundles/basic";

std::vector<Json> lines_of(const fs::path &p) {
  std::vector<Json> out;
  std::istringstream in(slurp(p));
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

// Applications from three devices, minutes apart, so the velocity counts vary.
std::vector<Json> applications() {
  std::vector<Json> out;
  for (int i = 0; i < 30; ++i) {
    const int minute = i * 7;
    char time[32];
    std::snprintf(time, sizeof time, "2026-03-01T%02d:%02d:00Z", 8 + minute / 60, minute % 60);
    out.push_back({{"application_id", fmt::format("A{}", i)}, {"applied_at", time},
                   {"device_id", fmt::format("dev-{}", i % 3 == 0 ? 0 : i % 2)},
                   {"phone", fmt::format("138 1234 56{}", 10 + i % 4)},
                   {"email", "Jane.Roe@Example.com"}, {"channel", i % 5 == 0 ? "web" : "app"},
                   {"amount", 1000 + 250 * i}});
  }
  return out;
}

}  // namespace

TEST_CASE("audit: one line per decision, pseudonymized, with the velocity values read; replay is bit for bit") {
  TempFile log("audit");
  EngineOptions options = keyed();
  options.audit.path = log.path.string();
  std::vector<Decision> decisions;
  const std::vector<Json> apps = applications();
  {
    const Engine engine = Engine::open(kFeatures, options);
    for (const Json &a : apps) decisions.push_back(engine.decide(Record::from_json(a.dump())));
  }
  const std::vector<Json> lines = lines_of(log.path);
  REQUIRE(lines.size() == apps.size());
  const std::string text = slurp(log.path);
  CHECK(text.find("1234") == std::string::npos);  // no raw phone number
  CHECK(text.find("Roe") == std::string::npos);   // no raw e-mail
  CHECK(text.find("dev-") == std::string::npos);  // no raw device id
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i);
    const Json &l = lines[i];
    CHECK(l["decision_id"] == decisions[i].decision_id);
    CHECK(!decisions[i].decision_id.empty());
    CHECK(l["event_id"] == apps[i]["application_id"]);
    CHECK(l["event_time"] == apps[i]["applied_at"]);
    CHECK(l["inputs"]["device_id"].get<std::string>().size() == 64);  // a pseudonym
    CHECK(l["bundle"]["digest"] == decisions[i].bundle_digest);
    // Oracle: applications of the same device in the hour before (the window is (t-1h, t]).
    int prior = 0;
    for (std::size_t k = 0; k < i; ++k)
      if (apps[k]["device_id"] == apps[i]["device_id"] && (i - k) * 7 < 60) ++prior;
    CHECK(l["velocity"]["apps_per_device_1h"]["value"].get<double>() == prior);
    CHECK(l["velocity"]["apps_per_device_1h"]["status"] == "ok");
    CHECK(l["features"]["apps_per_device_1h"].get<double>() == prior);
    // The logged decision is the decision, without its latency.
    Json expected = Json::parse(decisions[i].to_json());
    expected.erase("latency_us");
    CHECK(l["decision"] == expected);
  }
  // Replay needs no key and no store: the inputs are pseudonyms and the velocity values are logged.
  const ReplayReport report = replay(log.path.string(), kFeatures);
  CHECK(report.decisions == apps.size());
  CHECK(report.identical == apps.size());
  CHECK(report.differences.empty());
  CHECK(report.ok());
}

TEST_CASE("replay with a changed bundle reports each difference; a broken line is reported, not fatal") {
  std::vector<std::string> captured;
  std::mutex m;
  TempFile log("audit_changed");
  EngineOptions options;
  options.audit.path = log.path.string();
  options.audit.callback = [&](std::string_view line) {
    const std::lock_guard lock(m);
    captured.emplace_back(line);
  };
  const auto cases = Json::parse(slurp(RK_TEST_DATA "/bundles/basic_expected.json"));
  std::vector<Decision> decisions;
  {
    const Engine engine = Engine::open(kBasic, options);
    for (const auto &c : cases) decisions.push_back(engine.decide(Record::from_json(c["record"].dump())));
  }
  REQUIRE(captured.size() == cases.size());
  CHECK(Json::parse(captured[0]) == lines_of(log.path)[0]);  // file and callback get the same line

  BundleCopy changed(kBasic, "audit_changed_bundle");
  changed.edit([](nlohmann::ordered_json &j) { j["policy"]["cutoffs"][1]["above"] = 0.5; });  // review above 0.5, after decline above 0.3
  const ReplayReport report = replay(log.path.string(), changed.path());
  CHECK(report.decisions == cases.size());
  CHECK(report.identical == 0);  // the digest differs everywhere
  std::map<std::size_t, std::map<std::string, std::string>> by_line;
  for (const ReplayDifference &d : report.differences) by_line[d.line][d.path] = d.replayed;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    const auto &diffs = by_line[i + 1];
    CHECK(diffs.count("/decision/bundle/digest") == 1);
    // Oracle: the new policy by hand. Rule outcomes stand; the review cutoff above 0.15 is
    // gone, and a decline above 0.3 comes first as before.
    const double score = decisions[i].scores[0].value;
    const bool old_review_by_cutoff = score > 0.15 && score <= 0.3;
    int rule = 0;  // 0 none, 1 review, 2 decline
    for (const RuleHit &h : decisions[i].rule_hits)
      rule = std::max(rule, h.action == Action::decline ? 2 : h.action == Action::review ? 1 : 0);
    const bool outcome_changes = old_review_by_cutoff && rule == 0;
    CHECK(diffs.count("/decision/outcome") == (outcome_changes ? 1u : 0u));
    if (outcome_changes) CHECK(diffs.at("/decision/outcome") == "\"approve\"");
    CHECK(diffs.count("/decision/scores/risk") == 0);  // the model did not change
  }

  // A line that is not an audit record is reported and the rest still replay.
  std::ofstream(log.path, std::ios::app) << "{\"not\": \"an audit line\"}\n";
  const ReplayReport again = replay(log.path.string(), kBasic);
  CHECK(again.decisions == cases.size() + 1);
  CHECK(again.identical == cases.size());
  REQUIRE(again.differences.size() == 1);
  CHECK(again.differences[0].line == cases.size() + 1);
  CHECK(!again.ok());
}

TEST_CASE("replay injects the logged velocity values: a tampered value shows up as a difference") {
  TempFile log("audit_velocity");
  EngineOptions options = keyed();
  options.audit.path = log.path.string();
  {
    const Engine engine = Engine::open(kFeatures, options);
    for (const Json &a : applications()) engine.decide(Record::from_json(a.dump()));
  }
  std::vector<Json> lines = lines_of(log.path);
  lines[5]["velocity"]["apps_per_device_1h"]["value"] = 41;
  {
    std::ofstream out(log.path, std::ios::binary | std::ios::trunc);
    for (const Json &l : lines) out << l.dump() << '\n';
  }
  const ReplayReport report = replay(log.path.string(), kFeatures);
  CHECK(report.identical == lines.size() - 1);
  bool feature_differs = false;
  for (const ReplayDifference &d : report.differences) {
    CHECK(d.line == 6);
    if (d.path == "/features/apps_per_device_1h") {
      feature_differs = true;
      CHECK(d.replayed == "41.0");
    }
  }
  CHECK(feature_differs);
}

TEST_CASE("decisions are not audited without a sink; an unwritable audit path is refused at open") {
  const Engine plain = Engine::open(kBasic);
  CHECK(plain.decide(Record::from_json(R"({"age": 40})")).decision_id.empty());
  EngineOptions options;
  options.audit.path = "/nonexistent-dir/riskkit/audit.jsonl";
  CHECK_THROWS_AS(Engine::open(kBasic, options), Error);
}

// ---- The audit line's writer against nlohmann's dump (the oracle the line was built with) ----

namespace {

using OJson = detail::Json;

// The oracle's number: NaN → null, ±infinity → "Infinity"/"-Infinity", else the number.
OJson audit_number(double x) {
  if (std::isnan(x)) return OJson();
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

std::string nlohmann_dump(const OJson &j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

OJson oracle_value(const Value &v) {
  switch (v.type()) {
    case ValueType::missing: return OJson();
    case ValueType::number: return audit_number(v.as_number());
    case ValueType::string: return v.as_string();
    case ValueType::boolean: return v.as_bool();
    case ValueType::timestamp: {
      const Timestamp t = v.as_timestamp();
      return t.micros >= 0 ? OJson(format_timestamp(t)) : OJson(t.micros);
    }
  }
  return OJson();
}

OJson oracle_score(double x) { return std::isnan(x) ? OJson() : OJson(x); }

OJson oracle_output(const Value &v) {
  switch (v.type()) {
    case ValueType::number: return oracle_score(v.as_number());
    case ValueType::string: return v.as_string();
    case ValueType::boolean: return v.as_bool();
    default: return OJson();
  }
}

// A decision as an nlohmann DOM, as Decision::to_json built it before the direct writer
// (the audit line's "decision" is the same without "latency_us").
OJson oracle_decision(const Decision &d) {
  OJson j;
  if (!d.decision_id.empty()) j["decision_id"] = d.decision_id;
  j["event_id"] = d.event_id;
  j["outcome"] = to_string(d.outcome);
  j["action"] = d.action;
  if (!d.segment.empty()) j["segment"] = d.segment;
  if (!d.arm.empty()) j["arm"] = d.arm;
  j["grade"] = d.grade;
  OJson s = OJson::object();
  for (const Score &score : d.scores) s[score.name] = oracle_score(score.value);
  j["scores"] = std::move(s);
  if (!d.shadow_scores.empty()) {
    OJson shadow = OJson::object();
    for (const Score &score : d.shadow_scores) shadow[score.name] = oracle_score(score.value);
    j["shadow_scores"] = std::move(shadow);
  }
  OJson hits = OJson::array();
  for (const RuleHit &h : d.rule_hits)
    hits.push_back({{"id", h.rule_id}, {"action", to_string(h.action)}, {"code", h.reason.code},
                    {"text", h.reason.text}, {"mode", to_string(h.mode)}, {"score", h.score}, {"tags", h.tags}});
  j["rule_hits"] = std::move(hits);
  j["rule_score"] = d.rule_score;
  if (!d.outputs.empty()) {
    OJson out = OJson::object();
    for (const TableOutput &o : d.outputs) {
      OJson values = OJson::array();
      for (const Value &v : o.values) values.push_back(oracle_output(v));
      out[o.name] = o.collect ? std::move(values) : values.empty() ? OJson() : values[0];
    }
    j["outputs"] = std::move(out);
  }
  OJson rs = OJson::array();
  for (const Reason &r : d.reasons)
    rs.push_back({{"code", r.code}, {"text", r.text}, {"source", r.source}, {"weight", r.weight}});
  j["reasons"] = std::move(rs);
  OJson is = OJson::array();
  for (const FieldIssue &i : d.issues) is.push_back({{"field", i.field}, {"message", i.message}});
  j["issues"] = std::move(is);
  j["bundle"] = {{"name", d.bundle_name}, {"version", d.bundle_version}, {"digest", d.bundle_digest}};
  return j;
}

std::string oracle_to_json(const Decision &d) {
  OJson j = oracle_decision(d);
  j["latency_us"] = std::round(d.latency_us * 10) / 10;
  return nlohmann_dump(j);
}

// The audit line as it was built before the direct writer: an nlohmann DOM, dumped.
std::string oracle_line(const detail::BundleContent &content, const Decision &d, const detail::AuditCapture &capture,
                        VelocityFailurePolicy velocity_failure) {
  OJson j;
  j["audit"] = 1;
  j["decision_id"] = d.decision_id;
  j["event_id"] = d.event_id;
  OJson event_time;
  for (std::size_t i = 0; i < content.schema.size(); ++i)
    if (content.schema.fields()[i].role == FieldRole::event_time) event_time = oracle_value(capture.fields[i]);
  j["event_time"] = std::move(event_time);
  j["bundle"] = {{"name", content.name}, {"version", content.version}, {"stage", content.stage},
                 {"digest", content.digest}};
  j["arm"] = d.arm;
  j["velocity_failure"] =
      velocity_failure == VelocityFailurePolicy::fail_closed ? "fail_closed" : "fail_open";
  OJson inputs = OJson::object();
  for (std::size_t i = 0; i < content.schema.size(); ++i)
    inputs[content.schema.fields()[i].name] = oracle_value(capture.fields[i]);
  j["inputs"] = std::move(inputs);
  OJson input_issues = OJson::array();
  for (std::size_t i = 0; i < capture.input_issues; ++i)
    input_issues.push_back({{"field", d.issues[i].field}, {"message", d.issues[i].message}});
  j["input_issues"] = std::move(input_issues);
  OJson velocity = OJson::object();
  for (const auto &[name, result] : capture.velocity)
    velocity[name] = {{"value", audit_number(result.value)},
                      {"status", result.status == VelocityStatus::ok     ? "ok"
                                 : result.status == VelocityStatus::late ? "late"
                                                                         : "unavailable"}};
  j["velocity"] = std::move(velocity);
  OJson features = OJson::object();
  for (std::size_t i = 0; i < capture.features.size(); ++i)
    features[content.features.feature_name(i)] = audit_number(capture.features[i]);
  j["features"] = std::move(features);
  j["decision"] = oracle_decision(d);
  return nlohmann_dump(j);
}

std::string written_string(std::string_view s) {
  std::string out;
  detail::append_json_string(out, s);
  return out;
}

std::string written_number(double x) {
  std::string out;
  detail::JsonWriter(out).number(x);
  return out;
}

// Strings that exercise every escaping and UTF-8 repair path.
const std::vector<std::string> kAwkwardStrings = {
    "", "plain", "quote \" backslash \\ slash /", std::string("nul \0 inside", 12), "\b\t\n\f\r\x01\x1f\x7f",
    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD",         // é € 😀 中
    "\xFF", "\xC3", "a\xC3", "\xC3(", "\xE2\x82", "\xE2\x82(", "\xF0\x9F\x98",  // invalid / truncated
    "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80", "\x80\x80",  // overlong, surrogate, > U+10FFFF
    "\xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"};  // boundaries that are valid

}  // namespace

TEST_CASE("JSON writer: strings escape and repair UTF-8 exactly as nlohmann's dump with replace") {
  // Hand-checked: control characters lower-case \u00XX, DEL as is, a lone 0xFF → U+FFFD,
  // a truncated sequence followed by ASCII → U+FFFD then the ASCII byte.
  CHECK(written_string("a\"b\\\x01\x7f\xff") == "\"a\\\"b\\\\\\u0001\x7f\xEF\xBF\xBD\"");
  CHECK(written_string("\xE2\x82(") == "\"\xEF\xBF\xBD(\"");
  CHECK(written_string("\xE0\x80\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  for (const std::string &s : kAwkwardStrings) CHECK(written_string(s) == nlohmann_dump(OJson(s)));
  // Random bytes, weighted towards the UTF-8 lead and continuation ranges.
  std::mt19937 rng(20260301);
  const std::array<unsigned char, 14> pool = {0x00, 0x0A, 0x22, 0x41, 0x5C, 0x7F, 0x80, 0xA0,
                                              0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4};
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 9, '\0');
    for (char &c : s) c = static_cast<char>(rng() % 3 == 0 ? rng() % 256 : pool[rng() % pool.size()]);
    REQUIRE(written_string(s) == nlohmann_dump(OJson(s)));
  }
}

TEST_CASE("JSON writer: doubles print as nlohmann prints them; non-finite ones as null") {
  CHECK(written_number(1) == "1.0");
  CHECK(written_number(0.1) == "0.1");
  CHECK(written_number(-0.0) == "-0.0");
  CHECK(written_number(1e20) == "1e+20");
  CHECK(written_number(std::nan("")) == "null");
  CHECK(written_number(-HUGE_VAL) == "null");
  for (double x : {0.0, 1.5, -2.25, 123456789012345.0, 1e15, 1e16, 1e-4, 1e-5, 5e-324, 2.2250738585072014e-308,
                   1.7976931348623157e308, 0.30000000000000004, 1.0 / 3, 2.0 / 3 * 1e-7})
    CHECK(written_number(x) == nlohmann_dump(OJson(x)));
  std::mt19937_64 rng(42);
  for (int n = 0; n < 20000; ++n) {
    double x = std::bit_cast<double>(rng());
    REQUIRE(written_number(x) == nlohmann_dump(OJson(x)));
  }
  std::string out;
  detail::JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.integer(-9007199254740993);
  w.boolean(false);
  w.null();
  w.begin_object();
  w.end_object();
  w.end_array();
  w.key("b\n");
  w.string("x");
  w.end_object();
  CHECK(out == R"({"a":[-9007199254740993,false,null,{}],"b\n":"x"})");
}

TEST_CASE("audit line and Decision::to_json: byte for byte the nlohmann DOM's dump, for every example record and "
          "awkward values") {
  const std::pair<const char *, const char *> examples[] = {{"application", "applications.jsonl"},
                                                            {"acquisition", "records.jsonl"},
                                                            {"behaviour", "records.jsonl"},
                                                            {"collection", "records.jsonl"}};
  std::size_t lines = 0;
  for (const auto &[stage, file] : examples) {
    CAPTURE(stage);
    const std::string dir = std::string(RK_SOURCE_DIR) + "/examples/bundles/" + stage;
    const auto bundle = Bundle::load(dir);
    const detail::BundleContent &content = bundle->content();
    const detail::EngineRuntime runtime = detail::make_runtime(keyed());
    detail::AuditCapture capture;
    std::istringstream in(slurp(dir + "/" + file));
    for (std::string text; std::getline(in, text);) {
      const Record record = Record::from_json(text);
      Decision d = detail::decide(*bundle, runtime, &record, nullptr, &capture);
      d.decision_id = "0123456789abcdef-0000002a";
      REQUIRE(std::string(detail::audit_line(content, d, capture, runtime.velocity_failure)) ==
              oracle_line(content, d, capture, runtime.velocity_failure));
      REQUIRE(d.to_json() == oracle_to_json(d));
      ++lines;
      // The same decision with values JSON cannot hold or must escape in every slot.
      const std::string awkward = kAwkwardStrings[lines % kAwkwardStrings.size()];
      for (Value &v : capture.fields)
        if (v.type() == ValueType::string) v = Value::string(v.as_string() + awkward);
        else if (v.type() == ValueType::number) v = Value::number(lines % 2 ? HUGE_VAL : std::nan(""));
      for (double &x : capture.features) x = lines % 3 == 0 ? -HUGE_VAL : lines % 3 == 1 ? std::nan("") : x * 1e300;
      for (auto &[name, result] : capture.velocity) result.value = HUGE_VAL;
      d.issues.push_back({"field \"x\"", "bad\tvalue " + awkward, false});
      if (!d.reasons.empty()) {
        d.reasons[0].text += awkward;
        d.reasons[0].weight = std::nan("");
      }
      for (Score &s : d.scores) s.value = lines % 2 ? std::nan("") : HUGE_VAL;
      d.rule_score = -HUGE_VAL;
      d.grade = awkward;
      d.arm = lines % 2 ? "" : "challenger\x01";
      d.segment = lines % 2 ? "" : "seg";
      d.decision_id = lines % 2 ? "" : awkward;
      for (RuleHit &h : d.rule_hits) {
        h.tags.push_back(awkward);
        h.score = lines % 2 ? HUGE_VAL : -0.0;
      }
      d.shadow_scores = {{"shadow " + awkward, lines % 2 ? std::nan("") : 0.1}};
      d.outputs.push_back({"cells " + awkward, {Value::number(std::nan("")), Value::number(-HUGE_VAL), Value::string(awkward),
                                                Value::boolean(true), Value::missing(), Value::number(1e20)},
                           true});
      d.outputs.push_back({"first", {Value::string(awkward)}, false});
      d.outputs.push_back({"none", {}, lines % 2 == 0});
      d.latency_us = lines % 4 == 0 ? 0.05 : lines % 4 == 1 ? 1234.5678 : lines % 4 == 2 ? 1e-9 : 7.0;
      REQUIRE(std::string(detail::audit_line(content, d, capture, VelocityFailurePolicy::fail_closed)) ==
              oracle_line(content, d, capture, VelocityFailurePolicy::fail_closed));
      REQUIRE(d.to_json() == oracle_to_json(d));
    }
  }
  CHECK(lines == 39 + 32 + 29 + 28);
}
