// The C ABI of monitoring and scorecard development (include/riskkit/riskkit.h): glue over
// riskkit::metrics and riskkit::scorecard; tables leave as JSON text.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "c_api/c_api_guard.hpp"
#include "riskkit/metrics/monitoring.hpp"
#include "riskkit/riskkit.h"
#include "riskkit/scorecard/scorecard.hpp"

namespace riskkit::detail {
namespace {

using Json = nlohmann::ordered_json;
using scorecard::Binning;

// NaN and ±inf have no JSON spelling: they print as null.
std::string dumped(const Json &j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::span<const double> span_of(const double *p, std::size_t n) { return {p, n}; }

const char *kind_name(scorecard::BinKind k) {
  switch (k) {
    case scorecard::BinKind::special: return "special";
    case scorecard::BinKind::missing: return "missing";
    case scorecard::BinKind::numeric: break;
  }
  return "numeric";
}

const char *direction_name(scorecard::Monotonic m) {
  switch (m) {
    case scorecard::Monotonic::ascending: return "ascending";
    case scorecard::Monotonic::descending: return "descending";
    case scorecard::Monotonic::automatic: return "auto";
    case scorecard::Monotonic::none: break;
  }
  return "none";
}

Json bins_json(const Binning &b) {
  Json rows = Json::array();
  for (const auto &bin : b.bins)
    rows.push_back({{"bin", bin.label()}, {"kind", kind_name(bin.kind)}, {"count", bin.count}, {"bads", bin.bads},
                    {"woe", bin.woe}, {"iv", bin.iv}});
  return rows;
}

Json binning_json(const Binning &b) {
  return {{"edges", b.edges}, {"special", b.special}, {"direction", direction_name(b.direction)}, {"iv", b.iv},
          {"bins", bins_json(b)}};
}

Json psi_bins_json(const metrics::PsiResult &r) {
  Json rows = Json::array();
  for (const auto &bin : r.bins)
    rows.push_back({{"bin", bin.label}, {"expected_count", bin.expected_count}, {"actual_count", bin.actual_count},
                    {"expected_share", bin.expected_share}, {"actual_share", bin.actual_share},
                    {"contribution", bin.contribution}});
  return rows;
}

struct Development {
  scorecard::BinningOptions binning;
  scorecard::LogisticOptions fit;
  scorecard::Scaling scaling;
  bool round_points = false;
  int nthread = 0;
};

// The options the caller's struct_size covers; NULL = the C++ defaults. Every field so far
// came with the first version, so an older header cannot be shorter than the whole struct.
Development development_of(const rk_scorecard_options *opt) {
  Development d;
  if (!opt) return d;
  require(opt->struct_size >= offsetof(rk_scorecard_options, nthread) + sizeof(int),
          "rk_scorecard_options: struct_size is too small (use rk_scorecard_options_init)");
  require(opt->method == RK_BINNING_CHIMERGE || opt->method == RK_BINNING_QUANTILE,
          "rk_scorecard_options: method must be RK_BINNING_CHIMERGE or RK_BINNING_QUANTILE");
  require(opt->monotonic >= RK_MONOTONIC_AUTO && opt->monotonic <= RK_MONOTONIC_DESCENDING,
          "rk_scorecard_options: monotonic must be one of the RK_MONOTONIC_* values");
  require(opt->special || opt->n_special == 0, "rk_scorecard_options: special is NULL but n_special > 0");
  require(opt->max_iter >= 1 && opt->nthread >= 0,
          "rk_scorecard_options: max_iter must be >= 1 and nthread >= 0");
  require(opt->round_points == 0 || opt->round_points == 1, "rk_scorecard_options: round_points must be 0 or 1");
  static constexpr scorecard::Monotonic kDirections[] = {scorecard::Monotonic::automatic, scorecard::Monotonic::none,
                                                         scorecard::Monotonic::ascending,
                                                         scorecard::Monotonic::descending};
  auto &b = d.binning;
  b.method = opt->method == RK_BINNING_QUANTILE ? scorecard::BinningMethod::quantile : scorecard::BinningMethod::chimerge;
  b.max_bins = opt->max_bins;
  b.initial_bins = opt->initial_bins;
  b.min_bin_share = opt->min_bin_share;
  b.monotonic = kDirections[opt->monotonic];
  b.special.assign(opt->special, opt->special + opt->n_special);
  b.smoothing = opt->smoothing;
  d.fit.l2 = opt->l2;
  d.fit.max_iter = opt->max_iter;
  d.fit.nthread = opt->nthread;
  d.scaling = {opt->base_points, opt->base_odds, opt->pdo};
  d.round_points = opt->round_points == 1;
  d.nthread = opt->nthread;
  return d;
}

Json report_json(const scorecard::Scorecard &card, const scorecard::LogisticFit &fit) {
  // std_errors / p_values hold the intercept first, then one entry per characteristic.
  Json characteristics = Json::array();
  for (std::size_t j = 0; j < card.characteristics.size(); ++j) {
    const auto &c = card.characteristics[j];
    Json entry = {{"name", c.name}, {"coefficient", c.coefficient}, {"std_error", fit.std_errors[j + 1]},
                  {"p_value", fit.p_values[j + 1]}, {"expected_points", c.expected_points}, {"points", c.points}};
    entry.update(binning_json(c.binning));
    characteristics.push_back(std::move(entry));
  }
  return {{"intercept", fit.intercept}, {"intercept_points", card.intercept_points},
          {"log_likelihood", fit.log_likelihood}, {"iterations", fit.iterations}, {"converged", fit.converged},
          {"intercept_std_error", fit.std_errors[0]}, {"intercept_p_value", fit.p_values[0]},
          {"characteristics", std::move(characteristics)}};
}

}  // namespace
}  // namespace riskkit::detail

using riskkit::detail::guarded;
using riskkit::detail::require;
using riskkit::detail::span_of;
using riskkit::detail::to_c_string;

extern "C" {

rk_status rk_metric_csi(const double *expected, size_t n_expected, const double *actual, size_t n_actual,
                        const double *edges, size_t n_edges, const double *special, size_t n_special, double *out,
                        char **bins_json) {
  return guarded([&] {
    require(expected && actual && out && (edges || n_edges == 0) && (special || n_special == 0),
            "rk_metric_csi: expected, actual, out (and edges, special when counted) must not be NULL");
    if (bins_json) *bins_json = nullptr;
    const auto r = riskkit::metrics::csi(span_of(expected, n_expected), span_of(actual, n_actual),
                                         span_of(edges, n_edges), span_of(special, n_special));
    if (bins_json) *bins_json = to_c_string(riskkit::detail::dumped(riskkit::detail::psi_bins_json(r)));
    *out = r.psi;
  });
}

rk_status rk_metric_iv(const double *values, const double *labels, size_t n, const double *edges, size_t n_edges,
                       const double *special, size_t n_special, double *out, char **bins_json) {
  return guarded([&] {
    require(values && labels && out && (edges || n_edges == 0) && (special || n_special == 0),
            "rk_metric_iv: values, labels, out (and edges, special when counted) must not be NULL");
    if (bins_json) *bins_json = nullptr;
    const auto b = riskkit::metrics::information_value(span_of(values, n), span_of(labels, n), span_of(edges, n_edges),
                                                       span_of(special, n_special));
    if (bins_json) *bins_json = to_c_string(riskkit::detail::dumped(riskkit::detail::bins_json(b)));
    *out = b.iv;
  });
}

rk_status rk_score_bands(const double *scores, const double *labels, size_t n, const double *edges, size_t n_edges,
                         size_t bands, char **table_json) {
  return guarded([&] {
    require(scores && labels && table_json && (edges || n_edges == 0),
            "rk_score_bands: scores, labels, table_json (and edges when n_edges > 0) must not be NULL");
    *table_json = nullptr;
    riskkit::detail::Json rows = riskkit::detail::Json::array();
    for (const auto &b : riskkit::metrics::score_bands(span_of(scores, n), span_of(labels, n), span_of(edges, n_edges),
                                                       bands))
      rows.push_back({{"band", b.label}, {"lower", b.lower}, {"upper", b.upper}, {"count", b.count}, {"bads", b.bads},
                      {"bad_rate", b.bad_rate}, {"share", b.share}, {"cumulative_share", b.cumulative_share},
                      {"cumulative_bads", b.cumulative_bads}, {"cumulative_goods", b.cumulative_goods}, {"ks", b.ks}});
    *table_json = to_c_string(riskkit::detail::dumped(rows));
  });
}

rk_status rk_decision_rates(const char *const *outcomes, size_t n, char **rates_json) {
  return guarded([&] {
    require((outcomes || n == 0) && rates_json, "rk_decision_rates: outcomes and rates_json must not be NULL");
    *rates_json = nullptr;
    std::vector<std::string> names;
    names.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      require(outcomes[i] != nullptr, "rk_decision_rates: an outcome is NULL");
      names.emplace_back(outcomes[i]);
    }
    const auto r = riskkit::metrics::decision_rates(names);
    const riskkit::detail::Json j = {
        {"total", r.total}, {"approve", r.approve}, {"review", r.review}, {"decline", r.decline}, {"error", r.error},
        {"other", r.other}, {"approve_rate", r.approve_rate}, {"review_rate", r.review_rate},
        {"decline_rate", r.decline_rate}, {"error_rate", r.error_rate}, {"automated_rate", r.automated_rate}};
    *rates_json = to_c_string(riskkit::detail::dumped(j));
  });
}

void rk_scorecard_options_init(rk_scorecard_options *opt) {
  if (!opt) return;
  const riskkit::scorecard::BinningOptions b;
  const riskkit::scorecard::LogisticOptions f;
  const riskkit::scorecard::Scaling s;
  *opt = rk_scorecard_options{};
  opt->struct_size = sizeof(rk_scorecard_options);
  opt->method = RK_BINNING_CHIMERGE;
  opt->max_bins = b.max_bins;
  opt->initial_bins = b.initial_bins;
  opt->min_bin_share = b.min_bin_share;
  opt->monotonic = RK_MONOTONIC_AUTO;
  opt->smoothing = b.smoothing;
  opt->l2 = f.l2;
  opt->max_iter = f.max_iter;
  opt->base_points = s.base_points;
  opt->base_odds = s.base_odds;
  opt->pdo = s.pdo;
  opt->nthread = f.nthread;
}

rk_status rk_scorecard_bin(const double *x, const double *labels, size_t n, const rk_scorecard_options *opt,
                           char **binning_json) {
  return guarded([&] {
    require(x && labels && binning_json, "rk_scorecard_bin: x, labels and binning_json must not be NULL");
    *binning_json = nullptr;
    const auto d = riskkit::detail::development_of(opt);
    const auto b = riskkit::scorecard::fit_binning(span_of(x, n), span_of(labels, n), d.binning);
    *binning_json = to_c_string(riskkit::detail::dumped(riskkit::detail::binning_json(b)));
  });
}

rk_status rk_scorecard_develop(const double *columns, size_t nrow, size_t ncol, const char *const *names,
                               const double *labels, const rk_scorecard_options *opt, char **scorecard_json,
                               char **report_json) {
  return guarded([&] {
    require(columns && names && labels && scorecard_json && ncol > 0,
            "rk_scorecard_develop: columns, names, labels and scorecard_json must not be NULL, ncol > 0");
    *scorecard_json = nullptr;
    if (report_json) *report_json = nullptr;
    const auto d = riskkit::detail::development_of(opt);
    std::vector<std::string> characteristic_names;
    std::vector<std::span<const double>> xs;
    for (size_t j = 0; j < ncol; ++j) {
      require(names[j] != nullptr, "rk_scorecard_develop: a characteristic name is NULL");
      characteristic_names.emplace_back(names[j]);
      xs.push_back(span_of(columns + j * nrow, nrow));
    }
    const auto y = span_of(labels, nrow);
    const auto binnings = riskkit::scorecard::fit_binnings(xs, y, d.binning, d.nthread);
    std::vector<double> woe(nrow * ncol);
    for (size_t j = 0; j < ncol; ++j) binnings[j].transform(xs[j], std::span<double>(woe).subspan(j * nrow, nrow));
    const auto fit = riskkit::scorecard::fit_logistic(woe, nrow, ncol, y, d.fit);
    const auto card =
        riskkit::scorecard::make_scorecard(characteristic_names, binnings, fit, d.scaling, d.round_points);
    const std::string report = report_json ? riskkit::detail::dumped(riskkit::detail::report_json(card, fit)) : "";
    std::unique_ptr<char, void (*)(char *)> model(to_c_string(card.to_json()), rk_string_free);
    if (report_json) *report_json = to_c_string(report);
    *scorecard_json = model.release();
  });
}

}  // extern "C"
