// Merging neighbouring numeric bins. Every merge joins two adjacent cells, so a binning
// that was monotonic stays monotonic, and the number of cells is small (at most the
// pre-bins), which keeps these quadratic loops cheap.
#include "scorecard/bin_cells.hpp"

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

std::size_t lowest_chi2_pair(const std::vector<Cell> &cells, double *chi2 = nullptr) {
  std::size_t best = 0;
  double low = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i + 1 < cells.size(); ++i) {
    const double c = chi2_of(cells[i], cells[i + 1]);
    if (c < low) {
      low = c;
      best = i;
    }
  }
  if (chi2) *chi2 = low;
  return best;
}

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
  while (cells.size() > 1) {
    double low = 0;
    const std::size_t i = lowest_chi2_pair(cells, &low);
    if (cells.size() <= max_bins && !(threshold > 0 && low < threshold)) break;
    merge_at(cells, i);
  }
}

void enforce_monotonic(std::vector<Cell> &cells, Monotonic direction, const Totals &totals, double smoothing) {
  const double sign = direction == Monotonic::descending ? -1.0 : 1.0;
  while (cells.size() > 1) {
    std::size_t best = cells.size();
    double low = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i + 1 < cells.size(); ++i) {
      const double a = woe_of(goods_of(cells[i]), static_cast<double>(cells[i].bads), totals, smoothing);
      const double b = woe_of(goods_of(cells[i + 1]), static_cast<double>(cells[i + 1].bads), totals, smoothing);
      if (sign * (b - a) >= 0) continue;
      const double c = chi2_of(cells[i], cells[i + 1]);
      if (c < low) {
        low = c;
        best = i;
      }
    }
    if (best == cells.size()) return;
    merge_at(cells, best);
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
