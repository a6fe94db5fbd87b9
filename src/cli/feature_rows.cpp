#include "cli/feature_rows.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::cli {
namespace {

std::vector<std::size_t> feature_columns(const Model &model, const std::vector<std::string> &header,
                                         const std::string &origin) {
  const std::size_t n = model.num_features();
  std::vector<std::size_t> map(n);
  const auto &names = model.feature_names();
  bool by_name = !names.empty();
  for (std::size_t f = 0; by_name && f < n; ++f) {
    const auto it = std::find(header.begin(), header.end(), names[f]);
    by_name = it != header.end();
    if (by_name) map[f] = static_cast<std::size_t>(it - header.begin());
  }
  if (by_name) return map;
  if (header.size() != n)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}:1: {} columns, the model has {} features (and the header does not name them all)",
                            origin, header.size(), n));
  std::iota(map.begin(), map.end(), std::size_t{0});
  return map;
}

float feature_value(const std::string &cell, const std::string &origin, std::size_t line, std::size_t column) {
  if (cell.empty() || cell == "NaN" || cell == "nan" || cell == "NA") return std::numeric_limits<float>::quiet_NaN();
  double x = 0;
  const char *begin = cell.data() + (cell[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(begin, cell.data() + cell.size(), x);
  if (end != cell.data() + cell.size())
    throw Error(ErrorCode::parse, fmt::format("{}:{}: column {}: '{}' is not a number", origin, line, column + 1, cell));
  if (ec == std::errc::result_out_of_range) x = cell[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  return static_cast<float>(x);
}

}  // namespace

FeatureRowReader::FeatureRowReader(std::istream &in, std::string origin, const Model &model)
    : origin_(std::move(origin)), csv_(in, origin_) {
  if (!csv_.next(header_)) throw Error(ErrorCode::parse, origin_ + ": empty CSV: no header row");
  columns_ = feature_columns(model, header_, origin_);
}

std::size_t FeatureRowReader::read(std::size_t max, std::vector<float> &rows) {
  rows.clear();
  std::size_t n = 0;
  while (n < max && csv_.next(cells_)) {
    if (cells_.size() == 1 && cells_[0].empty()) continue;
    if (cells_.size() != header_.size())
      throw Error(ErrorCode::parse, fmt::format("{}:{}: {} cells, the header has {}", origin_, csv_.line(),
                                                cells_.size(), header_.size()));
    for (const std::size_t c : columns_) rows.push_back(feature_value(cells_[c], origin_, csv_.line(), c));
    ++n;
  }
  return n;
}

}  // namespace riskkit::cli
