#pragma once
// What the model fuzz targets share. fuzz_model_bytes is the whole body of fuzz_model_json
// and fuzz_model_ubjson: bytes of the target's format given to load_model_from_memory either
// load or throw riskkit::Error; a model that loads predicts and explains a few rows without
// crashing (exercise_model, which fuzz_lightgbm uses too).
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/model_document.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

// Predicts (value and margin) and explains 4 rows of `model`: every third cell a byte of the
// input, the others cycling through `specials`. Models of more than 4096 inputs or 1024
// outputs are skipped to keep each run cheap. `may_refuse_contributions`: contributions may
// throw riskkit::Error (LightGBM's linear trees refuse them, as LightGBM's pred_contrib does).
inline void exercise_model(const riskkit::Model &model, const std::uint8_t *data, std::size_t size,
                           const std::array<float, 8> &specials, bool may_refuse_contributions) {
  const std::size_t ncol = model.num_features();
  if (ncol > 4096 || model.num_outputs() > 1024) return;
  constexpr std::size_t kRows = 4;
  std::vector<float> rows(kRows * ncol);
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = i % 3 == 0 && size > 0 ? static_cast<float>(data[i % size]) - 100.0f : specials[i % 8];
  std::vector<double> out(kRows * model.num_outputs() * (ncol + 1));
  for (const auto output : {riskkit::PredictOutput::value, riskkit::PredictOutput::margin})
    model.predict(rows.data(), kRows, ncol, {output, 1, -100.0f}, out.data());
  try {
    model.contributions(rows.data(), kRows, ncol, {riskkit::PredictOutput::margin, 1}, out.data());
  } catch (const riskkit::Error &) {
    if (!may_refuse_contributions) throw;
  }
}

inline int fuzz_model_bytes(const std::uint8_t *data, std::size_t size, riskkit::detail::ModelFormat format) {
  const std::string_view bytes(reinterpret_cast<const char *>(data), size);
  const std::string origin = "fuzz";
  std::shared_ptr<const riskkit::Model> model;
  try {
    if (riskkit::detail::sniff_model_format(bytes, origin) != format) return 0;  // the other target's input
    model = riskkit::load_model_from_memory(data, size, origin);
  } catch (const riskkit::Error &) {
    return 0;
  }
  // The special values: NaN, +-inf, zero, and values around it.
  constexpr std::array<float, 8> kSpecials = {std::numeric_limits<float>::quiet_NaN(),
                                              std::numeric_limits<float>::infinity(),
                                              -std::numeric_limits<float>::infinity(), 0.0f, 1.0f, -1.0f, 0.5f, 1e30f};
  exercise_model(*model, data, size, kSpecials, false);
  return 0;
}
