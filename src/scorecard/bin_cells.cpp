// Merging neighbouring numeric bins. Every merge joins two adjacent cells, so a binning
// that was monotonic stays monotonic, and the number of cells is small (at most the
// pre-bins), which keeps these quadratic loops cheap.
#include "scorecard/bin_cells.hpp"

#include <algorithm>
#include <cmath>

namespace riskkit::scorecard::detail {
namespace {

void merge_at(std::vector<Cell> &cells, std::size_t i) {  // joins cells i and i + 1
  cells[i].upper = cells[i + 1].upper;
  cells[i].count += cells[i + 1].count;
  cells[i].bads += cells[i + 1].bads;
  cells.erase(cells.begin() + static_cast<std::ptrdiff_t>(i) + 1);
}

double goods_of(const Cell &c) noexcept { return static_cast<double>(c.count - c.bads); }

}  // namespace

double woe_of(double goods, double bads, const Totals &totals, double smoothing) noexcept {
  if (goods + bads == 0 || totals.goods == 0 || totals.bads == 0) return 0;
  if (goods == 0 || bads == 0) {
    goods += smoothing;
    bads += smoothing;
  }
  return std::log((goods / totals.goods) / (bads / totals.bads));
}

double iv_of(double goods, double bads, const Totals &totals, double smoothing) noexcept {
  const double w = woe_of(goods, bads, totals, smoothing);
  if (w == 0) return 0;
  if (goods == 0 || bads == 0) {
    goods += smoothing;
    bads += smoothing;
  }
  return (goods / totals.goods - bads / totals.bads) * w;
}

double chi2_of(const Cell &a, const Cell &b) noexcept {
  const double n = static_cast<double>(a.count + b.count);
  const double bad = static_cast<double>(a.bads + b.bads), good = n - bad;
  if (n == 0) return 0;
  double chi2 = 0;
  for (const Cell *c : {&a, &b}) {
    const double rows = static_cast<double>(c->count);
    const double expected_bad = rows * bad / n, expected_good = rows * good / n;
    if (expected_bad > 0) chi2 += std::pow(static_cast<double>(c->bads) - expected_bad, 2) / expected_bad;
    if (expected_good > 0) chi2 += std::pow(goods_of(*c) - expected_good, 2) / expected_good;
  }
  return chi2;
}

void chi_merge(std::vector<Cell> &cells, std::size_t max_bins, double threshold) {
  // chi[i] belongs to the pair (i, i + 1); a merge changes only its two neighbours' values,
  // so a merge costs one scan for the minimum instead of recomputing every pair.
  std::vector<double> chi;
  for (std::size_t i = 0; i + 1 < cells.size(); ++i) chi.push_back(chi2_of(cells[i], cells[i + 1]));
  while (cells.size() > 1) {
    const auto low = std::min_element(chi.begin(), chi.end());
    const auto i = static_cast<std::size_t>(low - chi.begin());
    if (cells.size() <= max_bins && !(threshold > 0 && *low < threshold)) break;
    merge_at(cells, i);
    chi.erase(chi.begin() + static_cast<std::ptrdiff_t>(i));
    if (i < chi.size()) chi[i] = chi2_of(cells[i], cells[i + 1]);
    if (i > 0) chi[i - 1] = chi2_of(cells[i - 1], cells[i]);
  }
}

void enforce_monotonic(std::vector<Cell> &cells, Monotonic direction, const Totals &totals, double smoothing) {
  const double sign = direction == Monotonic::descending ? -1.0 : 1.0;
  // Cached per cell (WOE) and per pair (chi-square); a merge refreshes only its neighbourhood.
  const auto woe = [&](const Cell &c) { return woe_of(goods_of(c), static_cast<double>(c.bads), totals, smoothing); };
  std::vector<double> w, chi;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    w.push_back(woe(cells[i]));
    if (i + 1 < cells.size()) chi.push_back(chi2_of(cells[i], cells[i + 1]));
  }
  while (cells.size() > 1) {
    std::size_t best = cells.size();
    for (std::size_t i = 0; i + 1 < cells.size(); ++i)
      if (sign * (w[i + 1] - w[i]) < 0 && (best == cells.size() || chi[i] < chi[best])) best = i;
    if (best == cells.size()) return;
    merge_at(cells, best);
    w.erase(w.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    w[best] = woe(cells[best]);
    chi.erase(chi.begin() + static_cast<std::ptrdiff_t>(best));
    if (best < chi.size()) chi[best] = chi2_of(cells[best], cells[best + 1]);
    if (best > 0) chi[best - 1] = chi2_of(cells[best - 1], cells[best]);
  }
}

void merge_small(std::vector<Cell> &cells, double min_count) {
  while (cells.size() > 1) {
    std::size_t smallest = 0;
    for (std::size_t i = 1; i < cells.size(); ++i)
      if (cells[i].count < cells[smallest].count) smallest = i;
    if (static_cast<double>(cells[smallest].count) >= min_count) return;
    if (smallest == 0) {
      merge_at(cells, 0);
    } else if (smallest + 1 == cells.size()) {
      merge_at(cells, smallest - 1);
    } else {
      const bool left = chi2_of(cells[smallest - 1], cells[smallest]) <= chi2_of(cells[smallest], cells[smallest + 1]);
      merge_at(cells, left ? smallest - 1 : smallest);
    }
  }
}

double cells_iv(const std::vector<Cell> &cells, const Totals &totals, double smoothing) noexcept {
  double iv = 0;
  for (const Cell &c : cells) iv += iv_of(goods_of(c), static_cast<double>(c.bads), totals, smoothing);
  return iv;
}

}  // namespace riskkit::scorecard::detail
