#include "models/linear_model.hpp"

#include <cmath>

#include <Eigen/Core>
#include <fmt/format.h>

#include "models/model_json.hpp"
#include "models/row_model.hpp"

namespace riskkit::detail {
namespace {

using RowMajorFloats = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorDoubles = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The rows as doubles with missing entries replaced by `impute`: a lazy expression over
// `x`, so a single row allocates nothing.
auto filled(const Eigen::Map<const RowMajorFloats> &x, const Eigen::RowVectorXd &impute, float missing) {
  const auto is_missing = x.array().isNaN() || x.array() == missing;
  return is_missing.select(impute.array().replicate(x.rows(), 1), x.array().cast<double>());
}

// margin = intercept + sum_j coefficient_j * x_j, with missing x_j replaced by impute_j;
// value = sigmoid(margin). Contributions: coefficient_j * (x_j - mean_j), bias
// intercept + sum_j coefficient_j * mean_j, so each row sums to its margin.
class LogisticModel final : public RowModel {
 public:
  LogisticModel(double intercept, Eigen::RowVectorXd coefficients, Eigen::RowVectorXd means,
                Eigen::RowVectorXd impute, std::vector<std::string> names)
      : intercept_(intercept), coefficients_(std::move(coefficients)), means_(std::move(means)),
        impute_(std::move(impute)), names_(std::move(names)), bias_(intercept_ + coefficients_.dot(means_)) {}

  std::string_view kind() const noexcept override { return "logistic"; }
  std::size_t num_features() const noexcept override { return names_.size(); }
  std::size_t num_outputs() const noexcept override { return 1; }
  const std::vector<std::string> &feature_names() const noexcept override { return names_; }

 protected:
  void predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options, double *out) const override {
    const Eigen::Map<const RowMajorFloats> rows_map(rows, static_cast<Eigen::Index>(nrow), coefficients_.size());
    const auto x = filled(rows_map, impute_, options.missing);
    Eigen::Map<Eigen::VectorXd> result(out, static_cast<Eigen::Index>(nrow));
    result = (x.rowwise() * coefficients_.array()).rowwise().sum() + intercept_;
    if (options.output == PredictOutput::value) result = 1.0 / (1.0 + (-result.array()).exp());
  }

  void contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                         double *out) const override {
    const auto n = static_cast<Eigen::Index>(nrow);
    const Eigen::Map<const RowMajorFloats> rows_map(rows, n, coefficients_.size());
    Eigen::Map<RowMajorDoubles> result(out, n, coefficients_.size() + 1);
    result.leftCols(coefficients_.size()) =
        ((filled(rows_map, impute_, options.missing).rowwise() - means_.array()).rowwise() * coefficients_.array()).matrix();
    result.col(coefficients_.size()).setConstant(bias_);
  }

 private:
  double intercept_;
  Eigen::RowVectorXd coefficients_, means_, impute_;
  std::vector<std::string> names_;
  double bias_;
};

}  // namespace

void check_riskkit_format(const Json &doc, const std::string &origin) {
  if (auto format = ModelJson(doc, origin).find("format"); format && format->integer(0, 1 << 30) != 1)
    format->fail("unsupported format version (this riskkit reads format 1)");
}

std::shared_ptr<const Model> read_logistic_model(const Json &doc, const std::string &origin) {
  check_riskkit_format(doc, origin);
  const ModelJson root(doc, origin);
  const double intercept = root.at("intercept").number();
  const ModelJson features = root.at("features");
  const auto n = static_cast<Eigen::Index>(features.size());
  if (n == 0) features.fail("a logistic model needs at least one feature");
  Eigen::RowVectorXd coefficients(n), means(n), impute(n);
  std::vector<std::string> names;
  for (Eigen::Index j = 0; j < n; ++j) {
    const ModelJson feature = features.at(static_cast<std::size_t>(j));
    names.push_back(feature.at("name").string());
    coefficients[j] = feature.at("coefficient").number();
    means[j] = feature.at("mean").number();
    const auto imputed = feature.find("impute");
    impute[j] = imputed ? imputed->number() : means[j];
  }
  return std::make_shared<LogisticModel>(intercept, std::move(coefficients), std::move(means), std::move(impute),
                                         std::move(names));
}

}  // namespace riskkit::detail
