#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "models/linear_model.hpp"
#include "models/model_json.hpp"
#include "models/row_model.hpp"

namespace riskkit::detail {
namespace {

// One characteristic: bins [-inf, e0), [e0, e1), ..., [e_last, +inf) compared in float32
// (x < edge falls below it, as in trees), plus a bin of its own for missing values.
struct Characteristic {
  std::vector<float> edges;
  std::vector<double> points;  // edges.size() + 1
  double missing_points = 0;
  double expected_points = 0;

  double score(float x, float missing) const noexcept {
    if (std::isnan(x) || x == missing) return missing_points;
    return points[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin())];
  }
};

// Points-to-odds scaling: odds(good:bad) = base_odds * 2^((points - base_points) / pdo).
struct Scaling {
  double base_points = 0, base_odds = 1, pdo = 1;

  double probability_of_bad(double points) const noexcept {
    const double odds = base_odds * std::exp2((points - base_points) / pdo);
    return 1.0 / (1.0 + odds);
  }
};

// margin = intercept_points + the points of each characteristic's bin; value = the
// probability of bad those points imply. Contributions: points minus the characteristic's
// expected points, bias = intercept_points + sum of expected points.
class ScorecardModel final : public RowModel {
 public:
  ScorecardModel(double intercept, std::vector<Characteristic> characteristics, Scaling scaling,
                 std::vector<std::string> names)
      : intercept_(intercept), characteristics_(std::move(characteristics)), scaling_(scaling),
        names_(std::move(names)), bias_(intercept_) {
    for (const auto &c : characteristics_) bias_ += c.expected_points;
  }

  std::string_view kind() const noexcept override { return "scorecard"; }
  // More points, lower probability of bad: the value falls as the margin (points) rises.
  int value_direction() const noexcept override { return -1; }
  std::size_t num_features() const noexcept override { return characteristics_.size(); }
  std::size_t num_outputs() const noexcept override { return 1; }
  const std::vector<std::string> &feature_names() const noexcept override { return names_; }

 protected:
  void predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options, double *out) const override {
    const std::size_t ncol = characteristics_.size();
    for (std::size_t r = 0; r < nrow; ++r) {
      double points = intercept_;
      for (std::size_t j = 0; j < ncol; ++j) points += characteristics_[j].score(rows[r * ncol + j], options.missing);
      out[r] = options.output == PredictOutput::value ? scaling_.probability_of_bad(points) : points;
    }
  }

  void contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                         double *out) const override {
    const std::size_t ncol = characteristics_.size();
    for (std::size_t r = 0; r < nrow; ++r) {
      double *row_out = out + r * (ncol + 1);
      for (std::size_t j = 0; j < ncol; ++j)
        row_out[j] = characteristics_[j].score(rows[r * ncol + j], options.missing) -
                     characteristics_[j].expected_points;
      row_out[ncol] = bias_;
    }
  }

 private:
  double intercept_;
  std::vector<Characteristic> characteristics_;
  Scaling scaling_;
  std::vector<std::string> names_;
  double bias_;
};

Characteristic read_characteristic(const ModelJson &json) {
  Characteristic c;
  const ModelJson edges = json.at("edges");
  c.edges = edges.floats();
  for (std::size_t i = 1; i < c.edges.size(); ++i)
    if (!(c.edges[i - 1] < c.edges[i])) edges.at(i).fail("edges must increase strictly (as float32)");
  const ModelJson points = json.at("points");
  c.points = points.doubles();
  if (c.points.size() != c.edges.size() + 1)
    points.fail(fmt::format("{} points for {} edges (expected {})", c.points.size(), c.edges.size(),
                            c.edges.size() + 1));
  c.missing_points = json.at("missing_points").number();
  c.expected_points = json.at("expected_points").number();
  return c;
}

Scaling read_scaling(const ModelJson &json) {
  Scaling s{json.at("base_points").number(), json.at("base_odds").number(), json.at("pdo").number()};
  if (!(s.base_odds > 0)) json.at("base_odds").fail("must be positive");
  if (s.pdo == 0) json.at("pdo").fail("must not be zero");
  return s;
}

}  // namespace

std::shared_ptr<const Model> read_scorecard_model(const Json &doc, const std::string &origin) {
  check_riskkit_format(doc, origin);
  const ModelJson root(doc, origin);
  const double intercept = root.at("intercept_points").number();
  const Scaling scaling = read_scaling(root.at("scaling"));
  const ModelJson list = root.at("characteristics");
  if (list.size() == 0) list.fail("a scorecard needs at least one characteristic");
  std::vector<Characteristic> characteristics;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    names.push_back(list.at(i).at("name").string());
    characteristics.push_back(read_characteristic(list.at(i)));
  }
  return std::make_shared<ScorecardModel>(intercept, std::move(characteristics), scaling, std::move(names));
}

}  // namespace riskkit::detail
