#pragma once
// XGBoost objectives as riskkit needs them at prediction time: how base_score maps to a
// margin and how margins map to the output value, both in float32 as XGBoost computes them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace riskkit::detail {

/// The link between margin and value of an objective.
enum class Link {
  identity,  ///< value = margin; base_score is a margin (regression, ranking, binary:logitraw)
  logistic,  ///< value = sigmoid(margin); base_score is a probability
  exp,       ///< value = exp(margin); base_score is a mean (count:poisson, reg:gamma, reg:tweedie)
  softmax,   ///< value = softmax over the class margins (multi:softprob, multi:softmax)
  hinge,     ///< value = margin > 0 ? 1 : 0 (binary:hinge)
};

/// A supported objective.
struct Objective {
  std::string name;
  Link link = Link::identity;

  /// The objective named `name` (XGBoost's spelling), or nullopt when unsupported.
  static std::optional<Objective> from_name(std::string_view name);

  /// Whether `base_score` is a valid input of base_margin().
  bool valid_base_score(float base_score) const noexcept;
  /// The margin a stored base_score stands for (XGBoost's ProbToMargin).
  float base_margin(float base_score) const noexcept;
  /// Turns the `k` margins of one row into values, in place (XGBoost's PredTransform).
  void transform(float *margins, std::size_t k) const noexcept;
};

}  // namespace riskkit::detail
