// load_model(): reads the bytes, recognises the document and hands it to the reader of its
// kind (LightGBM text, XGBoost trees, riskkit logistic or scorecard) and the chosen backend.
#include <string_view>

#include <fmt/format.h>

#include "core/file.hpp"
#include "models/lightgbm_model.hpp"
#include "models/lightgbm_text.hpp"
#include "models/linear_model.hpp"
#include "models/model_document.hpp"
#include "models/model_json.hpp"
#include "models/tree_model.hpp"
#include "models/xgboost_c_api.hpp"
#include "models/xgboost_json.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit {

std::shared_ptr<const Model> load_model(const std::string &path, const ModelLoadOptions &options) {
  const std::string bytes = detail::read_file(path, detail::kMaxModelBytes);
  return load_model_from_memory(bytes.data(), bytes.size(), path, options);
}

std::shared_ptr<const Model> load_model_from_memory(const void *data, std::size_t size, const std::string &origin,
                                                    const ModelLoadOptions &options) {
  if (data == nullptr && size > 0) throw Error(ErrorCode::invalid_argument, fmt::format("{}: null model data", origin));
  const std::string_view bytes(static_cast<const char *>(data), size);
  if (detail::looks_like_lightgbm_text(bytes)) {
    if (options.backend != ModelBackend::native)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the xgboost_c_api backend reads XGBoost models only", origin));
    return std::make_shared<detail::LightGbmModel>(detail::read_lightgbm_text(bytes, origin));
  }
  // XGBoost models are read straight into the tree arrays; a document without "learner"
  // is then parsed as a (small) riskkit model.
  if (auto ensemble = detail::read_xgboost_model(bytes, origin)) {
    // Validated natively even for the reference backend, so that a malformed file is
    // rejected with a path instead of reaching XGBoost's own checks.
    if (options.backend == ModelBackend::xgboost_c_api) return detail::load_xgboost_c_api(data, size, origin);
    return std::make_shared<detail::TreeModel>(std::move(*ensemble));
  }
  const detail::Json doc = detail::parse_model_document(bytes, origin);
  const detail::ModelJson root(doc, origin);
  if (!doc.is_object()) root.fail("expected a model object");
  if (auto kind = root.find("riskkit_model")) {
    if (options.backend != ModelBackend::native)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the xgboost_c_api backend reads XGBoost models only", origin));
    const std::string name = kind->string();
    if (name == "logistic") return detail::read_logistic_model(doc, origin);
    if (name == "scorecard") return detail::read_scorecard_model(doc, origin);
    kind->fail(fmt::format("unknown riskkit_model \"{}\" (expected \"logistic\" or \"scorecard\")", name));
  }
  root.fail("neither an XGBoost model (no \"learner\") nor a riskkit model (no \"riskkit_model\")");
}

}  // namespace riskkit
