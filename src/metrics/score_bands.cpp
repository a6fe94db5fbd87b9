// Score-band tables: counts, bad rates and cumulative shares per band, lowest scores first.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "metrics/psi_bins.hpp"
#include "riskkit/error.hpp"
#include "riskkit/metrics/monitoring.hpp"

namespace riskkit::metrics {

std::vector<ScoreBand> score_bands(std::span<const double> scores, std::span<const double> labels,
                                   std::span<const double> edges, std::size_t bands) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (scores.size() != labels.size())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("score_bands: {} scores but {} labels", scores.size(), labels.size()));
  std::vector<double> cuts(edges.begin(), edges.end());
  if (cuts.empty()) {
    if (bands < 1) throw Error(ErrorCode::invalid_argument, "score_bands: bands must be at least 1");
    cuts = detail::quantile_cuts(scores, bands);
  }
  for (std::size_t i = 0; i < cuts.size(); ++i)
    if (std::isnan(cuts[i]) || (i && cuts[i] <= cuts[i - 1]))
      throw Error(ErrorCode::invalid_argument, fmt::format("score_bands: edges must be strictly increasing (edge {})", i));

  const std::size_t n = cuts.size() + 1;  // numeric bands; index n is missing
  std::vector<ScoreBand> out(n + 1);
  double all_bads = 0, all_goods = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1)
      throw Error(ErrorCode::invalid_argument, fmt::format("score_bands: label {} at row {} is not 0 or 1", labels[i], i));
    const std::size_t b = std::isnan(scores[i])
                              ? n
                              : static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), scores[i]) - cuts.begin());
    ++out[b].count;
    out[b].bads += labels[i] == 1;
    (labels[i] == 1 ? all_bads : all_goods) += 1;
  }
  if (all_bads == 0 || all_goods == 0)
    throw Error(ErrorCode::invalid_argument, "score_bands: needs both bads (1) and goods (0)");
  if (out[n].count == 0) out.pop_back();

  const double total = static_cast<double>(scores.size());
  double rows = 0, bads = 0, goods = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    ScoreBand &b = out[i];
    if (i < n) {
      b.lower = i ? cuts[i - 1] : -kInf;
      b.upper = i < cuts.size() ? cuts[i] : kInf;
      b.label = detail::interval_label(b.lower, b.upper);
    } else {
      b.lower = b.upper = std::numeric_limits<double>::quiet_NaN();
      b.label = "missing";
    }
    const double count = static_cast<double>(b.count), bad = static_cast<double>(b.bads);
    b.bad_rate = b.count ? bad / count : std::numeric_limits<double>::quiet_NaN();
    b.share = count / total;
    rows += count;
    bads += bad;
    goods += count - bad;
    b.cumulative_share = rows / total;
    b.cumulative_bads = bads / all_bads;
    b.cumulative_goods = goods / all_goods;
    b.ks = std::abs(b.cumulative_bads - b.cumulative_goods);
  }
  return out;
}

}  // namespace riskkit::metrics
