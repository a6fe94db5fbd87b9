// Fuzz target: the JSON model reader (XGBoost JSON through JsonPullReader, and riskkit's
// logistic and scorecard documents). Seeds: corpus/fuzz_model_json and, in ctest, the
// malformed-model corpus tests/data/models/malformed.
#include "model_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  return fuzz_model_bytes(data, size, riskkit::detail::ModelFormat::json);
}
