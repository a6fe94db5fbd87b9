// fit_binning: split the rows into missing, special and numeric; sort the numeric ones once;
// cut pre-bins; merge (monotonic WOE, chi-merge, minimum share); then count every bin's
// statistics against the whole sample's totals.
#include "riskkit/scorecard/binning.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "scorecard/bin_cells.hpp"
#include "scorecard/sorted_values.hpp"

namespace riskkit::scorecard {
namespace {

using detail::Cell;
using detail::Totals;
using detail::ValueKey;

constexpr double kInf = std::numeric_limits<double>::infinity();

double as_float32(double x) { return static_cast<double>(static_cast<float>(x)); }

std::string bound(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{}", static_cast<float>(x));
}

// The rows of one characteristic, split by kind.
struct Split {
  std::vector<ValueKey> numeric;             // unsorted until sort_keys
  std::vector<std::size_t> special_count, special_bads;
  std::size_t missing_count = 0, missing_bads = 0;
  Totals totals;
};

std::vector<double> checked_special(std::span<const double> special) {
  std::vector<double> out;
  for (double s : special) {
    const double f = as_float32(s);
    if (!std::isfinite(f)) throw Error(ErrorCode::invalid_argument, fmt::format("binning: special value {} is not finite", s));
    if (std::find(out.begin(), out.end(), f) != out.end())
      throw Error(ErrorCode::invalid_argument, fmt::format("binning: special value {} is given twice", s));
    out.push_back(f);
  }
  return out;
}

std::vector<double> checked_edges(std::span<const double> edges) {
  std::vector<double> out;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const double e = as_float32(edges[i]);
    if (!std::isfinite(e) || (!out.empty() && !(e > out.back())))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("binning: edges must be finite and strictly increasing as float32 (edge {})", i));
    out.push_back(e);
  }
  return out;
}

Split split_rows(std::span<const double> x, std::span<const double> y, const std::vector<double> &special) {
  if (x.size() != y.size())
    throw Error(ErrorCode::invalid_argument, fmt::format("binning: {} values but {} labels", x.size(), y.size()));
  Split s;
  s.special_count.assign(special.size(), 0);
  s.special_bads.assign(special.size(), 0);
  s.numeric.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (y[i] != 0 && y[i] != 1)
      throw Error(ErrorCode::invalid_argument, fmt::format("binning: label {} at row {} is not 0 or 1", y[i], i));
    const bool bad = y[i] == 1;
    (bad ? s.totals.bads : s.totals.goods) += 1;
    const float f = static_cast<float>(x[i]);
    if (std::isnan(f)) {
      ++s.missing_count;
      s.missing_bads += bad;
      continue;
    }
    const auto it = special.empty() ? special.end() : std::find(special.begin(), special.end(), static_cast<double>(f));
    if (it != special.end()) {
      const auto j = static_cast<std::size_t>(it - special.begin());
      ++s.special_count[j];
      s.special_bads[j] += bad;
      continue;
    }
    s.numeric.push_back(detail::make_key(f, bad));
  }
  return s;
}

// The merges for one direction; returns the cells' IV so "automatic" can compare directions.
double shape(std::vector<Cell> &cells, const BinningOptions &o, Monotonic direction, const Totals &totals,
             std::size_t rows) {
  if (direction != Monotonic::none) detail::enforce_monotonic(cells, direction, totals, o.smoothing);
  // Small bins go first, so that they do not spend the bin budget chi-merge works with.
  if (o.min_bin_share > 0) detail::merge_small(cells, o.min_bin_share * static_cast<double>(rows));
  if (o.method == BinningMethod::chimerge || cells.size() > o.max_bins)
    detail::chi_merge(cells, o.max_bins, o.method == BinningMethod::chimerge ? o.chi2_threshold : 0.0);
  // A merge can move a smoothed WOE past a neighbour's; check once more.
  if (direction != Monotonic::none) detail::enforce_monotonic(cells, direction, totals, o.smoothing);
  return detail::cells_iv(cells, totals, o.smoothing);
}

Binning assemble(const std::vector<Cell> &cells, const Split &s, std::vector<double> special, double smoothing,
                 Monotonic direction) {
  Binning b;
  b.special = std::move(special);
  b.direction = direction;
  auto add = [&](Bin bin) {
    const double bads = static_cast<double>(bin.bads), goods = static_cast<double>(bin.count - bin.bads);
    bin.woe = detail::woe_of(goods, bads, s.totals, smoothing);
    bin.iv = detail::iv_of(goods, bads, s.totals, smoothing);
    b.iv += bin.iv;
    b.bins.push_back(bin);
  };
  double lower = -kInf;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const double upper = i + 1 == cells.size() ? kInf : cells[i].upper;
    if (i + 1 < cells.size()) b.edges.push_back(upper);
    add(Bin{BinKind::numeric, lower, upper, 0, cells[i].count, cells[i].bads});
    lower = upper;
  }
  for (std::size_t j = 0; j < b.special.size(); ++j)
    add(Bin{BinKind::special, 0, 0, b.special[j], s.special_count[j], s.special_bads[j]});
  add(Bin{BinKind::missing, 0, 0, 0, s.missing_count, s.missing_bads});
  return b;
}

void check_options(const BinningOptions &o) {
  if (o.max_bins < 1) throw Error(ErrorCode::invalid_argument, "binning: max_bins must be at least 1");
  if (o.method == BinningMethod::chimerge && o.initial_bins < 1)
    throw Error(ErrorCode::invalid_argument, "binning: initial_bins must be at least 1");
  if (!(o.smoothing > 0)) throw Error(ErrorCode::invalid_argument, "binning: smoothing must be positive");
  if (!(o.min_bin_share >= 0 && o.min_bin_share < 1))
    throw Error(ErrorCode::invalid_argument, "binning: min_bin_share must be in [0, 1)");
}

}  // namespace

std::string Bin::label() const {
  switch (kind) {
    case BinKind::special: return fmt::format("special {}", static_cast<float>(value));
    case BinKind::missing: return "missing";
    case BinKind::numeric: break;
  }
  return fmt::format("[{}, {})", bound(lower), bound(upper));
}

std::size_t Binning::bin_index(double x) const noexcept {
  const double f = as_float32(x);
  if (std::isnan(f)) return missing_index();
  for (std::size_t j = 0; j < special.size(); ++j)
    if (special[j] == f) return edges.size() + 1 + j;
  return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), f) - edges.begin());
}

void Binning::transform(std::span<const double> x, std::span<double> out) const {
  if (x.size() != out.size())
    throw Error(ErrorCode::invalid_argument, fmt::format("transform: {} values but room for {}", x.size(), out.size()));
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = bins[bin_index(x[i])].woe;
}

Binning fit_binning(std::span<const double> x, std::span<const double> y, const BinningOptions &o) {
  check_options(o);
  std::vector<double> special = checked_special(o.special);
  Split s = split_rows(x, y, special);
  std::vector<ValueKey> scratch;
  detail::sort_keys(s.numeric, scratch);
  scratch = {};
  if (o.method == BinningMethod::fixed) {
    const std::vector<double> edges = checked_edges(o.edges);
    return assemble(detail::edge_cells(s.numeric, edges), s, std::move(special), o.smoothing, Monotonic::none);
  }
  // Chi-merge starts from `initial_bins` equal-frequency pre-bins rather than from every
  // distinct value: a value common enough starts a pre-bin of its own, rare ones are pooled
  // with their neighbours. A pre-bin of a handful of rows has a bad rate that is mostly
  // noise, and its chi-square against a neighbour is high enough to survive the merging as
  // a tiny tail bin with an extreme WOE, which costs the scorecard on new data.
  const std::size_t pre = o.method == BinningMethod::chimerge ? std::max(o.initial_bins, o.max_bins) : o.max_bins;
  std::vector<Cell> cells = detail::quantile_cells(s.numeric, pre);
  Monotonic direction = o.monotonic;
  if (direction == Monotonic::automatic) {
    std::vector<Cell> down = cells;
    const double up_iv = shape(cells, o, Monotonic::ascending, s.totals, x.size());
    const double down_iv = shape(down, o, Monotonic::descending, s.totals, x.size());
    direction = down_iv > up_iv ? Monotonic::descending : Monotonic::ascending;
    if (direction == Monotonic::descending) cells.swap(down);
  } else {
    shape(cells, o, direction, s.totals, x.size());
  }
  return assemble(cells, s, std::move(special), o.smoothing, direction);
}

Binning binning_from_edges(std::span<const double> x, std::span<const double> y, std::span<const double> edges,
                           std::span<const double> special, double smoothing) {
  BinningOptions o;
  o.method = BinningMethod::fixed;
  o.edges.assign(edges.begin(), edges.end());
  o.special.assign(special.begin(), special.end());
  o.smoothing = smoothing;
  return fit_binning(x, y, o);
}

}  // namespace riskkit::scorecard
