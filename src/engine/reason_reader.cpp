// policy.reasons: the catalogue (features and feature groups → codes), the baseline
// contributions are measured from, and the reference sample the "cutoff" baseline needs.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/policy_reader.hpp"

namespace riskkit::detail {
namespace {

constexpr std::size_t kMaxCatalogueBytes = std::size_t{4} << 20;
constexpr std::size_t kMaxReferenceBytes = std::size_t{256} << 20;

struct CatalogueEntry {
  std::string key;
  ReasonCode reason;
  std::vector<std::string> features;  // non-empty: a group
};

std::vector<CatalogueEntry> read_catalogue(PolicyContext &ctx, const Json &reasons) {
  ManifestReader &r = ctx.reader;
  std::vector<CatalogueEntry> out;
  const Json *cat = r.member(reasons, "/policy/reasons", "catalogue", false);
  if (!cat) return out;
  Json parsed;
  const Json *entries = cat;
  std::string origin = "bundle.json", base = "/policy/reasons/catalogue";
  if (cat->is_string()) {
    const auto sha = r.string(reasons, "/policy/reasons", "catalogue_sha256", true);
    const auto bytes = ctx.read_verified("/policy/reasons/catalogue", cat->get<std::string>(), sha, kMaxCatalogueBytes);
    if (!bytes) return out;
    try {
      parsed = parse_json(*bytes, cat->get<std::string>());
    } catch (const Error &e) {
      r.problem("/policy/reasons/catalogue", e.what());
      return out;
    }
    entries = &parsed;
    origin = cat->get<std::string>();
    base = "";
  }
  if (!entries->is_object()) {
    r.problem("/policy/reasons/catalogue", "expected an object (feature or group → {code, text}) or a file name");
    return out;
  }
  std::unordered_map<std::string, std::string> group_of;  // feature → its group
  for (const auto &[key, entry] : entries->items()) {
    const std::string path = json_path(base, key);
    const bool ok = entry.is_object() && entry.contains("code") && entry.contains("text") && entry["code"].is_string() &&
                    entry["text"].is_string() && entry.size() == (entry.contains("features") ? 3u : 2u);
    if (!ok) {
      r.problem(path, fmt::format("{}: expected {{\"code\": string, \"text\": string}} and, for a group, "
                                  "\"features\": [names]", origin));
      continue;
    }
    CatalogueEntry e{key, ReasonCode{entry["code"].get<std::string>(), entry["text"].get<std::string>()}, {}};
    if (entry.contains("features")) {
      const Json &features = entry["features"];
      if (!features.is_array() || features.empty()) r.problem(path + "/features", fmt::format("{}: expected a non-empty array of names", origin));
      else
        for (const Json &f : features) {
          if (!f.is_string() || !ctx.content.features.symbols().find(f.get<std::string>())) {
            r.problem(path + "/features", fmt::format("{}: {} is not a field or feature", origin, f.dump()));
            continue;
          }
          const std::string name = f.get<std::string>();
          if (auto [it, fresh] = group_of.emplace(name, key); !fresh)
            r.problem(path + "/features", fmt::format("{}: '{}' is already in group '{}'", origin, name, it->second));
          e.features.push_back(name);
        }
    }
    out.push_back(std::move(e));
  }
  for (const CatalogueEntry &e : out)
    if (e.features.empty() && group_of.count(e.key))
      r.problem(json_path(base, e.key), fmt::format("{}: '{}' has its own entry and is in group '{}'; give one",
                                                    origin, e.key, group_of[e.key]));
  return out;
}

// One unit per catalogue entry that covers an input of `m`, in order of first input.
std::vector<ReasonUnit> units_for(const BundleModel &m, const std::vector<CatalogueEntry> &catalogue) {
  std::vector<ReasonUnit> units;
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    const CatalogueEntry *entry = nullptr;
    for (const CatalogueEntry &e : catalogue)
      if (e.features.empty() ? e.key == m.inputs[i]
                             : std::find(e.features.begin(), e.features.end(), m.inputs[i]) != e.features.end())
        entry = &e;
    if (!entry) continue;
    auto unit = std::find_if(units.begin(), units.end(), [&](const ReasonUnit &u) { return u.name == entry->key; });
    if (unit == units.end()) unit = units.insert(units.end(), ReasonUnit{entry->key, entry->reason, {}});
    unit->inputs.push_back(i);
  }
  return units;
}

// A numeric CSV: a header of names, then numbers; an empty cell is missing.
struct ReferenceSample {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};

std::optional<ReferenceSample> parse_reference(ManifestReader &r, const std::string &file, const std::string &text) {
  ReferenceSample out;
  std::size_t line_no = 0, at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string_view> cells;
    for (std::size_t from = 0;;) {
      const std::size_t comma = line.find(',', from);
      cells.push_back(line.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    if (out.columns.empty()) {
      for (auto c : cells) out.columns.emplace_back(c);
      continue;
    }
    if (cells.size() != out.columns.size()) {
      r.problem("/policy/reasons/reference/file",
                fmt::format("{}:{}: {} cells, the header has {}", file, line_no, cells.size(), out.columns.size()));
      return std::nullopt;
    }
    std::vector<double> row(cells.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (cells[k].empty()) continue;
      const auto [ptr, ec] = std::from_chars(cells[k].data(), cells[k].data() + cells[k].size(), row[k]);
      if (ec != std::errc() || ptr != cells[k].data() + cells[k].size()) {
        r.problem("/policy/reasons/reference/file",
                  fmt::format("{}:{}: '{}' is not a number", file, line_no, std::string(cells[k])));
        return std::nullopt;
      }
    }
    out.rows.push_back(std::move(row));
  }
  if (out.rows.empty()) r.problem("/policy/reasons/reference/file", fmt::format("{}: no rows", file));
  return out.rows.empty() ? std::nullopt : std::optional(std::move(out));
}

// The mean contributions (per input, margin space) of the `near` reference rows whose
// score lies nearest `threshold`; ties by row order.
std::vector<double> cutoff_baseline(const BundleModel &m, const std::vector<float> &matrix, std::size_t nrow,
                                    double threshold, std::size_t near) {
  const std::size_t ncol = m.inputs.size(), nout = m.model->num_outputs();
  std::vector<double> predictions(nrow * nout);
  PredictOptions options;
  options.output = m.output;
  m.model->predict(matrix.data(), nrow, ncol, options, predictions.data());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < nrow; ++i)
    if (!std::isnan(predictions[i * nout + m.score_output])) order.push_back(i);
  const auto distance = [&](std::size_t i) { return std::abs(predictions[i * nout + m.score_output] - threshold); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return distance(a) < distance(b); });
  order.resize(std::min(order.size(), near));
  std::sort(order.begin(), order.end());
  std::vector<float> chosen;
  for (const std::size_t i : order) chosen.insert(chosen.end(), matrix.begin() + i * ncol, matrix.begin() + (i + 1) * ncol);
  const std::size_t width = ncol + 1;
  std::vector<double> contributions(order.size() * nout * width);
  m.model->contributions(chosen.data(), order.size(), ncol, options, contributions.data());
  std::vector<double> mean(ncol, 0.0);
  for (std::size_t row = 0; row < order.size(); ++row)
    for (std::size_t k = 0; k < ncol; ++k) mean[k] += contributions[(row * nout + m.score_output) * width + k];
  for (double &v : mean) v /= static_cast<double>(order.size());
  return mean;
}

void read_cutoff_baselines(PolicyContext &ctx, const Json &reasons,
                           const std::vector<const std::vector<Cutoff> *> &cutoff_sets) {
  ManifestReader &r = ctx.reader;
  const std::string base = "/policy/reasons/reference";
  const Json *ref = r.member(reasons, "/policy/reasons", "reference", true);
  if (!ref || !r.expect_object(*ref, base, {"file", "sha256", "near"})) return;
  const auto file = r.string(*ref, base, "file", true);
  const auto sha = r.string(*ref, base, "sha256", true);
  const double near = r.number(*ref, base, "near", false).value_or(200);
  if (!(near >= 1 && near <= 1e6) || std::floor(near) != near) r.problem(base + "/near", "expected an integer 1-1000000");
  if (!file) return;
  const auto bytes = ctx.read_verified(base, *file, sha, kMaxReferenceBytes);
  if (!bytes) return;
  const auto sample = parse_reference(r, *file, *bytes);
  if (!sample || !r.ok()) return;
  std::unordered_map<std::size_t, std::vector<float>> matrices;  // per model: the sample's rows, as its inputs
  for (const auto *set : cutoff_sets)
    for (const Cutoff &c : *set) {
      if (c.score >= ctx.content.models.size() || ctx.content.cutoff_baselines.count({c.score, c.threshold})) continue;
      const BundleModel &m = ctx.content.models[c.score];
      if (!matrices.count(c.score)) {
        std::vector<std::size_t> column;
        for (const std::string &input : m.inputs) {
          const auto it = std::find(sample->columns.begin(), sample->columns.end(), input);
          if (it == sample->columns.end())
            r.problem(base + "/file", fmt::format("{}: no column '{}' (an input of model '{}')", *file, input, m.name));
          column.push_back(static_cast<std::size_t>(it - sample->columns.begin()));
        }
        if (!r.ok()) return;
        std::vector<float> &matrix = matrices[c.score];
        for (const auto &row : sample->rows)
          for (const std::size_t k : column) matrix.push_back(static_cast<float>(row[k]));
      }
      ctx.content.cutoff_baselines[{c.score, c.threshold}] =
          cutoff_baseline(m, matrices[c.score], sample->rows.size(), c.threshold, static_cast<std::size_t>(near));
    }
}

}  // namespace

std::size_t read_reasons(PolicyContext &ctx, const Json *reasons,
                         const std::vector<const std::vector<Cutoff> *> &cutoff_sets) {
  ManifestReader &r = ctx.reader;
  BundleContent &c = ctx.content;
  std::size_t top = 4;
  std::vector<CatalogueEntry> catalogue;
  if (reasons && r.expect_object(*reasons, "/policy/reasons",
                                 {"top", "catalogue", "catalogue_sha256", "baseline", "reference"})) {
    if (auto t = r.number(*reasons, "/policy/reasons", "top", false)) {
      if (*t < 1 || *t > 32 || std::floor(*t) != *t) r.problem("/policy/reasons/top", "expected an integer 1-32");
      else top = static_cast<std::size_t>(*t);
    }
    catalogue = read_catalogue(ctx, *reasons);
    const std::string baseline = r.string(*reasons, "/policy/reasons", "baseline", false).value_or("mean");
    if (baseline == "max") c.reason_baseline = ReasonBaseline::best;
    else if (baseline == "cutoff") c.reason_baseline = ReasonBaseline::cutoff;
    else if (baseline != "mean")
      r.problem("/policy/reasons/baseline", fmt::format("unknown baseline '{}' (mean, max, cutoff)", baseline));
    if (c.reason_baseline != ReasonBaseline::cutoff && reasons->contains("reference"))
      r.problem("/policy/reasons/reference", "a reference sample is only used by the \"cutoff\" baseline");
  }
  for (BundleModel &m : c.models) m.reason_units = units_for(m, catalogue);
  // Every input of a model a cutoff uses needs a catalogue entry: no reason is generic.
  std::vector<bool> checked(c.models.size(), false);
  for (const auto *set : cutoff_sets)
    for (const Cutoff &cut : *set) {
      if (cut.score >= c.models.size() || checked[cut.score]) continue;  // rule_score: its reasons are the rules'
      checked[cut.score] = true;
      const BundleModel &m = c.models[cut.score];
      for (std::size_t i = 0; i < m.inputs.size(); ++i) {
        const bool covered = std::any_of(m.reason_units.begin(), m.reason_units.end(), [&](const ReasonUnit &u) {
          return std::find(u.inputs.begin(), u.inputs.end(), i) != u.inputs.end();
        });
        if (!covered)
          r.problem("/policy/reasons/catalogue",
                    fmt::format("model '{}' input '{}' has no entry in the reason catalogue", m.name, m.inputs[i]));
      }
      if (c.reason_baseline == ReasonBaseline::best && m.best_points_offset.empty())
        r.problem("/policy/reasons/baseline",
                  fmt::format("the \"max\" baseline is for scorecards; model '{}' is a {}", m.name, m.model->kind()));
    }
  if (!r.ok()) return top;
  if (c.reason_baseline == ReasonBaseline::cutoff && reasons) read_cutoff_baselines(ctx, *reasons, cutoff_sets);
  return top;
}

}  // namespace riskkit::detail
