#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/feature_rows.hpp"
#include "cli/record_io.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::cli {

int run_predict(const PredictArgs &args) {
  ModelLoadOptions load;
  if (args.reference_backend) load.backend = ModelBackend::xgboost_c_api;
  const auto model = load_model(args.model, load);
  Input input(args.input);
  Output output(args.output);
  FeatureRowReader reader(input.stream(), args.input == "-" ? "stdin" : args.input, *model);

  const std::size_t nf = model->num_features(), nk = model->num_outputs();
  const std::size_t width = args.contributions ? nk * (nf + 1) : nk;
  std::string line;
  if (args.contributions) {
    for (std::size_t k = 0; k < nk; ++k)
      for (std::size_t f = 0; f <= nf; ++f) {
        const std::string name = f == nf ? "bias" : (model->feature_names().empty() ? fmt::format("f{}", f)
                                                                                     : model->feature_names()[f]);
        line += (line.empty() ? "" : ",") + (nk > 1 ? fmt::format("class{}_{}", k, name) : name);
      }
  } else {
    const char *what = args.margin ? "margin" : "value";
    for (std::size_t k = 0; k < nk; ++k) {
      if (k) line += ',';
      line += nk > 1 ? fmt::format("{}_{}", what, k) : std::string(what);
    }
  }
  output.stream() << line << '\n';

  PredictOptions options;
  options.output = args.margin ? PredictOutput::margin : PredictOutput::value;
  constexpr std::size_t kChunk = 4096;
  std::vector<float> rows;
  std::vector<double> out;
  while (const std::size_t n = reader.read(kChunk, rows)) {
    out.resize(n * width);
    if (args.contributions) model->contributions(rows.data(), n, nf, options, out.data());
    else model->predict(rows.data(), n, nf, options, out.data());
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < width; ++k) {
        if (k) text += ',';
        text += fmt::format("{}", out[i * width + k]);
      }
      text += '\n';
    }
    output.stream() << text;
  }
  return 0;
}

}  // namespace riskkit::cli
