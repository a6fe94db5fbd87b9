// policy: bundle.json → Policy, tables, segments and the champion/challenger split.
#include "engine/policy_reader.hpp"

#include <cmath>

#include <fmt/format.h>

#include "engine/table_reader.hpp"

namespace riskkit::detail {
namespace {

std::string outcome_names(const std::vector<StageOutcome> &outcomes) {
  std::string names;
  for (const StageOutcome &o : outcomes) names += (names.empty() ? "" : ", ") + o.name;
  return names;
}

std::optional<std::size_t> outcome_ref(ManifestReader &r, const std::vector<StageOutcome> &outcomes,
                                       const std::string &path, const std::string &name) {
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    if (outcomes[i].name == name) return i;
  r.problem(path, fmt::format("unknown outcome '{}' ({})", name, outcome_names(outcomes)));
  return std::nullopt;
}

// policy.outcomes: [{"name", "kind"}], least severe first; default: the stage's.
std::vector<StageOutcome> read_outcomes(PolicyContext &ctx, const Json &policy) {
  ManifestReader &r = ctx.reader;
  const Json *list = r.member(policy, "/policy", "outcomes", false);
  if (!list) return default_outcomes(ctx.content.stage);
  std::vector<StageOutcome> out;
  if (!list->is_array() || list->empty()) {
    r.problem("/policy/outcomes", "expected a non-empty array of {\"name\", \"kind\"}");
    return default_outcomes(ctx.content.stage);
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = json_path("/policy/outcomes", i);
    if (!r.expect_object((*list)[i], path, {"name", "kind"})) continue;
    StageOutcome o;
    o.name = r.string((*list)[i], path, "name", true).value_or("");
    if (auto kind = r.string((*list)[i], path, "kind", true); kind && !parse_outcome(*kind, o.kind))
      r.problem(path + "/kind", fmt::format("unknown kind '{}' (approve, review, decline)", *kind));
    for (const StageOutcome &seen : out)
      if (seen.name == o.name) r.problem(path + "/name", fmt::format("outcome '{}' is listed twice", o.name));
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Cutoff> read_cutoffs(PolicyContext &ctx, const Json &list, const std::string &base,
                                 const std::vector<StageOutcome> &outcomes) {
  ManifestReader &r = ctx.reader;
  std::vector<Cutoff> cutoffs;
  if (!list.is_array()) {
    r.problem(base, "expected an array");
    return cutoffs;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = json_path(base, i);
    const Json &node = list[i];
    if (!r.expect_object(node, path, {"score", "above", "below", "outcome", "reason"})) continue;
    Cutoff c;
    const auto score = ctx.score_ref(node, path);
    const auto above = r.number(node, path, "above", false);
    const auto below = r.number(node, path, "below", false);
    if (above.has_value() == below.has_value()) r.problem(path, "give exactly one of 'above' and 'below'");
    c.above = above.has_value();
    c.threshold = above.value_or(below.value_or(0));
    std::optional<std::size_t> outcome;
    if (auto o = r.string(node, path, "outcome", true)) outcome = outcome_ref(r, outcomes, path + "/outcome", *o);
    if (const Json *reason = r.member(node, path, "reason", false);
        reason && r.expect_object(*reason, path + "/reason", {"code", "text"}))
      c.reason = ReasonCode{r.string(*reason, path + "/reason", "code", true).value_or(""),
                            r.string(*reason, path + "/reason", "text", true).value_or("")};
    if (score && outcome) {
      c.score = *score;
      c.outcome = *outcome;
      cutoffs.push_back(std::move(c));
    }
  }
  return cutoffs;
}

std::vector<GradeBand> read_bands(ManifestReader &r, const Json &grades) {
  std::vector<GradeBand> bands;
  const Json *list = r.member(grades, "/policy/grades", "bands", true);
  if (list && !list->is_array()) r.problem("/policy/grades/bands", "expected an array");
  if (!list || !list->is_array()) return bands;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = json_path("/policy/grades/bands", i);
    if (!r.expect_object((*list)[i], path, {"grade", "below"})) continue;
    GradeBand band{r.string((*list)[i], path, "grade", true).value_or(""), r.number((*list)[i], path, "below", false)};
    if (!band.below && i + 1 != list->size()) r.problem(path, "only the last band may omit 'below'");
    if (band.below && !bands.empty() && bands.back().below && *band.below <= *bands.back().below)
      r.problem(path + "/below", "bands must be in increasing order of 'below'");
    bands.push_back(std::move(band));
  }
  return bands;
}

std::vector<BundleTable> read_table_set(PolicyContext &ctx, const Json &tables) {
  std::vector<std::string> score_names;
  for (const auto &m : ctx.content.models) score_names.push_back(m.shadow ? std::string() : m.name);
  score_names.push_back("rule_score");
  return read_tables(ctx.reader, tables, ctx.content.features.symbols(), score_names);
}

// policy.segments: [{"name", "when", "cutoffs"}], the first whose condition holds.
std::vector<Segment> read_segments(PolicyContext &ctx, const Json &list, const std::vector<StageOutcome> &outcomes) {
  ManifestReader &r = ctx.reader;
  std::vector<Segment> segments;
  if (!list.is_array()) {
    r.problem("/policy/segments", "expected an array");
    return segments;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = json_path("/policy/segments", i);
    if (!r.expect_object(list[i], path, {"name", "when", "cutoffs", "description"})) continue;
    const auto name = r.string(list[i], path, "name", true);
    const auto when = r.string(list[i], path, "when", true);
    r.string(list[i], path, "description", false);
    std::optional<std::vector<Cutoff>> cutoffs;
    if (const Json *c = r.member(list[i], path, "cutoffs", false)) cutoffs = read_cutoffs(ctx, *c, path + "/cutoffs", outcomes);
    if (!name || !when) continue;
    try {
      auto expr = rules::Expression::compile(*when, ctx.content.features.symbols());
      if (expr.type() != rules::Type::boolean) {
        r.problem(path + "/when", "a segment's condition must be a bool expression");
        continue;
      }
      segments.push_back(Segment{*name, std::move(expr), std::move(cutoffs)});
    } catch (const Error &e) {
      r.problem(path + "/when", e.what());
    }
  }
  return segments;
}

// policy.challenger: {"field", "salt", "arms": [{"name", "percent", "cutoffs", "tables"}]}.
std::optional<ChallengerSplit> read_challenger(PolicyContext &ctx, const Json &node,
                                               const std::vector<StageOutcome> &outcomes) {
  ManifestReader &r = ctx.reader;
  const std::string base = "/policy/challenger";
  if (!r.expect_object(node, base, {"field", "salt", "arms", "description"})) return std::nullopt;
  ChallengerSplit split;
  r.string(node, base, "description", false);
  const auto field = r.string(node, base, "field", true);
  if (field) {
    const auto slot = ctx.content.schema.index_of(*field);
    if (!slot) r.problem(base + "/field", fmt::format("unknown field '{}'", *field));
    else if (ctx.content.schema.fields()[*slot].type != FieldType::string &&
             ctx.content.schema.fields()[*slot].type != FieldType::number)
      r.problem(base + "/field", fmt::format("'{}' must be a string or number field", *field));
    else split.field_slot = *slot;
  }
  split.salt = r.string(node, base, "salt", false).value_or(ctx.content.name);
  const Json *arms = r.member(node, base, "arms", true);
  if (!arms) return std::nullopt;
  if (!arms->is_array() || arms->size() < 2) {
    r.problem(base + "/arms", "expected an array of at least two arms (the champion first)");
    return std::nullopt;
  }
  std::uint32_t total = 0;
  for (std::size_t i = 0; i < arms->size(); ++i) {
    const std::string path = json_path(base + "/arms", i);
    const Json &a = (*arms)[i];
    if (!r.expect_object(a, path, {"name", "percent", "cutoffs", "tables", "description"})) continue;
    ChallengerArm arm;
    arm.name = r.string(a, path, "name", true).value_or("");
    r.string(a, path, "description", false);
    const double percent = r.number(a, path, "percent", true).value_or(0);
    const double basis_points = std::round(percent * 100);
    if (!(percent > 0 && percent <= 100) || std::abs(percent * 100 - basis_points) > 1e-6)
      r.problem(path + "/percent", "expected a share above 0 and at most 100, in steps of 0.01");
    total += static_cast<std::uint32_t>(basis_points);
    arm.upper = total;
    if (const Json *c = r.member(a, path, "cutoffs", false)) arm.cutoffs = read_cutoffs(ctx, *c, path + "/cutoffs", outcomes);
    if (const Json *t = r.member(a, path, "tables", false)) arm.tables = read_table_set(ctx, *t);
    for (const ChallengerArm &seen : split.arms)
      if (seen.name == arm.name) r.problem(path + "/name", fmt::format("arm '{}' is listed twice", arm.name));
    split.arms.push_back(std::move(arm));
  }
  if (total != 10000) r.problem(base + "/arms", fmt::format("the arms' percents add up to {}, not 100", total / 100.0));
  return split;
}

}  // namespace

std::optional<std::size_t> PolicyContext::score_ref(const Json &node, const std::string &path, std::string_view key) {
  const auto name = reader.string(node, path, key, true);
  if (!name) return std::nullopt;
  if (*name == "rule_score") return content.models.size();  // the pseudo-score after the models'
  for (std::size_t i = 0; i < content.models.size(); ++i) {
    if (content.models[i].name != *name) continue;
    if (!content.models[i].shadow) return i;
    reader.problem(json_path(path, key), fmt::format("'{}' is a shadow model: it is scored and logged, never decides", *name));
    return std::nullopt;
  }
  reader.problem(json_path(path, key),
                 fmt::format("unknown score '{}' (scores are named after models, or rule_score)", *name));
  return std::nullopt;
}

void read_policy(PolicyContext &ctx, const Json &doc) {
  ManifestReader &r = ctx.reader;
  BundleContent &c = ctx.content;
  const Json *policy = r.member(doc, "", "policy", true);
  if (!policy || !r.expect_object(*policy, "/policy", {"outcomes", "cutoffs", "default", "grades", "reasons",
                                                       "allow_overrides", "tables", "segments", "challenger"}))
    return;
  PolicyConfig config;
  config.outcomes = read_outcomes(ctx, *policy);
  if (auto a = r.string(*policy, "/policy", "allow_overrides", false); a && !parse_allow_override(*a, config.allow_overrides))
    r.problem("/policy/allow_overrides", fmt::format("unknown value '{}' (nothing, rules, everything)", *a));
  if (const Json *tables = r.member(*policy, "/policy", "tables", false)) c.tables = read_table_set(ctx, *tables);
  if (const Json *list = r.member(*policy, "/policy", "cutoffs", false))
    config.cutoffs = read_cutoffs(ctx, *list, "/policy/cutoffs", config.outcomes);
  if (auto d = r.string(*policy, "/policy", "default", false)) {
    if (auto i = outcome_ref(r, config.outcomes, "/policy/default", *d)) config.default_outcome = *i;
  }
  if (const Json *grades = r.member(*policy, "/policy", "grades", false);
      grades && r.expect_object(*grades, "/policy/grades", {"score", "bands"})) {
    config.grade_score = ctx.score_ref(*grades, "/policy/grades");
    config.bands = read_bands(r, *grades);
  }
  if (const Json *segments = r.member(*policy, "/policy", "segments", false))
    c.segments = read_segments(ctx, *segments, config.outcomes);
  if (const Json *challenger = r.member(*policy, "/policy", "challenger", false))
    c.challenger = read_challenger(ctx, *challenger, config.outcomes);

  std::vector<const std::vector<Cutoff> *> cutoff_sets{&config.cutoffs};
  for (const Segment &s : c.segments)
    if (s.cutoffs) cutoff_sets.push_back(&*s.cutoffs);
  if (c.challenger)
    for (const ChallengerArm &a : c.challenger->arms)
      if (a.cutoffs) cutoff_sets.push_back(&*a.cutoffs);
  config.top_reasons = read_reasons(ctx, r.member(*policy, "/policy", "reasons", false), cutoff_sets);
  if (!r.ok()) return;
  try {
    c.policy = Policy(std::move(config));
  } catch (const Error &e) {
    r.problem("/policy/outcomes", e.what());
  }
}

}  // namespace riskkit::detail
