// Tree-ensemble prediction and contributions: riskkit's native evaluator against XGBoost's
// own C API (XGBoosterPredictFromDense / XGBoosterPredictFromDMatrix) on the same models
// and rows, in the same process, for two XGBoost releases: the linked system library
// (Debian's 1.7.4) and the current release's wheel library when found (xgboost_peer.hpp).
//
// Models are trained here by the XGBoost C API with a fixed seed: binary:logistic, 100
// trees of depth 4, 500 of depth 6 and 1000 of depth 8, over 60 features with 5 % missing;
// plus the example bundle's credit model (500 trees of depth 5, 53 inputs) when found.
// With RK_BENCH_MODEL_CACHE=<dir>, trained models are kept there and read back next time.
// Speed is only compared on equal answers: each peer's predictions must agree within 1e-6
// and its contributions within 1e-5, else the program refuses to benchmark.
//
// Output: google-benchmark tables (CPU time) with riskkit/XGBoost ratios per peer at the
// end, then a latency table (median and p99 of individually timed single-row calls), then
// load times.
#include <benchmark/benchmark.h>

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
#include "xgboost_peer.hpp"

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

// One model in one XGBoost peer: its booster, and the proxy DMatrix that the "-proxy"
// calls reuse.
struct PeerModel {
  const XgboostPeer *xgb = nullptr;
  BoosterHandle booster = nullptr;
  DMatrixHandle proxy = nullptr;
  std::string label() const { return "xgboost-" + xgb->version; }
};

// One benchmarked model in riskkit and in each XGBoost peer, with its test rows.
struct Subject {
  std::string name;
  std::string bytes;  // the UBJSON (or JSON) model file
  std::shared_ptr<const riskkit::Model> native;
  std::vector<PeerModel> peers;
  std::unique_ptr<Data> rows;
  std::size_t cols() const { return rows->cols; }
};

BoosterHandle xgboost_load(const XgboostPeer &xgb, const std::string &bytes) {
  BoosterHandle booster = nullptr;
  check(xgb, xgb.XGBoosterCreate(nullptr, 0, &booster));
  check(xgb, xgb.XGBoosterLoadModelFromBuffer(booster, bytes.data(), bytes.size()));
  return booster;
}

void set_threads(const PeerModel &m, int nthread) {
  check(*m.xgb, m.xgb->XGBoosterSetParam(m.booster, "nthread", std::to_string(nthread).c_str()));
}

// XGBoost 3.x writes base_score as "[8.268889E-2]", which XGBoost 1.x misreads; give
// releases before 3 the same model with the 1.x spelling of a single base_score.
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

Subject make_subject(std::string name, std::string bytes, std::size_t cols, const std::vector<XgboostPeer> &peers) {
  Subject s;
  s.name = std::move(name);
  s.bytes = std::move(bytes);
  s.native = riskkit::load_model_from_memory(s.bytes.data(), s.bytes.size(), s.name);
  if (cols == 0) cols = s.native->num_features();
  const bool json = s.bytes.front() == '{' && s.bytes[1] == '"';
  for (const auto &xgb : peers) {
    PeerModel m{&xgb};
    m.booster = xgboost_load(xgb, json && xgb.major < 3 ? with_plain_base_score(s.bytes) : s.bytes);
    set_threads(m, 1);
    check(xgb, xgb.XGProxyDMatrixCreate(&m.proxy));
    s.peers.push_back(m);
  }
  s.rows = std::make_unique<Data>(kBatchRows, 2, cols);
  return s;
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Trains a model, or reads it from $RK_BENCH_MODEL_CACHE/<name>.ubj when that directory is
// set and holds one (written there after training): repeated runs skip the training.
Subject trained_subject(const Data &train, int trees, int depth, const std::vector<XgboostPeer> &peers) {
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
  return make_subject(name, std::move(bytes), kFeatures, peers);
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

// Inplace prediction of `nrow` rows; the array-interface text is built per call, as a
// caller must. Returns the first prediction, NaN on failure.
float xgboost_predict(const Subject &s, const PeerModel &m, const float *rows, std::size_t nrow, bool reuse_proxy) {
  const std::string array = array_interface(rows, nrow, s.cols());
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  if (m.xgb->XGBoosterPredictFromDense(m.booster, array.c_str(), kValueConfig, reuse_proxy ? m.proxy : nullptr,
                                       &shape, &dim, &out) != 0)
    return std::nanf("");
  return out[0];
}

double riskkit_contrib_single(const Subject &s, std::size_t i, std::vector<double> &out) {
  s.native->contributions(row_at(s, i), 1, s.cols(), {riskkit::PredictOutput::margin, 1}, out.data());
  return out[0];
}

// pred_contribs needs a DMatrix: XGBoost's inplace prediction does not compute them.
// Returns the contributions (owned by the booster until its next call), or null.
const float *xgboost_contribs(const Subject &s, const PeerModel &m, const float *rows, std::size_t nrow) {
  DMatrixHandle matrix = nullptr;
  m.xgb->XGDMatrixCreateFromMat(rows, nrow, s.cols(), std::nanf(""), &matrix);
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  const int rc = m.xgb->XGBoosterPredictFromDMatrix(m.booster, matrix, kContribConfig, &shape, &dim, &out);
  m.xgb->XGDMatrixFree(matrix);
  return rc == 0 ? out : nullptr;
}

// --- google-benchmark bodies ------------------------------------------------------------

void single_row_riskkit(benchmark::State &state, const Subject *s) {
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(riskkit_single(*s, i++));
  state.SetItemsProcessed(state.iterations());
}

void single_row_xgboost(benchmark::State &state, const Subject *s, const PeerModel *m, bool reuse_proxy) {
  set_threads(*m, 1);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_predict(*s, *m, row_at(*s, i++), 1, reuse_proxy));
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

void batch_xgboost(benchmark::State &state, const Subject *s, const PeerModel *m, int nthread) {
  set_threads(*m, nthread);
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_predict(*s, *m, s->rows->x.data(), kBatchRows, false));
  set_threads(*m, 1);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchRows));
}

void contrib_single_riskkit(benchmark::State &state, const Subject *s) {
  std::vector<double> out(s->native->num_outputs() * (s->cols() + 1));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(riskkit_contrib_single(*s, i++, out));
  state.SetItemsProcessed(state.iterations());
}

void contrib_single_xgboost(benchmark::State &state, const Subject *s, const PeerModel *m) {
  set_threads(*m, 1);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_contribs(*s, *m, row_at(*s, i++), 1));
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

void contrib_batch_xgboost(benchmark::State &state, const Subject *s, const PeerModel *m, int nthread) {
  set_threads(*m, nthread);
  for (auto _ : state) benchmark::DoNotOptimize(xgboost_contribs(*s, *m, s->rows->x.data(), kContribBatchRows));
  set_threads(*m, 1);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kContribBatchRows));
}

// --- equal answers first ------------------------------------------------------------------

double max_prediction_difference(const Subject &s, const PeerModel &m) {
  const std::size_t n = 10000;
  std::vector<double> ours(n);
  s.native->predict(s.rows->x.data(), n, s.cols(), {riskkit::PredictOutput::value, 0}, ours.data());
  const std::string array = array_interface(s.rows->x.data(), n, s.cols());
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *theirs = nullptr;
  check(*m.xgb, m.xgb->XGBoosterPredictFromDense(m.booster, array.c_str(), kValueConfig, nullptr, &shape, &dim, &theirs));
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
  return worst;
}

double max_contribution_difference(const Subject &s, const PeerModel &m) {
  const std::size_t n = 200, width = s.cols() + 1;
  std::vector<double> ours(n * width);
  s.native->contributions(s.rows->x.data(), n, s.cols(), {riskkit::PredictOutput::margin, 0}, ours.data());
  const float *theirs = xgboost_contribs(s, m, s.rows->x.data(), n);
  if (theirs == nullptr) check(*m.xgb, -1);
  double worst = 0;
  for (std::size_t i = 0; i < n * width; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
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

// One line of a latency table; with `ours`, also the peer/riskkit ratios.
void print_latency(const std::string &model, const std::string &call, const Latency &l, const Latency *ours) {
  std::printf("  %-8s %-32s %10.2f us %10.2f us", model.c_str(), call.c_str(), l.median_us, l.p99_us);
  if (ours != nullptr) std::printf("   %6.1fx / %6.1fx", l.median_us / ours->median_us, l.p99_us / ours->p99_us);
  std::printf("\n");
}

void print_latencies(const std::vector<Subject> &subjects) {
  std::printf("\nSingle-row latency, one thread (median / p99 of individually timed calls, wall clock;\n"
              "ratios = XGBoost / riskkit, above 1 = riskkit faster):\n");
  std::printf("  %-8s %-32s %13s %13s   %s\n", "model", "call", "median", "p99", "ratio median / p99");
  for (const auto &s : subjects) {
    const std::size_t calls = s.name.find("1000") != std::string::npos ? 4000 : 10000;
    const Latency ours = time_calls(calls, [&](std::size_t i) { return riskkit_single(s, i); });
    print_latency(s.name, "riskkit", ours, nullptr);
    for (const auto &m : s.peers) {
      set_threads(m, 1);
      for (const bool reuse : {false, true}) {
        const Latency theirs =
            time_calls(calls, [&](std::size_t i) { return xgboost_predict(s, m, row_at(s, i), 1, reuse); });
        print_latency("", "XGBoost " + m.xgb->version + (reuse ? ", reused proxy" : ", NULL proxy"), theirs, &ours);
      }
    }
  }
  std::printf("\nSingle-row contributions (TreeSHAP), one thread (median / p99):\n");
  for (const auto &s : subjects) {
    std::vector<double> out(s.native->num_outputs() * (s.cols() + 1));
    const std::size_t calls = s.name.find("1000") != std::string::npos ? 300 : 2000;
    const Latency ours = time_calls(calls, [&](std::size_t i) { return riskkit_contrib_single(s, i, out); });
    print_latency(s.name, "riskkit", ours, nullptr);
    for (const auto &m : s.peers) {
      const Latency theirs = time_calls(calls, [&](std::size_t i) { return xgboost_contribs(s, m, row_at(s, i), 1); });
      print_latency("", "XGBoost " + m.xgb->version + " pred_contribs", theirs, &ours);
    }
  }
}

// Load time of a model from its UBJSON bytes (booster creation included), median of 7.
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
  std::printf("\nLoad %s from %zu bytes of UBJSON, median of 7: riskkit %.1f ms", s.name.c_str(), s.bytes.size(), ours);
  for (const auto &m : s.peers) {
    const double theirs = median_ms([&] { m.xgb->XGBoosterFree(xgboost_load(*m.xgb, s.bytes)); });
    std::printf(", XGBoost %s %.1f ms (%.2fx)", m.xgb->version.c_str(), theirs, theirs / ours);
  }
  std::printf("\n");
}

/// Console output plus, at the end, riskkit/XGBoost time ratios per benchmark and peer
/// (below 1 = riskkit faster). CPU time of the calling thread for one thread; real time
/// for two (CPU time of the calling thread misses the workers).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<std::string> versions) : versions_(std::move(versions)) {}

  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto &run : runs)
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        const std::string &name = run.run_name.function_name;
        if (name.find("/riskkit/") != std::string::npos && times_.count(name) == 0) ours_.push_back(name);
        times_[name] = name.find("2threads") != std::string::npos ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime();
      }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nriskkit / XGBoost C API, time per call (below 1 = riskkit faster; (Nx) = N times faster):\n");
    std::printf("  %-40s %-17s", "benchmark", "XGBoost call");
    for (const auto &version : versions_) std::printf(" %-16s", ("vs " + version).c_str());
    std::printf("\n");
    for (const auto &name : ours_) {
      const double ours = times_[name];
      const auto at = name.find("/riskkit/");
      const std::string group = name.substr(0, at), model = name.substr(at + 9);
      for (const std::string variant : {"", "-proxy"}) {
        std::string cells;
        bool any = false;
        for (const auto &version : versions_) {
          const auto it = times_.find(group + "/xgboost-" + version + variant + "/" + model);
          char ratio[32] = "-", cell[40];
          if (it != times_.end() && it->second > 0) {
            any = true;
            std::snprintf(ratio, sizeof ratio, "%.3f (%.1fx)", ours / it->second, it->second / ours);
          }
          std::snprintf(cell, sizeof cell, " %-16s", ratio);
          cells += cell;
        }
        const char *call = !variant.empty() ? "reused proxy" : group.rfind("contrib", 0) == 0 ? "DMatrix per call" : "NULL proxy";
        if (any) std::printf("  %-40s %-17s%s\n", (group + "/" + model).c_str(), call, cells.c_str());
      }
    }
  }

 private:
  std::vector<std::string> versions_;
  std::vector<std::string> ours_;  // riskkit's benchmarks, in the order they ran
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  static const std::vector<XgboostPeer> peers = xgboost_peers(RK_SOURCE_DIR);

  std::fprintf(stderr, "training the benchmark models with the XGBoost C API...\n");
  const Data train(kTrainRows, 1);
  static std::vector<Subject> subjects;
  subjects.push_back(trained_subject(train, 100, 4, peers));
  subjects.push_back(trained_subject(train, 500, 6, peers));
  subjects.push_back(trained_subject(train, 1000, 8, peers));
  const std::string credit = read_file(std::string(RK_SOURCE_DIR) + "/examples/bundles/application/models/credit.json");
  if (!credit.empty()) subjects.push_back(make_subject("credit", credit, 0, peers));

  // Two-thread runs are timed by the wall clock (see RatioReporter).
  const auto reg = [](const std::string &name, auto &&...args) {
    auto *bench = benchmark::RegisterBenchmark(name.c_str(), args...);
    if (name.find("2threads") != std::string::npos) bench->UseRealTime();
  };
  for (const auto &s : subjects) {
    const Subject *p = &s;
    for (const auto &m : s.peers) {
      const double diff = max_prediction_difference(s, m);
      const double cdiff = max_contribution_difference(s, m);
      std::fprintf(stderr, "model %s: max |riskkit - xgboost %s| prediction %.3g, contributions %.3g\n",
                   s.name.c_str(), m.xgb->version.c_str(), diff, cdiff);
      if (!(diff <= 1e-6 && cdiff <= 1e-5)) return 1;
    }
    reg("single_row/riskkit/" + s.name, single_row_riskkit, p);
    for (const auto &m : s.peers) {
      reg("single_row/" + m.label() + "/" + s.name, single_row_xgboost, p, &m, false);
      reg("single_row/" + m.label() + "-proxy/" + s.name, single_row_xgboost, p, &m, true);
    }
    for (const int nthread : {1, 2}) {
      const std::string batch = nthread == 1 ? "batch100k_1thread/" : "batch100k_2threads/";
      reg(batch + "riskkit/" + s.name, batch_riskkit, p, nthread);
      for (const auto &m : s.peers) reg(batch + m.label() + "/" + s.name, batch_xgboost, p, &m, nthread);
    }
    reg("contrib_single/riskkit/" + s.name, contrib_single_riskkit, p);
    for (const auto &m : s.peers) reg("contrib_single/" + m.label() + "/" + s.name, contrib_single_xgboost, p, &m);
    for (const int nthread : {1, 2}) {
      const std::string batch = nthread == 1 ? "contrib_batch1k_1thread/" : "contrib_batch1k_2threads/";
      reg(batch + "riskkit/" + s.name, contrib_batch_riskkit, p, nthread);
      for (const auto &m : s.peers) reg(batch + m.label() + "/" + s.name, contrib_batch_xgboost, p, &m, nthread);
    }
  }
  std::vector<std::string> versions;
  for (const auto &xgb : peers) versions.push_back(xgb.version);
  RatioReporter reporter(versions);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_latencies(subjects);
  print_load_times(subjects[2]);
  benchmark::Shutdown();
  for (const auto &s : subjects)
    for (const auto &m : s.peers) {
      m.xgb->XGDMatrixFree(m.proxy);
      m.xgb->XGBoosterFree(m.booster);
    }
  return 0;
}
