#include "policy/reasons.hpp"

#include <algorithm>
#include <numeric>

namespace riskkit::detail {

void add_model_reasons(std::span<const double> contributions, const std::vector<std::string> &inputs, int adverse_sign,
                       const std::unordered_map<std::string, ReasonCode> &catalogue, const std::string &model_name,
                       std::size_t limit, std::vector<Reason> &reasons) {
  if (reasons.size() >= limit) return;
  std::vector<std::size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Ties keep input order, so the reasons are deterministic.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return adverse_sign * contributions[a] > adverse_sign * contributions[b];
  });
  for (std::size_t i : order) {
    if (reasons.size() >= limit || !(adverse_sign * contributions[i] > 0)) break;
    const auto it = catalogue.find(inputs[i]);
    if (it == catalogue.end()) continue;  // the loader guarantees entries for cutoff models
    const bool seen = std::any_of(reasons.begin(), reasons.end(), [&](const Reason &r) { return r.code == it->second.code; });
    if (seen) continue;
    reasons.push_back(Reason{it->second.code, it->second.text, "model:" + model_name + ":" + inputs[i], contributions[i]});
  }
}

}  // namespace riskkit::detail
