#include "models/lightgbm_objective.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace riskkit::detail {
namespace {

constexpr std::pair<std::string_view, LightGbmLink> kObjectives[] = {
    {"regression", LightGbmLink::identity},   {"regression_l1", LightGbmLink::identity},
    {"huber", LightGbmLink::identity},        {"fair", LightGbmLink::identity},
    {"quantile", LightGbmLink::identity},     {"mape", LightGbmLink::identity},
    {"lambdarank", LightGbmLink::identity},   {"rank_xendcg", LightGbmLink::identity},
    {"binary", LightGbmLink::sigmoid},        {"cross_entropy", LightGbmLink::sigmoid},
    {"multiclassova", LightGbmLink::sigmoid}, {"multiclass", LightGbmLink::softmax},
    {"poisson", LightGbmLink::exp},           {"gamma", LightGbmLink::exp},
    {"tweedie", LightGbmLink::exp},           {"cross_entropy_lambda", LightGbmLink::log1p_exp},
};

// Splits off the next blank-separated word of `text`.
std::string_view next_word(std::string_view &text) {
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return text = {};
  text.remove_prefix(begin);
  const auto end = std::min(text.find(' '), text.size());
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

}  // namespace

std::optional<LightGbmObjective> LightGbmObjective::parse(std::string_view line, std::string &error) {
  std::string_view rest = line;
  const std::string_view name = next_word(rest);
  LightGbmObjective out;
  const auto known = std::find_if(std::begin(kObjectives), std::end(kObjectives),
                                  [&](const auto &entry) { return entry.first == name; });
  if (known == std::end(kObjectives)) {
    error = fmt::format("unsupported objective \"{}\"", name);
    return std::nullopt;
  }
  out.name = std::string(name);
  out.link = known->second;
  for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
    if (word == "sqrt") {
      if (name == "regression") out.link = LightGbmLink::signed_square;
      continue;
    }
    const auto colon = word.find(':');
    if (colon == std::string_view::npos) continue;  // other flags do not change predictions
    const std::string_view key = word.substr(0, colon), value = word.substr(colon + 1);
    double number = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    const bool numeric = ec == std::errc() && ptr == value.data() + value.size() && std::isfinite(number);
    if (key == "sigmoid") {
      if (!numeric || !(number > 0)) {
        error = fmt::format("objective parameter \"{}\": expected a positive number", word);
        return std::nullopt;
      }
      out.sigmoid = number;
    } else if (key == "num_class") {
      if (!numeric || number < 1 || number > (1 << 20) || number != std::floor(number)) {
        error = fmt::format("objective parameter \"{}\": expected an integer in [1, 1048576]", word);
        return std::nullopt;
      }
      out.num_class = static_cast<std::size_t>(number);
    }
  }
  return out;
}

void LightGbmObjective::transform(double *margins, std::size_t k) const noexcept {
  switch (link) {
    case LightGbmLink::sigmoid:
      for (std::size_t i = 0; i < k; ++i) margins[i] = 1.0 / (1.0 + std::exp(-sigmoid * margins[i]));
      break;
    case LightGbmLink::exp:
      for (std::size_t i = 0; i < k; ++i) margins[i] = std::exp(margins[i]);
      break;
    case LightGbmLink::log1p_exp:
      for (std::size_t i = 0; i < k; ++i) margins[i] = std::log1p(std::exp(margins[i]));
      break;
    case LightGbmLink::signed_square:
      for (std::size_t i = 0; i < k; ++i) margins[i] = std::copysign(margins[i] * margins[i], margins[i]);
      break;
    case LightGbmLink::softmax: {
      // LightGBM's Common::Softmax: subtract the largest, exponentiate, normalise.
      const double top = *std::max_element(margins, margins + k);
      double sum = 0.0;
      for (std::size_t i = 0; i < k; ++i) sum += margins[i] = std::exp(margins[i] - top);
      for (std::size_t i = 0; i < k; ++i) margins[i] /= sum;
      break;
    }
    case LightGbmLink::identity: break;
  }
}

}  // namespace riskkit::detail
