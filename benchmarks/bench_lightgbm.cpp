// LightGBM text models: riskkit's native evaluator against LightGBM's own C API
// (lib_lightgbm.so from the PyPI wheel, loaded at run time) on the same models and rows,
// in the same process.
//
// Models are trained here by LightGBM's C API with a fixed seed (binary objective, 60
// features, 5 % missing): 100 trees of 15 leaves, 500 of 63 and 1000 of 255, saved as
// model.txt and loaded by both. Speed is only compared on equal answers: raw scores must
// agree within 1e-6 and contributions within 1e-5, else the program refuses to benchmark.
//
// Peers: LightGBM's strongest single-row path (LGBM_BoosterPredictForMatSingleRowFast
// with a FastConfig made once), LGBM_BoosterPredictForMat for batches, and
// predict_type CONTRIB for contributions; all with num_threads=1, as riskkit's nthread=1.
// Output: one table of medians (and single-row p99) with riskkit/LightGBM ratios.
//
// lib_lightgbm.so is found through RK_LIGHTGBM_LIB, else in the project's .venv-bench or .venv.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "riskkit/models/model.hpp"
#include "wheel_library.hpp"

namespace {

constexpr std::size_t kFeatures = 60, kTrainRows = 10000, kBatchRows = 100000, kContribRows = 1000;
constexpr std::size_t kSingleCalls = 20000;
constexpr int kFloat32 = 0, kPredictRaw = 1, kPredictContrib = 3;

// The few LightGBM C API functions used, resolved with dlsym.
struct LightGbm {
  using Handle = void *;
  int (*dataset_from_mat)(const void *, int, std::int32_t, std::int32_t, int, const char *, Handle, Handle *);
  int (*dataset_set_field)(Handle, const char *, const void *, int, int);
  int (*dataset_free)(Handle);
  int (*booster_create)(Handle, const char *, Handle *);
  int (*booster_update)(Handle, int *);
  int (*booster_save)(Handle, int, int, int, const char *);
  int (*booster_free)(Handle);
  int (*booster_from_file)(const char *, int *, Handle *);
  int (*predict_mat)(Handle, const void *, int, std::int32_t, std::int32_t, int, int, int, int, const char *,
                     std::int64_t *, double *);
  int (*fast_init)(Handle, int, int, int, int, std::int32_t, const char *, Handle *);
  int (*fast_predict)(Handle, const void *, std::int64_t *, double *);
  int (*fast_free)(Handle);
  const char *(*last_error)();

  explicit LightGbm(void *lib) {
    const auto get = [lib](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (fn == nullptr) throw std::runtime_error(std::string("missing symbol ") + name);
    };
    get(dataset_from_mat, "LGBM_DatasetCreateFromMat");
    get(dataset_set_field, "LGBM_DatasetSetField");
    get(dataset_free, "LGBM_DatasetFree");
    get(booster_create, "LGBM_BoosterCreate");
    get(booster_update, "LGBM_BoosterUpdateOneIter");
    get(booster_save, "LGBM_BoosterSaveModel");
    get(booster_free, "LGBM_BoosterFree");
    get(booster_from_file, "LGBM_BoosterCreateFromModelfile");
    get(predict_mat, "LGBM_BoosterPredictForMat");
    get(fast_init, "LGBM_BoosterPredictForMatSingleRowFastInit");
    get(fast_predict, "LGBM_BoosterPredictForMatSingleRowFast");
    get(fast_free, "LGBM_FastConfigFree");
    get(last_error, "LGBM_GetLastError");
  }
  void check(int status) const {
    if (status != 0) throw std::runtime_error(std::string("LightGBM: ") + last_error());
  }
};

// Rows with 5 % missing values and labels from a noisy logistic function of a few columns.
std::vector<float> make_rows(std::size_t rows, std::uint64_t seed, std::vector<float> *labels = nullptr) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  std::vector<float> x(rows * kFeatures);
  for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
  if (labels != nullptr)
    for (std::size_t r = 0; r < rows; ++r) {
      const float *row = &x[r * kFeatures];
      float z = 0;
      for (std::size_t j = 0; j < 12; ++j) z += std::isnan(row[j]) ? 0.0f : row[j] * (j % 2 ? 0.7f : -0.5f);
      labels->push_back(unit(rng) < 1.0f / (1.0f + std::exp(-z)) ? 1.0f : 0.0f);
    }
  return x;
}

template <typename F>
double seconds(F &&f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename F>
double median_seconds(int repeats, F &&f) {
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) t.push_back(seconds(f));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Median and p99 of individually timed calls, in microseconds.
template <typename F>
std::pair<double, double> latency_us(F &&call) {
  std::vector<double> t(kSingleCalls);
  for (std::size_t i = 0; i < kSingleCalls; ++i) t[i] = seconds([&] { call(i); }) * 1e6;
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t[t.size() * 99 / 100]};
}

void bench_model(const LightGbm &lgb, std::size_t trees, int leaves) {
  std::vector<float> labels;
  const auto train = make_rows(kTrainRows, 1, &labels);
  LightGbm::Handle dataset = nullptr, booster = nullptr;
  lgb.check(lgb.dataset_from_mat(train.data(), kFloat32, kTrainRows, kFeatures, 1, "verbose=-1", nullptr, &dataset));
  lgb.check(lgb.dataset_set_field(dataset, "label", labels.data(), static_cast<int>(labels.size()), kFloat32));
  const std::string params = "objective=binary num_leaves=" + std::to_string(leaves) +
                             " learning_rate=0.05 min_data_in_leaf=5 seed=7 num_threads=2 verbose=-1";
  lgb.check(lgb.booster_create(dataset, params.c_str(), &booster));
  for (std::size_t i = 0; i < trees; ++i) {
    int finished = 0;
    lgb.check(lgb.booster_update(booster, &finished));
  }
  const std::string path = (std::filesystem::temp_directory_path() / ("rk_bench_lgbm_" + std::to_string(trees) + ".txt")).string();
  lgb.check(lgb.booster_save(booster, 0, -1, 0, path.c_str()));
  lgb.check(lgb.booster_free(booster));
  lgb.check(lgb.dataset_free(dataset));
  booster = nullptr;

  // Load both (timed), then check equal answers before any speed is reported.
  std::shared_ptr<const riskkit::Model> model;
  const double rk_load = median_seconds(3, [&] { model = riskkit::load_model(path); });
  int iterations = 0;
  const double lgb_load = median_seconds(3, [&] {
    if (booster != nullptr) lgb.booster_free(booster);
    lgb.check(lgb.booster_from_file(path.c_str(), &iterations, &booster));
  });
  const auto rows = make_rows(kBatchRows, 2);
  std::vector<double> ours(kBatchRows), theirs(kBatchRows);
  std::int64_t len = 0;
  const riskkit::PredictOptions one_thread{riskkit::PredictOutput::margin, 1};
  const auto lgb_batch = [&] {
    lgb.check(lgb.predict_mat(booster, rows.data(), kFloat32, kBatchRows, kFeatures, 1, kPredictRaw, 0, -1,
                              "num_threads=1", &len, theirs.data()));
  };
  const auto rk_batch = [&] { model->predict(rows.data(), kBatchRows, kFeatures, one_thread, ours.data()); };
  lgb_batch();
  rk_batch();
  double worst = 0;
  for (std::size_t i = 0; i < kBatchRows; ++i) worst = std::max(worst, std::fabs(ours[i] - theirs[i]));
  std::vector<double> contrib_ours(kContribRows * (kFeatures + 1)), contrib_theirs(contrib_ours.size());
  const auto lgb_contrib = [&] {
    lgb.check(lgb.predict_mat(booster, rows.data(), kFloat32, kContribRows, kFeatures, 1, kPredictContrib, 0, -1,
                              "num_threads=1", &len, contrib_theirs.data()));
  };
  const auto rk_contrib = [&] { model->contributions(rows.data(), kContribRows, kFeatures, one_thread, contrib_ours.data()); };
  lgb_contrib();
  rk_contrib();
  double worst_contrib = 0;
  for (std::size_t i = 0; i < contrib_ours.size(); ++i)
    worst_contrib = std::max(worst_contrib, std::fabs(contrib_ours[i] - contrib_theirs[i]));
  if (worst > 1e-6 || worst_contrib > 1e-5) {
    std::printf("%zu trees: answers differ (raw %.3g, contributions %.3g); not benchmarking\n", trees, worst,
                worst_contrib);
    std::exit(1);
  }

  LightGbm::Handle fast = nullptr;
  lgb.check(lgb.fast_init(booster, kPredictRaw, 0, -1, kFloat32, kFeatures, "num_threads=1", &fast));
  double sink = 0, out = 0;
  const auto [lgb_p50, lgb_p99] = latency_us([&](std::size_t i) {
    lgb.fast_predict(fast, rows.data() + (i % 1024) * kFeatures, &len, &out);
    sink += out;
  });
  const auto [rk_p50, rk_p99] = latency_us([&](std::size_t i) {
    model->predict(rows.data() + (i % 1024) * kFeatures, 1, kFeatures, one_thread, &out);
    sink += out;
  });
  const double lgb_rows = kBatchRows / median_seconds(5, lgb_batch), rk_rows = kBatchRows / median_seconds(5, rk_batch);
  const double lgb_c = kContribRows / median_seconds(3, lgb_contrib), rk_c = kContribRows / median_seconds(3, rk_contrib);
  std::printf("| %4zu x %3d | %5.2f / %5.2f µs (%4.1fx) | %5.2f / %5.2f µs | %7.0fk / %6.0fk rows/s (%4.1fx) | "
              "%6.0f / %6.0f rows/s (%4.1fx) | %6.1f / %6.1f ms | %.1e / %.1e |\n",
              trees, leaves, rk_p50, lgb_p50, lgb_p50 / rk_p50, rk_p99, lgb_p99, rk_rows / 1e3, lgb_rows / 1e3,
              rk_rows / lgb_rows, rk_c, lgb_c, rk_c / lgb_c, rk_load * 1e3, lgb_load * 1e3, worst, worst_contrib);
  if (sink == 12345.678) std::printf(" ");  // keeps the timed calls observable
  std::fflush(stdout);
  lgb.fast_free(fast);
  lgb.booster_free(booster);
  std::filesystem::remove(path);
}

}  // namespace

int main() {
  const std::string path = find_wheel_library(RK_SOURCE_DIR, "RK_LIGHTGBM_LIB", "lightgbm", "lib_lightgbm.so");
  void *lib = path.empty() ? nullptr : dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::printf("lib_lightgbm.so not found (pip install lightgbm into .venv-bench or .venv, or set RK_LIGHTGBM_LIB); skipped\n");
    return 0;
  }
  const LightGbm lgb(lib);
  std::printf("riskkit vs LightGBM C API (%s), one thread; cells are riskkit / LightGBM\n\n", path.c_str());
  std::printf("| model | single row p50 (speed-up) | single row p99 | batch %zuk (ratio) | contributions (ratio) | "
              "load | max |Δ| raw / contrib |\n|---|---|---|---|---|---|---|\n", kBatchRows / 1000);
  bench_model(lgb, 100, 15);
  bench_model(lgb, 500, 63);
  bench_model(lgb, 1000, 255);
  return 0;
}
