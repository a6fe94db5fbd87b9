// Fuzz target: any bytes after a LightGBM `tree` line either load or throw riskkit::Error;
// a model that loads predicts and explains a few rows (or refuses to explain them with
// riskkit::Error) without crashing.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "model_target.hpp"
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
  // The special values: NaN, +-inf, zero, the zero band, (-1, 0), big codes.
  constexpr std::array<float, 8> kSpecials = {std::numeric_limits<float>::quiet_NaN(),
                                              std::numeric_limits<float>::infinity(),
                                              -std::numeric_limits<float>::infinity(), 0.0f, 1e-36f, -0.5f, 3.0f, 1e30f};
  exercise_model(*model, data, size, kSpecials, true);
  return 0;
}
