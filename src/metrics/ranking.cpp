// AUC, Gini and KS: one sort of the scored rows, then one pass over groups of tied scores.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "riskkit/metrics/metrics.hpp"

namespace riskkit::metrics {
namespace {

struct Ranked {
  std::vector<std::size_t> order;  // rows with a score, ascending by score
  double bads = 0, goods = 0;
};

Ranked rank(std::span<const double> scores, std::span<const double> labels, const char *metric) {
  if (scores.size() != labels.size())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: {} scores but {} labels", metric, scores.size(), labels.size()));
  Ranked r;
  r.order.reserve(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1)
      throw Error(ErrorCode::invalid_argument, fmt::format("{}: label {} at row {} is not 0 or 1", metric, labels[i], i));
    if (std::isnan(scores[i])) continue;
    r.order.push_back(i);
    (labels[i] == 1 ? r.bads : r.goods) += 1;
  }
  if (r.bads == 0 || r.goods == 0)
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: needs both bads (1) and goods (0) among scored rows", metric));
  std::sort(r.order.begin(), r.order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  return r;
}

// Calls f(bads_in_group, goods_in_group) for each group of equal scores, ascending.
template <class F>
void for_each_tie_group(const Ranked &r, std::span<const double> scores, std::span<const double> labels, F &&f) {
  for (std::size_t i = 0; i < r.order.size();) {
    double b = 0, g = 0;
    std::size_t j = i;
    for (; j < r.order.size() && scores[r.order[j]] == scores[r.order[i]]; ++j) (labels[r.order[j]] == 1 ? b : g) += 1;
    f(b, g);
    i = j;
  }
}

}  // namespace

double auc(std::span<const double> scores, std::span<const double> labels) {
  const Ranked r = rank(scores, labels, "auc");
  double goods_below = 0, pairs = 0;
  for_each_tie_group(r, scores, labels, [&](double b, double g) {
    pairs += b * (goods_below + 0.5 * g);  // each bad beats the goods below it, ties count half
    goods_below += g;
  });
  return pairs / (r.bads * r.goods);
}

double gini(std::span<const double> scores, std::span<const double> labels) { return 2 * auc(scores, labels) - 1; }

double ks(std::span<const double> scores, std::span<const double> labels) {
  const Ranked r = rank(scores, labels, "ks");
  double bads = 0, goods = 0, best = 0;
  for_each_tie_group(r, scores, labels, [&](double b, double g) {
    bads += b;
    goods += g;
    best = std::max(best, std::abs(goods / r.goods - bads / r.bads));
  });
  return best;
}

}  // namespace riskkit::metrics
