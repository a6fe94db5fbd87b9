#include "models/xgboost_c_api.hpp"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/model_document.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// Throws Error(code) with XGBoost's last error when a C API call fails.
void check(int status, ErrorCode code, const std::string &origin) {
  if (status != 0) throw Error(code, fmt::format("{}: xgboost: {}", origin, XGBGetLastError()));
}

// Owns a booster or DMatrix handle.
template <int (*Free)(void *)>
struct Handle {
  void *handle = nullptr;
  Handle() = default;
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() {
    if (handle != nullptr) Free(handle);
  }
};
using Booster = Handle<XGBoosterFree>;
using DMatrix = Handle<XGDMatrixFree>;

// The number XGBoost's JSON reader expects for `missing`.
std::string json_float(float v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", v);
}

// XGBoost 3.x writes base_score as a bracketed vector ("[8.2E-2]"), which XGBoost 1.7's
// reader does not understand: it silently keeps its default. Restore the document's value
// so the reference backend scores the model the file describes; a per-class vector with
// distinct values cannot be expressed in 1.7 and is refused rather than approximated.
void restore_base_score(void *booster, const void *data, std::size_t size, const nlohmann::json &config,
                        const std::string &origin) {
  const Json doc = parse_model_document(std::string_view(static_cast<const char *>(data), size), origin);
  std::string written = doc.at("learner").at("learner_model_param").at("base_score").get<std::string>();
  if (written.empty() || written.front() != '[') return;
  const nlohmann::json values = nlohmann::json::parse(written);
  if (values.empty()) return;
  for (const auto &v : values)
    if (v.get<double>() != values.front().get<double>())
      throw Error(ErrorCode::invalid_model,
                  fmt::format("{}: the xgboost_c_api backend cannot represent a per-class base_score {}", origin,
                              written));
  const std::string loaded = config.at("learner").at("learner_model_param").at("base_score").get<std::string>();
  const double want = values.front().get<double>();
  if (std::stod(loaded) == static_cast<double>(static_cast<float>(want))) return;
  check(XGBoosterSetParam(booster, "base_score", fmt::format("{}", want).c_str()), ErrorCode::invalid_model, origin);
}

class XGBoostCApiModel final : public Model {
 public:
  XGBoostCApiModel(const void *data, std::size_t size, const std::string &origin) : origin_(origin) {
    check(XGBoosterCreate(nullptr, 0, &booster_.handle), ErrorCode::internal, origin_);
    check(XGBoosterLoadModelFromBuffer(booster_.handle, data, size), ErrorCode::invalid_model, origin_);
    bst_ulong features = 0;
    check(XGBoosterGetNumFeature(booster_.handle, &features), ErrorCode::invalid_model, origin_);
    num_features_ = static_cast<std::size_t>(features);
    bst_ulong len = 0;
    const char *config = nullptr;
    check(XGBoosterSaveJsonConfig(booster_.handle, &len, &config), ErrorCode::invalid_model, origin_);
    const auto parsed = nlohmann::json::parse(config, config + len);
    restore_base_score(booster_.handle, data, size, parsed, origin_);
    const std::string num_class = parsed.at("learner").at("learner_model_param").at("num_class");
    num_outputs_ = std::max<std::size_t>(1, std::stoul(num_class));
    const char **names = nullptr;
    check(XGBoosterGetStrFeatureInfo(booster_.handle, "feature_name", &len, &names), ErrorCode::invalid_model,
          origin_);
    feature_names_.assign(names, names + len);
  }

  std::string_view kind() const noexcept override { return "xgboost-capi"; }
  std::size_t num_features() const noexcept override { return num_features_; }
  std::size_t num_outputs() const noexcept override { return num_outputs_; }
  const std::vector<std::string> &feature_names() const noexcept override { return feature_names_; }

  void predict(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
               double *out) const override {
    check_shape(ncol);
    if (nrow == 0) return;
    const std::string array = fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                                          reinterpret_cast<std::uintptr_t>(rows), nrow, ncol);
    const std::string config = make_config(options.output == PredictOutput::margin ? 1 : 0, options.missing);
    const std::lock_guard lock(mutex_);
    set_threads(options.nthread);
    const bst_ulong *shape = nullptr;
    bst_ulong dim = 0;
    const float *result = nullptr;
    check(XGBoosterPredictFromDense(booster_.handle, array.c_str(), config.c_str(), nullptr, &shape, &dim, &result),
          ErrorCode::invalid_argument, origin_);
    copy_out(result, shape, dim, nrow * num_outputs_, out);
  }

  void contributions(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
                     double *out) const override {
    check_shape(ncol);
    if (nrow == 0) return;
    const std::lock_guard lock(mutex_);
    set_threads(options.nthread);
    DMatrix matrix;
    check(XGDMatrixCreateFromMat(rows, nrow, ncol, options.missing, &matrix.handle), ErrorCode::invalid_argument,
          origin_);
    const std::string config = make_config(2, options.missing);
    const bst_ulong *shape = nullptr;
    bst_ulong dim = 0;
    const float *result = nullptr;
    check(XGBoosterPredictFromDMatrix(booster_.handle, matrix.handle, config.c_str(), &shape, &dim, &result),
          ErrorCode::invalid_argument, origin_);
    copy_out(result, shape, dim, nrow * num_outputs_ * (ncol + 1), out);
  }

 private:
  void check_shape(std::size_t ncol) const {
    if (ncol != num_features_)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("predict: rows have {} columns, the model has {} features", ncol, num_features_));
  }

  static std::string make_config(int type, float missing) {
    return fmt::format(R"({{"type": {}, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                       R"("strict_shape": true, "cache_id": 0, "missing": {}}})",
                       type, json_float(missing));
  }

  // Caller holds mutex_.
  void set_threads(int nthread) const {
    if (nthread == threads_) return;
    check(XGBoosterSetParam(booster_.handle, "nthread", std::to_string(std::max(0, nthread)).c_str()),
          ErrorCode::invalid_argument, origin_);
    threads_ = nthread;
  }

  void copy_out(const float *result, const bst_ulong *shape, bst_ulong dim, std::size_t expected,
                double *out) const {
    std::size_t size = 1;
    for (bst_ulong i = 0; i < dim; ++i) size *= static_cast<std::size_t>(shape[i]);
    if (size != expected)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: xgboost returned {} values where {} were expected", origin_, size, expected));
    std::copy(result, result + size, out);
  }

  std::string origin_;
  Booster booster_;
  std::size_t num_features_ = 0;
  std::size_t num_outputs_ = 1;
  std::vector<std::string> feature_names_;
  mutable std::mutex mutex_;
  mutable int threads_ = -1;
};

}  // namespace

std::shared_ptr<const Model> load_xgboost_c_api(const void *data, std::size_t size, const std::string &origin) {
  try {
    return std::make_shared<XGBoostCApiModel>(data, size, origin);
  } catch (const nlohmann::json::exception &e) {
    throw Error(ErrorCode::invalid_model, fmt::format("{}: xgboost config: {}", origin, e.what()));
  } catch (const std::logic_error &e) {  // std::stoul
    throw Error(ErrorCode::invalid_model, fmt::format("{}: xgboost config: {}", origin, e.what()));
  }
}

TrainedXGBoost train_xgboost(const float *x, const float *y, std::size_t nrow, std::size_t ncol,
                             const std::vector<std::pair<std::string, std::string>> &params, int rounds) {
  const std::string origin = "train_xgboost";
  DMatrix train;
  check(XGDMatrixCreateFromMat(x, nrow, ncol, std::nanf(""), &train.handle), ErrorCode::invalid_argument, origin);
  check(XGDMatrixSetFloatInfo(train.handle, "label", y, nrow), ErrorCode::invalid_argument, origin);
  Booster booster;
  void *matrices[] = {train.handle};
  check(XGBoosterCreate(matrices, 1, &booster.handle), ErrorCode::internal, origin);
  for (const auto &[key, value] : params)
    check(XGBoosterSetParam(booster.handle, key.c_str(), value.c_str()), ErrorCode::invalid_argument, origin);
  for (int i = 0; i < rounds; ++i)
    check(XGBoosterUpdateOneIter(booster.handle, i, train.handle), ErrorCode::internal, origin);
  TrainedXGBoost out;
  for (auto [format, target] : {std::pair{"json", &out.json}, std::pair{"ubj", &out.ubj}}) {
    const std::string config = fmt::format(R"({{"format": "{}"}})", format);
    bst_ulong len = 0;
    const char *bytes = nullptr;
    check(XGBoosterSaveModelToBuffer(booster.handle, config.c_str(), &len, &bytes), ErrorCode::internal, origin);
    target->assign(bytes, len);
  }
  return out;
}

}  // namespace riskkit::detail
