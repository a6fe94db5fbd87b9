// Decision-rate report: outcome counts and the share decided without manual review.
#include <limits>

#include "riskkit/metrics/monitoring.hpp"

namespace riskkit::metrics {

DecisionRates decision_rates(std::span<const std::string> outcomes) {
  DecisionRates r;
  r.total = outcomes.size();
  for (const std::string &o : outcomes) {
    if (o == "approve") ++r.approve;
    else if (o == "review") ++r.review;
    else if (o == "decline") ++r.decline;
    else if (o == "error") ++r.error;
    else ++r.other;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double decided = static_cast<double>(r.total - r.error);
  const auto share = [&](std::size_t k, double of) { return of > 0 ? static_cast<double>(k) / of : nan; };
  r.approve_rate = share(r.approve, decided);
  r.review_rate = share(r.review, decided);
  r.decline_rate = share(r.decline, decided);
  r.automated_rate = share(r.approve + r.decline, decided);
  r.error_rate = share(r.error, static_cast<double>(r.total));
  return r;
}

}  // namespace riskkit::metrics
