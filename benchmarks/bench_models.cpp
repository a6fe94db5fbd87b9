// Tree-ensemble prediction: riskkit's native evaluator against XGBoost's own C API
// (XGBoosterPredictFromDense) on the same models and rows, in the same process.
// Models are trained here by the XGBoost C API with a fixed seed: binary:logistic,
// 100 trees of depth 4 and 500 trees of depth 6, over 60 features with 5 % missing.
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "models/xgboost_c_api.hpp"
#include "riskkit/models/model.hpp"

namespace {

constexpr std::size_t kFeatures = 60;
constexpr std::size_t kTrainRows = 10000;
constexpr std::size_t kBatchRows = 10000;
constexpr std::size_t kSingleRows = 1024;  // single-row calls cycle over these

// Rows with 5 % missing values and labels from a noisy logistic function of a few columns.
struct Data {
  std::vector<float> x, y;
  Data(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit;
    x.resize(rows * kFeatures);
    for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
    for (std::size_t r = 0; r < rows; ++r) {
      const float *row = &x[r * kFeatures];
      float z = 0;
      for (std::size_t j = 0; j < 12; ++j) z += std::isnan(row[j]) ? 0.0f : row[j] * (j % 2 ? 0.7f : -0.5f);
      z += std::isnan(row[12] * row[13]) ? 0.0f : row[12] * row[13];
      y.push_back(unit(rng) < 1.0f / (1.0f + std::exp(-z)) ? 1.0f : 0.0f);
    }
  }
};

// One benchmarked model in both implementations.
struct Subject {
  std::string name;
  std::shared_ptr<const riskkit::Model> native;
  BoosterHandle booster = nullptr;
  DMatrixHandle proxy = nullptr;
};

const Data &test_rows() {
  static const Data data(kBatchRows, 2);
  return data;
}

Subject make_subject(const Data &train, int trees, int depth) {
  Subject s;
  s.name = std::to_string(trees) + "x" + std::to_string(depth);
  const auto trained = riskkit::detail::train_xgboost(
      train.x.data(), train.y.data(), kTrainRows, kFeatures,
      {{"objective", "binary:logistic"}, {"max_depth", std::to_string(depth)}, {"eta", "0.1"}, {"seed", "1"},
       {"tree_method", "hist"}},
      trees);
  s.native = riskkit::load_model_from_memory(trained.ubj.data(), trained.ubj.size(), s.name);
  XGBoosterCreate(nullptr, 0, &s.booster);
  XGBoosterLoadModelFromBuffer(s.booster, trained.ubj.data(), trained.ubj.size());
  XGBoosterSetParam(s.booster, "nthread", "1");
  XGProxyDMatrixCreate(&s.proxy);
  return s;
}

std::string array_interface(const float *rows, std::size_t nrow) {
  return "{\"data\": [" + std::to_string(reinterpret_cast<std::uintptr_t>(rows)) + ", true], \"shape\": [" +
         std::to_string(nrow) + ", " + std::to_string(kFeatures) + "], \"typestr\": \"<f4\", \"version\": 3}";
}

constexpr const char *kConfig =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, )"
    R"("cache_id": 0, "missing": NaN})";

void single_row_riskkit(benchmark::State &state, const Subject *s) {
  const auto &rows = test_rows().x;
  const riskkit::PredictOptions options{riskkit::PredictOutput::value, 1};
  double out = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    s->native->predict(&rows[(i++ % kSingleRows) * kFeatures], 1, kFeatures, options, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// XGBoost single row; the array-interface text is built per call, as a caller must.
void single_row_xgboost(benchmark::State &state, const Subject *s, bool reuse_proxy) {
  const auto &rows = test_rows().x;
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string array = array_interface(&rows[(i++ % kSingleRows) * kFeatures], 1);
    if (XGBoosterPredictFromDense(s->booster, array.c_str(), kConfig, reuse_proxy ? s->proxy : nullptr, &shape, &dim,
                                  &out) != 0)
      state.SkipWithError(XGBGetLastError());
    benchmark::DoNotOptimize(out[0]);
  }
  state.SetItemsProcessed(state.iterations());
}

void batch_riskkit(benchmark::State &state, const Subject *s) {
  const auto &rows = test_rows().x;
  std::vector<double> out(kBatchRows);
  for (auto _ : state) {
    s->native->predict(rows.data(), kBatchRows, kFeatures, {riskkit::PredictOutput::value, 1}, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchRows));
}

void batch_xgboost(benchmark::State &state, const Subject *s) {
  const std::string array = array_interface(test_rows().x.data(), kBatchRows);
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  for (auto _ : state) {
    if (XGBoosterPredictFromDense(s->booster, array.c_str(), kConfig, nullptr, &shape, &dim, &out) != 0)
      state.SkipWithError(XGBGetLastError());
    benchmark::DoNotOptimize(out[0]);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchRows));
}

// Largest |riskkit - XGBoost| over the batch: speed is only compared on equal answers.
double max_difference(const Subject &s) {
  const auto &rows = test_rows().x;
  std::vector<double> ours(kBatchRows);
  s.native->predict(rows.data(), kBatchRows, kFeatures, {riskkit::PredictOutput::value, 1}, ours.data());
  const std::string array = array_interface(rows.data(), kBatchRows);
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *theirs = nullptr;
  XGBoosterPredictFromDense(s.booster, array.c_str(), kConfig, nullptr, &shape, &dim, &theirs);
  double worst = 0;
  for (std::size_t i = 0; i < kBatchRows; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
  return worst;
}

/// Console output plus, at the end, riskkit/XGBoost CPU-time ratios per model and mode
/// (below 1 = riskkit faster). CPU time, so other load on a shared machine skews less.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto &run : runs)
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median")
        times_[run.run_name.function_name] = run.GetAdjustedCPUTime();
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nriskkit / XGBoost C API, CPU time per call (below 1 = riskkit faster):\n");
    for (const auto &[name, ours] : times_) {
      if (name.find("/riskkit/") == std::string::npos) continue;
      for (const char *peer : {"xgboost", "xgboost_proxy"}) {
        std::string other = name;
        other.replace(name.find("/riskkit/"), 9, std::string("/") + peer + "/");
        const auto it = times_.find(other);
        if (it != times_.end() && it->second > 0)
          std::printf("  %-28s vs %-14s %.3f  (%.1fx faster)\n", name.c_str(), peer, ours / it->second,
                      it->second / ours);
      }
    }
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::fprintf(stderr, "training the benchmark models with the XGBoost C API...\n");
  const Data train(kTrainRows, 1);
  static std::vector<Subject> subjects;
  subjects.push_back(make_subject(train, 100, 4));
  subjects.push_back(make_subject(train, 500, 6));
  for (const auto &s : subjects) {
    const double diff = max_difference(s);
    std::fprintf(stderr, "model %s: max |riskkit - xgboost| over %zu rows = %.3g\n", s.name.c_str(), kBatchRows, diff);
    if (diff > 1e-6) return 1;
    const Subject *p = &s;
    benchmark::RegisterBenchmark(("single_row/riskkit/" + s.name).c_str(), single_row_riskkit, p);
    benchmark::RegisterBenchmark(("single_row/xgboost/" + s.name).c_str(), single_row_xgboost, p, false);
    benchmark::RegisterBenchmark(("single_row/xgboost_proxy/" + s.name).c_str(), single_row_xgboost, p, true);
    benchmark::RegisterBenchmark(("batch_1thread/riskkit/" + s.name).c_str(), batch_riskkit, p);
    benchmark::RegisterBenchmark(("batch_1thread/xgboost/" + s.name).c_str(), batch_xgboost, p);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  for (auto &s : subjects) {
    XGDMatrixFree(s.proxy);
    XGBoosterFree(s.booster);
  }
  return 0;
}
