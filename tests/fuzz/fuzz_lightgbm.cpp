// Fuzz target: any bytes after a LightGBM `tree` line either load or throw riskkit::Error;
// a model that loads predicts and explains a few rows without crashing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  // Always a LightGBM document: the mutations go to the reader, not to format sniffing.
  std::string text(reinterpret_cast<const char *>(data), size);
  if (text.rfind("tree\n", 0) != 0) text.insert(0, "tree\n");
  std::shared_ptr<const riskkit::Model> model;
  try {
    model = riskkit::load_model_from_memory(text.data(), text.size(), "fuzz");
  } catch (const riskkit::Error &) {
    return 0;
  }
  const std::size_t ncol = model->num_features();
  if (ncol > 4096 || model->num_outputs() > 1024) return 0;  // keep each run cheap
  // Rows covering the special values: NaN, +-inf, zero, the zero band, (-1, 0), big codes.
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), 0.0f, 1e-36f, -0.5f, 3.0f, 1e30f};
  constexpr std::size_t kRows = 4;
  std::vector<float> rows(kRows * ncol);
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = i % 3 == 0 && size > 0 ? static_cast<float>(data[i % size]) - 100.0f : specials[i % 8];
  std::vector<double> out(kRows * model->num_outputs() * (ncol + 1));
  for (const auto output : {riskkit::PredictOutput::value, riskkit::PredictOutput::margin})
    model->predict(rows.data(), kRows, ncol, {output, 1, -100.0f}, out.data());
  model->contributions(rows.data(), kRows, ncol, {riskkit::PredictOutput::margin, 1}, out.data());
  return 0;
}
