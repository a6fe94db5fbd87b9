#include "models/objective.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace riskkit::detail {
namespace {

constexpr std::pair<std::string_view, Link> kObjectives[] = {
    {"binary:logistic", Link::logistic},
    {"reg:logistic", Link::logistic},
    {"binary:logitraw", Link::identity},
    {"binary:hinge", Link::hinge},
    {"reg:squarederror", Link::identity},
    {"reg:linear", Link::identity},
    {"reg:squaredlogerror", Link::identity},
    {"reg:pseudohubererror", Link::identity},
    {"reg:absoluteerror", Link::identity},
    {"reg:quantileerror", Link::identity},
    {"count:poisson", Link::exp},
    {"reg:gamma", Link::exp},
    {"reg:tweedie", Link::exp},
    {"multi:softprob", Link::softmax},
    {"multi:softmax", Link::softmax},
    {"rank:pairwise", Link::identity},
    {"rank:ndcg", Link::identity},
    {"rank:map", Link::identity},
};

}  // namespace

std::optional<Objective> Objective::from_name(std::string_view name) {
  for (const auto &[known, link] : kObjectives)
    if (known == name) return Objective{std::string(name), link};
  return std::nullopt;
}

bool Objective::valid_base_score(float base_score) const noexcept {
  if (!std::isfinite(base_score)) return false;
  switch (link) {
    case Link::logistic: return base_score > 0.0f && base_score < 1.0f;
    case Link::exp: return base_score > 0.0f;
    default: return true;
  }
}

float Objective::base_margin(float base_score) const noexcept {
  switch (link) {
    case Link::logistic: return -std::log(1.0f / base_score - 1.0f);
    case Link::exp: return std::log(base_score);
    default: return base_score;
  }
}

void Objective::transform(float *margins, std::size_t k) const noexcept {
  switch (link) {
    case Link::logistic:
      for (std::size_t i = 0; i < k; ++i) margins[i] = 1.0f / (1.0f + std::exp(-margins[i]));
      break;
    case Link::exp:
      for (std::size_t i = 0; i < k; ++i) margins[i] = std::exp(margins[i]);
      break;
    case Link::hinge:
      for (std::size_t i = 0; i < k; ++i) margins[i] = margins[i] > 0.0f ? 1.0f : 0.0f;
      break;
    case Link::softmax: {
      const float top = *std::max_element(margins, margins + k);
      float sum = 0.0f;
      for (std::size_t i = 0; i < k; ++i) sum += std::exp(margins[i] - top);
      for (std::size_t i = 0; i < k; ++i) margins[i] = std::exp(margins[i] - top) / sum;
      break;
    }
    default: break;
  }
}

}  // namespace riskkit::detail
