// Tree-ensemble prediction and contributions: riskkit's native evaluator against XGBoost's
// own C API (XGBoosterPredictFromDense / XGBoosterPredictFromDMatrix) on the same models
// and rows, in the same process.
//
// Models are trained here by the XGBoost C API with a fixed seed: binary:logistic, 100
// trees of depth 4, 500 of depth 6 and 1000 of depth 8, over 60 features with 5 % missing;
// plus the example bundle's credit model (500 trees of depth 5, 53 inputs) when found.
// With RK_BENCH_MODEL_CACHE=<dir>, trained models are kept there and read back next time.
// Speed is only compared on equal answers: predictions must agree within 1e-6 and
// contributions within 1e-5, else the program refuses to benchmark.
//
// Output: google-benchmark tables (CPU time) with riskkit/XGBoost ratios at the end, then a
// latency table (median and p99 of individually timed single-row calls), then load times.
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
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
constexpr std::size_t kBatchRows = 100000;      // prediction batches
constexpr std::size_t kContribBatchRows = 1000;  // contribution batches (TreeSHAP is ~100x dearer)
constexpr std::size_t kSingleRows = 1024;       // single-row calls cycle over these

// Rows with 5 % missing values and labels from a noisy logistic function of a few columns.
struct Data {
  std::size_t cols = kFeatures;
  std::vector<float> x, y;
  Data(std::size_t rows, std::uint64_t seed, std::size_t ncol = kFeatures) : cols(ncol) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit;
    x.resize(rows * cols);
    for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
    for (std::size_t r = 0; r < rows; ++r) {
      const float *row = &x[r * cols];
      float z = 0;
      for (std::size_t j = 0; j < 12; ++j) z += std::isnan(row[j]) ? 0.0f : row[j] * (j % 2 ? 0.7f : -0.5f);
      z += std::isnan(row[12] * row[13]) ? 0.0f : row[12] * row[13];
      y.push_back(unit(rng) < 1.0f / (1.0f + std::exp(-z)) ? 1.0f : 0.0f);
    }
  }
};

// One benchmarked model in both implementations, with its test rows.
struct Subject {
  std::string name;
  std::string bytes;  // the UBJSON (or JSON) model file
  std::shared_ptr<const riskkit::Model> native;
  BoosterHandle booster = nullptr;
  DMatrixHandle proxy = nullptr;
  std::unique_ptr<Data> rows;
  std::size_t cols() const { return rows->cols; }
};

BoosterHandle xgboost_load(const std::string &bytes) {
  BoosterHandle booster = nullptr;
  XGBoosterCreate(nullptr, 0, &booster);
  if (XGBoosterLoadModelFromBuffer(booster, bytes.data(), bytes.size()) != 0) {
    std::fprintf(stderr, "XGBoost: %s\n", XGBGetLastError());
    std::exit(1);
  }
  return booster;
}

void set_threads(const Subject &s, int nthread) { XGBoosterSetParam(s.booster, "nthread", std::to_string(nthread).c_str()); }

// XGBoost 3.x writes base_score as "[8.268889E-2]", which the system libxgboost 1.7.4
// misreads; give the peer the same model with the 1.x spelling of a single base_score.
std::string with_plain_base_score(std::string json) {
  const std::string key = "\"base_score\":\"[";
  const auto at = json.find(key);
  if (at == std::string::npos) return json;
  const auto close = json.find("]\"", at);
  if (close == std::string::npos || json.find(',', at) < close) return json;
  json.erase(close, 1);
  json.erase(at + key.size() - 1, 1);
  return json;
}

Subject make_subject(std::string name, std::string bytes, std::size_t cols) {
  Subject s;
  s.name = std::move(name);
  s.bytes = std::move(bytes);
  s.native = riskkit::load_model_from_memory(s.bytes.data(), s.bytes.size(), s.name);
  if (cols == 0) cols = s.native->num_features();
  s.booster = xgboost_load(s.bytes.front() == '{' && s.bytes[1] == '"' ? with_plain_base_score(s.bytes) : s.bytes);
  set_threads(s, 1);
  XGProxyDMatrixCreate(&s.proxy);
  s.rows = std::make_unique<Data>(kBatchRows, 2, cols);
  return s;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Trains a model, or reads it from $RK_BENCH_MODEL_CACHE/<name>.ubj when that directory is
// set and holds one (written there after training): repeated runs skip the training.
Subject trained_subject(const Data &train, int trees, int depth) {
  const std::string name = std::to_string(trees) + "x" + std::to_string(depth);
  const char *cache = std::getenv("RK_BENCH_MODEL_CACHE");
  const std::string cached = cache != nullptr ? std::string(cache) + "/" + name + ".ubj" : std::string();
  std::string bytes = cached.empty() ? std::string() : read_file(cached);
  if (bytes.empty()) {
    bytes = riskkit::detail::train_xgboost(
                train.x.data(), train.y.data(), kTrainRows, kFeatures,
                {{"objective", "binary:logistic"}, {"max_depth", std::to_string(depth)}, {"eta", "0.1"}, {"seed", "1"},
                 {"tree_method", "hist"}},
                trees)
                .ubj;
    if (!cached.empty()) std::ofstream(cached, std::ios::binary) << bytes;
  }
  return make_subject(name, std::move(bytes), kFeatures);
}

std::string array_interface(const float *rows, std::size_t nrow, std::size_t ncol) {
  return "{\"data\": [" + std::to_string(reinterpret_cast<std::uintptr_t>(rows)) + ", true], \"shape\": [" +
         std::to_string(nrow) + ", " + std::to_string(ncol) + "], \"typestr\": \"<f4\", \"version\": 3}";
}

constexpr const char *kValueConfig =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, )"
    R"("cache_id": 0, "missing": NaN})";
constexpr const char *kContribConfig =
    R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";

const float *row_at(const Subject &s, std::size_t i) { return &s.rows->x[(i % kSingleRows) * s.cols()]; }

// --- the measured calls: each returns something to keep --------------------------------

double riskkit_single(const Subject &s, std::size_t i) {
  double out = 0;
  s.native->predict(row_at(s, i), 1, s.cols(), {riskkit::PredictOutput::value, 1}, &out);
  return out;
}

// The array-interface text is built per call, as a caller must.
float xgboost_single(const Subject &s, std::size_t i, bool reuse_proxy) {
  const std::string array = array_interface(row_at(s, i), 1, s.cols());
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  if (XGBoosterPredictFromDense(s.booster, array.c_str(), kValueConfig, reuse_proxy ? s.proxy : nullptr, &shape,
                                &dim, &out) != 0)
    return std::nanf("");
  return out[0];
}

double riskkit_contrib_single(const Subject &s, std::size_t i, std::vector<double> &out) {
  s.native->contributions(row_at(s, i), 1, s.cols(), {riskkit::PredictOutput::margin, 1}, out.data());
  return out[0];
}

// pred_contribs needs a DMatrix: XGBoost's inplace prediction does not compute them.
float xgboost_contribs(const Subject &s, const float *rows, std::size_t nrow) {
  DMatrixHandle matrix = nullptr;
  XGDMatrixCreateFromMat(rows, nrow, s.cols(), std::nanf(""), &matrix);
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  const int rc = XGBoosterPredictFromDMatrix(s.booster, matrix, kContribConfig, &shape, &dim, &out);
  const float first = rc == 0 ? out[0] : std::nanf("");
  XGDMatrixFree(matrix);
  return first;
}

// --- google-benchmark bodies ------------------------------------------------------------

void single_row_riskkit(benchmark::State &state, const Subject *s) {
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(riskkit_single(*s, i++));
  state.SetItemsProcessed(state.iterations());
}

void single_row_xgboost(benchmark::State &state, const Subject *s, bool reuse_proxy) {
  set_threads(*s, 1);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_single(*s, i++, reuse_proxy));
  state.SetItemsProcessed(state.iterations());
}

void batch_riskkit(benchmark::State &state, const Subject *s, int nthread) {
  std::vector<double> out(kBatchRows);
  for (auto _ : state) {
    s->native->predict(s->rows->x.data(), kBatchRows, s->cols(), {riskkit::PredictOutput::value, nthread}, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchRows));
}

void batch_xgboost(benchmark::State &state, const Subject *s, int nthread) {
  set_threads(*s, nthread);
  const std::string array = array_interface(s->rows->x.data(), kBatchRows, s->cols());
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  for (auto _ : state) {
    if (XGBoosterPredictFromDense(s->booster, array.c_str(), kValueConfig, nullptr, &shape, &dim, &out) != 0)
      state.SkipWithError(XGBGetLastError());
    benchmark::DoNotOptimize(out[0]);
  }
  set_threads(*s, 1);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchRows));
}

void contrib_single_riskkit(benchmark::State &state, const Subject *s) {
  std::vector<double> out(s->native->num_outputs() * (s->cols() + 1));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(riskkit_contrib_single(*s, i++, out));
  state.SetItemsProcessed(state.iterations());
}

void contrib_single_xgboost(benchmark::State &state, const Subject *s) {
  set_threads(*s, 1);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_contribs(*s, row_at(*s, i++), 1));
  state.SetItemsProcessed(state.iterations());
}

void contrib_batch_riskkit(benchmark::State &state, const Subject *s, int nthread) {
  std::vector<double> out(kContribBatchRows * s->native->num_outputs() * (s->cols() + 1));
  for (auto _ : state) {
    s->native->contributions(s->rows->x.data(), kContribBatchRows, s->cols(), {riskkit::PredictOutput::margin, nthread},
                             out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kContribBatchRows));
}

void contrib_batch_xgboost(benchmark::State &state, const Subject *s, int nthread) {
  set_threads(*s, nthread);
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_contribs(*s, s->rows->x.data(), kContribBatchRows));
  set_threads(*s, 1);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kContribBatchRows));
}

// --- equal answers first ------------------------------------------------------------------

double max_prediction_difference(const Subject &s) {
  const std::size_t n = 10000;
  std::vector<double> ours(n);
  s.native->predict(s.rows->x.data(), n, s.cols(), {riskkit::PredictOutput::value, 0}, ours.data());
  const std::string array = array_interface(s.rows->x.data(), n, s.cols());
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *theirs = nullptr;
  XGBoosterPredictFromDense(s.booster, array.c_str(), kValueConfig, nullptr, &shape, &dim, &theirs);
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
  return worst;
}

double max_contribution_difference(const Subject &s) {
  const std::size_t n = 200, width = s.cols() + 1;
  std::vector<double> ours(n * width);
  s.native->contributions(s.rows->x.data(), n, s.cols(), {riskkit::PredictOutput::margin, 0}, ours.data());
  DMatrixHandle matrix = nullptr;
  XGDMatrixCreateFromMat(s.rows->x.data(), n, s.cols(), std::nanf(""), &matrix);
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *theirs = nullptr;
  XGBoosterPredictFromDMatrix(s.booster, matrix, kContribConfig, &shape, &dim, &theirs);
  double worst = 0;
  for (std::size_t i = 0; i < n * width; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
  XGDMatrixFree(matrix);
  return worst;
}

// --- latency: individually timed calls ------------------------------------------------------

struct Latency {
  double median_us = 0, p99_us = 0;
};

template <typename Call>
Latency time_calls(std::size_t calls, Call call) {
  std::vector<double> us(calls);
  for (std::size_t i = 0; i < std::min<std::size_t>(calls, 200); ++i) benchmark::DoNotOptimize(call(i));  // warm up
  for (std::size_t i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(call(i));
    us[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(us.begin(), us.end());
  return {us[calls / 2], us[calls * 99 / 100]};
}

void print_latencies(const std::vector<Subject> &subjects) {
  std::printf("\nSingle-row latency, one thread, %s (median / p99 of individually timed calls, wall clock):\n",
              "individual calls");
  std::printf("  %-10s %-26s %-26s %-26s %s\n", "model", "riskkit", "xgboost (NULL proxy)", "xgboost (reused proxy)",
              "ratios median / p99 vs proxy, vs NULL");
  for (const auto &s : subjects) {
    set_threads(s, 1);
    const std::size_t calls = s.native->num_outputs() == 1 && s.name.find("1000") != std::string::npos ? 4000 : 10000;
    const Latency ours = time_calls(calls, [&](std::size_t i) { return riskkit_single(s, i); });
    const Latency plain = time_calls(calls, [&](std::size_t i) { return xgboost_single(s, i, false); });
    const Latency proxy = time_calls(calls, [&](std::size_t i) { return xgboost_single(s, i, true); });
    std::printf("  %-10s %7.2f / %7.2f us        %7.2f / %7.2f us        %7.2f / %7.2f us        "
                "%.1fx / %.1fx, %.1fx / %.1fx\n",
                s.name.c_str(), ours.median_us, ours.p99_us, plain.median_us, plain.p99_us, proxy.median_us,
                proxy.p99_us, proxy.median_us / ours.median_us, proxy.p99_us / ours.p99_us,
                plain.median_us / ours.median_us, plain.p99_us / ours.p99_us);
  }
  std::printf("\nSingle-row contributions (TreeSHAP), one thread (median / p99):\n");
  for (const auto &s : subjects) {
    std::vector<double> out(s.native->num_outputs() * (s.cols() + 1));
    const std::size_t calls = s.name.find("1000") != std::string::npos ? 300 : 2000;
    const Latency ours = time_calls(calls, [&](std::size_t i) { return riskkit_contrib_single(s, i, out); });
    const Latency theirs = time_calls(calls, [&](std::size_t i) { return xgboost_contribs(s, row_at(s, i), 1); });
    std::printf("  %-10s riskkit %8.1f / %8.1f us   xgboost pred_contribs %8.1f / %8.1f us   %.1fx / %.1fx faster\n",
                s.name.c_str(), ours.median_us, ours.p99_us, theirs.median_us, theirs.p99_us,
                theirs.median_us / ours.median_us, theirs.p99_us / ours.p99_us);
  }
}

// Load time of the largest model from its UBJSON bytes, median of 7.
void print_load_times(const Subject &s) {
  const auto median_ms = [](auto load) {
    std::vector<double> ms;
    for (int i = 0; i < 7; ++i) {
      const auto start = std::chrono::steady_clock::now();
      load();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  const double ours = median_ms([&] { benchmark::DoNotOptimize(riskkit::load_model_from_memory(s.bytes.data(), s.bytes.size(), s.name)); });
  const double theirs = median_ms([&] { XGBoosterFree(xgboost_load(s.bytes)); });
  std::printf("\nLoad %s from %zu bytes of UBJSON: riskkit %.1f ms, XGBoost %.1f ms (%.2fx)\n", s.name.c_str(),
              s.bytes.size(), ours, theirs, theirs / ours);
}

/// Console output plus, at the end, riskkit/XGBoost CPU-time ratios per benchmark (below 1
/// = riskkit faster). CPU time of the calling thread for single rows; real time for
/// multi-threaded batches (CPU time of the calling thread misses the workers).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto &run : runs)
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        const std::string &name = run.run_name.function_name;
        times_[name] = name.find("2threads") != std::string::npos ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime();
      }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nriskkit / XGBoost C API, time per call (below 1 = riskkit faster):\n");
    for (const auto &[name, ours] : times_) {
      if (name.find("/riskkit/") == std::string::npos) continue;
      for (const char *peer : {"xgboost", "xgboost_proxy"}) {
        std::string other = name;
        other.replace(name.find("/riskkit/"), 9, std::string("/") + peer + "/");
        const auto it = times_.find(other);
        if (it != times_.end() && it->second > 0)
          std::printf("  %-36s vs %-14s %.3f  (%.1fx faster)\n", name.c_str(), peer, ours / it->second,
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
  subjects.push_back(trained_subject(train, 100, 4));
  subjects.push_back(trained_subject(train, 500, 6));
  subjects.push_back(trained_subject(train, 1000, 8));
  const std::string credit = read_file(std::string(RK_SOURCE_DIR) + "/examples/bundles/application/models/credit.json");
  if (!credit.empty()) subjects.push_back(make_subject("credit", credit, 0));

  for (const auto &s : subjects) {
    const double diff = max_prediction_difference(s);
    const double cdiff = max_contribution_difference(s);
    std::fprintf(stderr, "model %s: max |riskkit - xgboost| prediction %.3g, contributions %.3g\n", s.name.c_str(),
                 diff, cdiff);
    if (diff > 1e-6 || cdiff > 1e-5) return 1;
    const Subject *p = &s;
    const auto reg = [](const std::string &name, auto &&...args) {
      return benchmark::RegisterBenchmark(name.c_str(), args...);
    };
    reg("single_row/riskkit/" + s.name, single_row_riskkit, p);
    reg("single_row/xgboost/" + s.name, single_row_xgboost, p, false);
    reg("single_row/xgboost_proxy/" + s.name, single_row_xgboost, p, true);
    reg("batch100k_1thread/riskkit/" + s.name, batch_riskkit, p, 1);
    reg("batch100k_1thread/xgboost/" + s.name, batch_xgboost, p, 1);
    reg("batch100k_2threads/riskkit/" + s.name, batch_riskkit, p, 2)->UseRealTime();
    reg("batch100k_2threads/xgboost/" + s.name, batch_xgboost, p, 2)->UseRealTime();
    reg("contrib_single/riskkit/" + s.name, contrib_single_riskkit, p);
    reg("contrib_single/xgboost/" + s.name, contrib_single_xgboost, p);
    reg("contrib_batch1k_1thread/riskkit/" + s.name, contrib_batch_riskkit, p, 1);
    reg("contrib_batch1k_1thread/xgboost/" + s.name, contrib_batch_xgboost, p, 1);
    reg("contrib_batch1k_2threads/riskkit/" + s.name, contrib_batch_riskkit, p, 2)->UseRealTime();
    reg("contrib_batch1k_2threads/xgboost/" + s.name, contrib_batch_xgboost, p, 2)->UseRealTime();
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_latencies(subjects);
  print_load_times(subjects[2]);
  benchmark::Shutdown();
  for (auto &s : subjects) {
    XGDMatrixFree(s.proxy);
    XGBoosterFree(s.booster);
  }
  return 0;
}
