// Many characteristics at once: one characteristic per task, spread over threads.

#include "core/parallel.hpp"
#include "riskkit/scorecard/binning.hpp"

namespace riskkit::scorecard {

std::vector<Binning> fit_binnings(std::span<const std::span<const double>> columns, std::span<const double> y,
                                  const BinningOptions &options, int nthread) {
  std::vector<Binning> out(columns.size());
  riskkit::detail::for_each_chunk(columns.size(), nthread, 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t j = begin; j < end; ++j) out[j] = fit_binning(columns[j], y, options);
  });
  return out;
}

}  // namespace riskkit::scorecard
