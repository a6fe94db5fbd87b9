// Model loading: riskkit::load_model against XGBoost's XGBoosterLoadModel, on the same files,
// in the same process, for two XGBoost releases: the linked system library (Debian's
// 1.7.4) and the current release's wheel library when found (xgboost_peer.hpp).
//
// By default the program trains a binary:logistic model of 1000 trees of depth 8 over 60
// features with 5 % missing (the largest model of bench_models), saves it as UBJSON and
// JSON in a temporary directory, and times loading each file. With path arguments it
// times those model files instead. Each figure is the median of the repeats, wall time and
// process CPU time, from a file and from memory. Before timing, every release's loaded model
// must give the same margins as riskkit's (within 1e-6) on a thousand rows, else the
// program refuses to benchmark.
//
//   bench_model_load [MODEL_FILE] [--repeats N]
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "models/xgboost_c_api.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"
#include "xgboost_peer.hpp"

namespace {

constexpr std::size_t kFeatures = 60;
constexpr std::size_t kTrainRows = 10000;
constexpr std::size_t kCheckRows = 1000;

// Rows with 5 % missing values and labels from a noisy logistic function of a few columns.
std::vector<float> make_rows(std::size_t rows, std::mt19937_64 &rng) {
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  std::vector<float> x(rows * kFeatures);
  for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
  return x;
}

std::vector<float> make_labels(const std::vector<float> &x, std::mt19937_64 &rng) {
  std::uniform_real_distribution<float> unit;
  std::vector<float> y;
  for (std::size_t r = 0; r < x.size() / kFeatures; ++r) {
    const float *row = &x[r * kFeatures];
    float z = 0;
    for (std::size_t j = 0; j < 12; ++j) z += std::isnan(row[j]) ? 0.0f : row[j] * (j % 2 ? 0.7f : -0.5f);
    y.push_back(unit(rng) < 1.0f / (1.0f + std::exp(-z)) ? 1.0f : 0.0f);
  }
  return y;
}

std::string read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Medians of the wall time and of the process CPU time (all threads) of `run`, in ms. The
// CPU time is the figure to compare on a busy machine, where wall time includes waiting.
struct Timing {
  double wall = 0, cpu = 0;
};

template <typename F>
Timing median_ms(int repeats, F &&run) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    const double cpu_start = process_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    run();
    wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    cpu.push_back(process_cpu_ms() - cpu_start);
  }
  return {median(wall), median(cpu)};
}

constexpr const char *kMarginConfig =
    R"({"type": 1, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";

// Margins of `xgb`'s booster loaded from `path`, on `rows` of `cols` features.
std::vector<float> xgboost_margins(const XgboostPeer &xgb, const std::string &path, const std::vector<float> &rows,
                                   std::size_t cols) {
  BoosterHandle booster = nullptr;
  DMatrixHandle matrix = nullptr;
  check(xgb, xgb.XGBoosterCreate(nullptr, 0, &booster));
  check(xgb, xgb.XGBoosterLoadModel(booster, path.c_str()));
  check(xgb, xgb.XGDMatrixCreateFromMat(rows.data(), rows.size() / cols, cols, std::nanf(""), &matrix));
  const bst_ulong *shape = nullptr;
  bst_ulong dim = 0;
  const float *out = nullptr;
  check(xgb, xgb.XGBoosterPredictFromDMatrix(booster, matrix, kMarginConfig, &shape, &dim, &out));
  std::size_t size = 1;
  for (bst_ulong i = 0; i < dim; ++i) size *= shape[i];
  std::vector<float> margins(out, out + size);
  xgb.XGDMatrixFree(matrix);
  xgb.XGBoosterFree(booster);
  return margins;
}

// Every release must agree with riskkit before their speed is compared.
void check_same_margins(const std::string &path, const riskkit::Model &ours, const std::vector<XgboostPeer> &peers,
                        const std::vector<float> &rows) {
  const std::size_t nrow = rows.size() / ours.num_features();
  std::vector<double> ours_margin(nrow * ours.num_outputs());
  ours.predict(rows.data(), nrow, ours.num_features(), {riskkit::PredictOutput::margin, 1}, ours_margin.data());
  for (const auto &xgb : peers) {
    const auto theirs = xgboost_margins(xgb, path, rows, ours.num_features());
    for (std::size_t i = 0; i < ours_margin.size(); ++i)
      if (theirs.size() != ours_margin.size() || !(std::abs(ours_margin[i] - theirs[i]) <= 1e-6)) {
        std::fprintf(stderr, "%s: XGBoost %s margins differ at %zu: %.9g vs %.9g; refusing to benchmark\n",
                     path.c_str(), xgb.version.c_str(), i, ours_margin[i], i < theirs.size() ? theirs[i] : NAN);
        std::exit(1);
      }
  }
}

// Median times of `load(booster)` on fresh boosters of `xgb`, created and freed outside
// the timed region.
template <typename F>
Timing xgboost_load_ms(const XgboostPeer &xgb, int repeats, F &&load) {
  std::vector<BoosterHandle> boosters(static_cast<std::size_t>(repeats));
  for (auto &b : boosters) check(xgb, xgb.XGBoosterCreate(nullptr, 0, &b));
  std::size_t next = 0;
  const Timing t = median_ms(repeats, [&] { check(xgb, load(boosters[next++])); });
  for (BoosterHandle b : boosters) xgb.XGBoosterFree(b);
  return t;
}

// Loading one file from the file and from memory.
struct LoadTimes {
  Timing file, memory;
};

void bench_file(const std::string &path, int repeats, const std::vector<XgboostPeer> &peers,
                const std::vector<float> &check_rows) {
  const std::string bytes = read_bytes(path);
  const auto model = riskkit::load_model(path);
  if (model->num_features() == kFeatures) check_same_margins(path, *model, peers, check_rows);
  std::printf("%s: %.2f MB, %zu features, %zu outputs\n", path.c_str(), static_cast<double>(bytes.size()) / 1e6,
              model->num_features(), model->num_outputs());

  const LoadTimes ours{median_ms(repeats, [&] { riskkit::load_model(path); }),
                       median_ms(repeats, [&] { riskkit::load_model_from_memory(bytes.data(), bytes.size(), path); })};
  std::vector<LoadTimes> theirs;
  for (const auto &xgb : peers)
    theirs.push_back({xgboost_load_ms(xgb, repeats, [&](BoosterHandle b) { return xgb.XGBoosterLoadModel(b, path.c_str()); }),
                      xgboost_load_ms(xgb, repeats, [&](BoosterHandle b) {
                        return xgb.XGBoosterLoadModelFromBuffer(b, bytes.data(), bytes.size());
                      })});

  std::printf("  %-26s %14s", ("median of " + std::to_string(repeats) + " loads").c_str(), "riskkit");
  for (const auto &xgb : peers) std::printf(" %14s %7s", ("XGBoost " + xgb.version).c_str(), "ratio");
  std::printf("\n");
  const auto row = [&](const char *what, Timing LoadTimes::*where, double Timing::*clock) {
    const double mine = (ours.*where).*clock;
    std::printf("  %-26s %11.2f ms", what, mine);
    for (const auto &t : theirs) std::printf(" %11.2f ms %6.2fx", (t.*where).*clock, (t.*where).*clock / mine);
    std::printf("\n");
  };
  row("from the file, CPU", &LoadTimes::file, &Timing::cpu);
  row("from the file, wall", &LoadTimes::file, &Timing::wall);
  row("from memory, CPU", &LoadTimes::memory, &Timing::cpu);
  row("from memory, wall", &LoadTimes::memory, &Timing::wall);
  std::printf("  (ratio = XGBoost time / riskkit time, > 1 means riskkit loads faster)\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char **argv) {
  int repeats = 15;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else paths.emplace_back(argv[i]);
  }
  const std::vector<XgboostPeer> peers = xgboost_peers(RK_SOURCE_DIR);
  std::mt19937_64 rng(20261126);
  const auto check_rows = make_rows(kCheckRows, rng);
  try {
    if (paths.empty()) {
      std::printf("training 1000 trees of depth 8 over %zu features (XGBoost C API)...\n", kFeatures);
      const auto x = make_rows(kTrainRows, rng);
      const auto y = make_labels(x, rng);
      const auto trained = riskkit::detail::train_xgboost(
          x.data(), y.data(), kTrainRows, kFeatures,
          {{"objective", "binary:logistic"}, {"max_depth", "8"}, {"eta", "0.1"}, {"seed", "1"}, {"nthread", "2"}},
          1000);
      const auto dir = std::filesystem::temp_directory_path() / "riskkit_bench_model_load";
      std::filesystem::create_directories(dir);
      for (const auto &[name, bytes] : {std::pair{"trees1000_d8.ubj", &trained.ubj}, std::pair{"trees1000_d8.json", &trained.json}}) {
        const std::string path = (dir / name).string();
        std::ofstream(path, std::ios::binary).write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
        paths.push_back(path);
      }
    }
    for (const auto &path : paths) bench_file(path, repeats, peers, check_rows);
  } catch (const riskkit::Error &e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
