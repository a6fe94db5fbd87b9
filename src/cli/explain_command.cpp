// riskkit explain: the largest contributions of each row of a CSV, with feature names —
// the reasons behind a model's score (TreeSHAP for trees, see docs/models.md).
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/csv.hpp"
#include "cli/feature_rows.hpp"
#include "cli/record_io.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::cli {

int run_explain(const ExplainArgs &args) {
  if (args.top < 1) throw Error(ErrorCode::invalid_argument, fmt::format("--top {}: must be at least 1", args.top));
  const auto model = load_model(args.model);
  Input input(args.input);
  Output output(args.output);
  FeatureRowReader reader(input.stream(), args.input == "-" ? "stdin" : args.input, *model);

  const std::size_t nf = model->num_features(), nk = model->num_outputs();
  const std::size_t width = nk * (nf + 1);
  std::vector<std::string> names(nf);
  for (std::size_t f = 0; f < nf; ++f)
    csv_append(names[f], model->feature_names().empty() ? fmt::format("f{}", f) : model->feature_names()[f]);
  output.stream() << "row,class,rank,feature,value,contribution\n";

  PredictOptions options;
  options.output = PredictOutput::margin;
  constexpr std::size_t kChunk = 1024;
  std::vector<float> rows;
  std::size_t seen = 0;  // data rows before this chunk
  std::vector<double> contributions;
  std::vector<std::size_t> order(nf);
  const std::size_t top = std::min<std::size_t>(static_cast<std::size_t>(args.top), nf);
  while (const std::size_t n = reader.read(kChunk, rows)) {
    contributions.resize(n * width);
    model->contributions(rows.data(), n, nf, options, contributions.data());
    std::string text;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < nk; ++k) {
        const double *phi = &contributions[i * width + k * (nf + 1)];
        // Largest |contribution| first; ties by feature order, so the output is stable.
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                          [&](std::size_t a, std::size_t b) {
                            return std::abs(phi[a]) != std::abs(phi[b]) ? std::abs(phi[a]) > std::abs(phi[b]) : a < b;
                          });
        for (std::size_t r = 0; r < top; ++r) {
          const std::size_t f = order[r];
          const float value = rows[i * nf + f];
          text += fmt::format("{},{},{},{},{},{}\n", seen + i + 1, k, r + 1, names[f],
                              std::isnan(value) ? std::string() : fmt::format("{}", value), phi[f]);
        }
      }
    output.stream() << text;
    seen += n;
  }
  return 0;
}

}  // namespace riskkit::cli
