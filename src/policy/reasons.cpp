#include "policy/reasons.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace riskkit::detail {
namespace {

bool is_specific(const Reason &r) { return r.source.starts_with("rule:") || r.source.starts_with("model:"); }

}  // namespace

void add_model_reasons(std::span<const double> contributions, std::span<const double> baseline,
                       const std::vector<ReasonUnit> &units, int adverse_sign, const std::string &model_name,
                       std::size_t limit, std::vector<Reason> &reasons) {
  if (units.empty() || limit == 0) return;
  thread_local std::vector<double> weight;
  thread_local std::vector<std::size_t> order;
  weight.assign(units.size(), 0.0);
  for (std::size_t u = 0; u < units.size(); ++u)
    for (const std::size_t i : units[u].inputs) weight[u] += contributions[i] - (baseline.empty() ? 0.0 : baseline[i]);
  order.resize(units.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Most adverse first, ties in unit order: the order a stable sort gives, without the
  // temporary buffer std::stable_sort allocates on every call.
  // A NaN weight ranks last (never adverse), which keeps the ordering strict and weak.
  const auto push = [&](std::size_t u) {
    const double w = adverse_sign * weight[u];
    return std::isnan(w) ? -std::numeric_limits<double>::infinity() : w;
  };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double wa = push(a), wb = push(b);
    return wa > wb || (wa == wb && a < b);
  });
  const auto make = [&](std::size_t u) {
    return Reason{units[u].reason.code, units[u].reason.text, "model:" + model_name + ":" + units[u].name, weight[u]};
  };
  const auto listed = [&](const std::string &code) {
    return std::any_of(reasons.begin(), reasons.end(), [&](const Reason &r) { return r.code == code; });
  };
  for (const std::size_t u : order) {
    if (reasons.size() >= limit || !(adverse_sign * weight[u] > 0)) break;
    if (!listed(units[u].reason.code)) reasons.push_back(make(u));
  }
  if (std::any_of(reasons.begin(), reasons.end(), is_specific)) return;
  // Nothing specific yet (e.g. every contribution sits at the baseline): name the most
  // adverse factor rather than leave an adverse outcome with only a generic reason.
  if (reasons.size() >= limit) reasons.pop_back();
  reasons.push_back(make(order.front()));
}

}  // namespace riskkit::detail
