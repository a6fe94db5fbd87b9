#pragma once
// LightGBM objectives as riskkit needs them at prediction time: how the summed raw score
// (margin) maps to the output value, in double as LightGBM's ConvertOutput computes it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace riskkit::detail {

/// The margin-to-value link of a LightGBM objective.
enum class LightGbmLink {
  identity,      ///< regression, regression_l1, huber, fair, quantile, mape, lambdarank, rank_xendcg
  sigmoid,       ///< binary (1 / (1 + exp(-sigmoid * margin))), cross_entropy (sigmoid 1), multiclassova
  softmax,       ///< multiclass
  exp,           ///< poisson, gamma, tweedie
  log1p_exp,     ///< cross_entropy_lambda: log(1 + exp(margin))
  signed_square, ///< regression with `sqrt` (trained on sqrt of the label): sign(margin) * margin^2
};

/// A supported LightGBM objective, parsed from the model's `objective=` line.
struct LightGbmObjective {
  std::string name;                    ///< first word of the line, e.g. "binary"
  LightGbmLink link = LightGbmLink::identity;
  double sigmoid = 1.0;                ///< the `sigmoid:` parameter of binary and multiclassova
  std::size_t num_class = 1;           ///< the `num_class:` parameter of multiclass(ova); 1 otherwise

  /// The objective of an `objective=` line such as "binary sigmoid:1" or
  /// "multiclass num_class:3"; nullopt with `error` set when unknown or malformed.
  static std::optional<LightGbmObjective> parse(std::string_view line, std::string &error);

  /// Turns the `k` margins of one row into values, in place (LightGBM's ConvertOutput).
  void transform(double *margins, std::size_t k) const noexcept;
};

}  // namespace riskkit::detail
