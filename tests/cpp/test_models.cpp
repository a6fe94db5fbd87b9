// Models: the native evaluator against XGBoost's own predictions (committed oracle from
// PyPI xgboost 3.x, and the XGBoost 1.7 C API in-process), TreeSHAP against pred_contribs,
// linear models against hand-computed values, and malformed model files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/model_document.hpp"
#include "models/tree_shap.hpp"
#include "models/xgboost_c_api.hpp"
#include "models/xgboost_json.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

#include "test_files.hpp"

namespace {

using riskkit::ErrorCode;
using riskkit::Model;
using riskkit::PredictOptions;
using riskkit::PredictOutput;
using Json = nlohmann::json;

const std::string kData = std::string(RK_TEST_DATA) + "/models/";

using rk_test::read_bytes;

std::vector<float> read_floats(const std::string &path) {  // little-endian float32, as on x86
  const std::string bytes = read_bytes(path);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

// The shared test matrix and the index of the oracle files.
struct Fixtures {
  Json index = Json::parse(read_bytes(kData + "index.json"));
  std::size_t rows = index["rows"], cols = index["cols"], contrib_rows = index["contrib_rows"];
  std::vector<float> matrix = read_floats(kData + index["matrix"].get<std::string>());
};

const Fixtures &fixtures() {
  static const Fixtures f;
  return f;
}

std::vector<double> predict(const Model &model, const float *rows, std::size_t nrow, PredictOutput output,
                            int nthread = 0, float missing = std::numeric_limits<float>::quiet_NaN()) {
  std::vector<double> out(nrow * model.num_outputs());
  model.predict(rows, nrow, model.num_features(), PredictOptions{output, nthread, missing}, out.data());
  return out;
}

std::vector<double> contributions(const Model &model, const float *rows, std::size_t nrow, int nthread = 0,
                                  float missing = std::numeric_limits<float>::quiet_NaN()) {
  std::vector<double> out(nrow * model.num_outputs() * (model.num_features() + 1));
  model.contributions(rows, nrow, model.num_features(), PredictOptions{PredictOutput::margin, nthread, missing},
                      out.data());
  return out;
}

// The tree kernels this CPU runs: portable, and AVX2 and AVX-512 where it has them.
std::vector<riskkit::detail::TreeKernel> cpu_kernels() {
  using riskkit::detail::TreeKernel;
  std::vector<TreeKernel> kernels;
  for (const TreeKernel kernel : {TreeKernel::portable, TreeKernel::avx2, TreeKernel::avx512})
    if (riskkit::detail::cpu_runs(kernel)) kernels.push_back(kernel);
  return kernels;
}

template <typename A, typename B>
double max_abs_diff(const A &a, const B &b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
    if (std::isnan(x) && std::isnan(y)) continue;
    worst = std::max(worst, std::isnan(x - y) ? std::numeric_limits<double>::infinity() : std::abs(x - y));
  }
  return worst;
}

// Largest |sum of a row's contributions - its margin| over all rows and outputs.
double max_sum_error(const std::vector<double> &contribs, const std::vector<double> &margins, std::size_t ncol) {
  double worst = 0;
  for (std::size_t i = 0; i < margins.size(); ++i) {
    double sum = 0;
    for (std::size_t j = 0; j <= ncol; ++j) sum += contribs[i * (ncol + 1) + j];
    worst = std::max(worst, std::abs(sum - margins[i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("native trees match PyPI xgboost's predictions and pred_contribs (committed oracle)") {
  const auto &f = fixtures();
  for (const auto &entry : f.index["models"]) {
    const std::string name = entry["name"];
    const auto value = read_floats(kData + entry["value"].get<std::string>());
    const auto margin = read_floats(kData + entry["margin"].get<std::string>());
    const auto contribs = read_floats(kData + entry["contribs"].get<std::string>());
    for (const std::string format : {"json", "ubj"}) {
      CAPTURE(name);
      CAPTURE(format);
      const auto model = riskkit::load_model(kData + entry[format].get<std::string>());
      REQUIRE(model->num_features() == f.cols);
      REQUIRE(model->num_outputs() == entry["num_outputs"].get<std::size_t>());
      CHECK(model->kind() == "xgboost");
      CHECK(model->feature_names().size() == f.cols);

      const auto our_margin = predict(*model, f.matrix.data(), f.rows, PredictOutput::margin);
      const auto our_value = predict(*model, f.matrix.data(), f.rows, PredictOutput::value);
      const double margin_diff = max_abs_diff(our_margin, margin);
      const double value_diff = max_abs_diff(our_value, value);
      CHECK(margin_diff <= 1e-6);
      if (entry["objective"] != "multi:softmax") CHECK(value_diff <= 1e-6);

      const auto our_contribs = contributions(*model, f.matrix.data(), f.contrib_rows);
      const double contrib_diff = max_abs_diff(our_contribs, contribs);
      CHECK(contrib_diff <= 1e-5);
      const std::vector<double> head(our_margin.begin(),
                                     our_margin.begin() + static_cast<std::ptrdiff_t>(f.contrib_rows * model->num_outputs()));
      const double sum_error = max_sum_error(our_contribs, head, f.cols);
      CHECK(sum_error <= 1e-5);
      MESSAGE(name << "." << format << ": max |d| margin " << margin_diff << ", value " << value_diff
                   << ", contribs " << contrib_diff << ", sum(contribs)-margin " << sum_error);
    }
  }
}

TEST_CASE("the xgboost_c_api backend (XGBoost 1.7) scores 3.x models with their bracketed base_score") {
  const auto &f = fixtures();
  for (const auto &entry : f.index["models"]) {
    const std::string name = entry["name"];
    CAPTURE(name);
    riskkit::ModelLoadOptions reference;
    reference.backend = riskkit::ModelBackend::xgboost_c_api;
    const std::string path = kData + entry["json"].get<std::string>();
    if (entry["num_outputs"].get<std::size_t>() > 1) {
      // Per-class intercepts cannot be set in 1.7: refused, never approximated.
      CHECK_THROWS_WITH_AS(riskkit::load_model(path, reference), doctest::Contains("per-class base_score"), riskkit::Error);
      continue;
    }
    const auto model = riskkit::load_model(path, reference);
    CHECK(model->kind() == "xgboost-capi");
    const auto margin = read_floats(kData + entry["margin"].get<std::string>());
    CHECK(max_abs_diff(predict(*model, f.matrix.data(), f.rows, PredictOutput::margin), margin) <= 1e-5);
  }
}

TEST_CASE("Fast TreeSHAP tables and the path algorithm agree with pred_contribs, tree by tree") {
  // The tables are used when they fit a memory budget and the path algorithm otherwise; a
  // budget of 0 forces the path algorithm, a budget of half the trees mixes both in one model.
  const auto &f = fixtures();
  for (const auto &entry : f.index["models"]) {
    const std::string name = entry["name"];
    CAPTURE(name);
    const std::string bytes = read_bytes(kData + entry["ubj"].get<std::string>());
    const auto ensemble = *riskkit::detail::read_xgboost_model(bytes, name);
    const auto oracle = read_floats(kData + entry["contribs"].get<std::string>());
    const std::size_t width = ensemble.num_outputs() * (f.cols + 1);
    std::vector<double> tables(f.contrib_rows * width), paths(tables.size()), mixed(tables.size());
    std::vector<double> portable(tables.size());
    riskkit::detail::TreeShap::Scratch scratch;
    const riskkit::detail::TreeShap fast(ensemble), slow(ensemble, 0);
    const riskkit::detail::TreeShap half(ensemble, fast.num_table_entries() / 2);
    const riskkit::detail::TreeShap unpacked(ensemble, riskkit::detail::TreeShap::kMaxTableEntries,
                                             riskkit::detail::TreeKernel::portable);
    fast.explain(f.matrix.data(), f.contrib_rows, std::nanf(""), scratch, tables.data());
    unpacked.explain(f.matrix.data(), f.contrib_rows, std::nanf(""), scratch, portable.data());
    slow.explain(f.matrix.data(), f.contrib_rows, std::nanf(""), scratch, paths.data());
    half.explain(f.matrix.data(), f.contrib_rows, std::nanf(""), scratch, mixed.data());
    CHECK(fast.num_tabulated_trees() == ensemble.num_trees());
    CHECK(slow.num_tabulated_trees() == 0);
    CHECK(half.num_tabulated_trees() > 0);
    CHECK(half.num_tabulated_trees() < ensemble.num_trees());
    CHECK(unpacked.num_packed_trees() == 0);
    // Packed: trees up to 6 deep, of models without categorical splits (AVX-512 only).
    if (riskkit::detail::best_tree_kernel() == riskkit::detail::TreeKernel::avx512 && ensemble.max_depth <= 6 &&
        !ensemble.has_categorical)
      CHECK(fast.num_packed_trees() > 0);
    CHECK(max_abs_diff(tables, oracle) <= 1e-5);
    CHECK(max_abs_diff(portable, oracle) <= 1e-5);
    CHECK(max_abs_diff(paths, oracle) <= 1e-5);
    CHECK(max_abs_diff(mixed, oracle) <= 1e-5);
    // Same mathematics; the tables hold floats (the paths run in double).
    CHECK(max_abs_diff(tables, paths) <= 1e-6);
    CHECK(max_abs_diff(portable, paths) <= 1e-6);
  }
}

TEST_CASE("contributions with a missing-value sentinel equal contributions with NaN in its place") {
  const auto &f = fixtures();
  const auto model = riskkit::load_model(kData + "regression_d6.ubj");
  std::vector<float> sentinel(f.matrix.begin(), f.matrix.begin() + static_cast<std::ptrdiff_t>(200 * f.cols));
  std::vector<float> nan = sentinel;
  for (std::size_t i = 0; i < sentinel.size(); i += 7) {
    sentinel[i] = -999.0f;
    nan[i] = std::nanf("");
  }
  const auto a = contributions(*model, sentinel.data(), 200, 1, -999.0f);
  const auto b = contributions(*model, nan.data(), 200, 1);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

TEST_CASE("one model shared by many threads gives every thread the single-threaded answers") {
  // A loaded model is immutable: threads predict (single rows and batches, which walk other
  // layouts) and explain concurrently, including the first contributions() call that builds
  // the Fast TreeSHAP tables (raced on purpose).
  const auto &f = fixtures();
  for (const char *file : {"regression_d6.ubj", "categorical_d5.json"}) {
    CAPTURE(file);
    const std::size_t rows = 64;
    const auto reference_model = riskkit::load_model(kData + file);
    const auto want_value = predict(*reference_model, f.matrix.data(), rows, PredictOutput::value, 1);
    const auto want_contribs = contributions(*reference_model, f.matrix.data(), rows, 1);
    const auto shared = riskkit::load_model(kData + file);  // tables not built yet
    constexpr int kThreads = 8;
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int round = 0; round < 5; ++round) {
          const auto batch = predict(*shared, f.matrix.data(), rows, PredictOutput::value, 1);
          mismatches[static_cast<std::size_t>(t)] +=
              std::memcmp(batch.data(), want_value.data(), batch.size() * sizeof(double)) != 0;
          for (std::size_t r = static_cast<std::size_t>(t) % 3; r < rows; r += 3) {
            const float *row = f.matrix.data() + r * f.cols;
            const auto value = predict(*shared, row, 1, PredictOutput::value, 1);
            const auto contribs = contributions(*shared, row, 1, 1);
            const std::size_t k = shared->num_outputs(), width = k * (f.cols + 1);
            mismatches[static_cast<std::size_t>(t)] +=
                std::memcmp(value.data(), want_value.data() + r * k, k * sizeof(double)) != 0;
            mismatches[static_cast<std::size_t>(t)] +=
                std::memcmp(contribs.data(), want_contribs.data() + r * width, width * sizeof(double)) != 0;
          }
        }
      });
    for (auto &thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) CHECK(mismatches[static_cast<std::size_t>(t)] == 0);
  }
}

TEST_CASE("results do not depend on threads or on batch size") {
  const auto &f = fixtures();
  const auto model = riskkit::load_model(kData + "multi_softprob_d3.ubj");
  const auto one = predict(*model, f.matrix.data(), f.rows, PredictOutput::value, 1);
  const auto four = predict(*model, f.matrix.data(), f.rows, PredictOutput::value, 4);
  CHECK(std::memcmp(one.data(), four.data(), one.size() * sizeof(double)) == 0);
  for (std::size_t r = 0; r < f.rows; r += 997) {
    const auto single = predict(*model, f.matrix.data() + r * f.cols, 1, PredictOutput::value, 1);
    CHECK(std::memcmp(single.data(), one.data() + r * model->num_outputs(), single.size() * sizeof(double)) == 0);
  }
  const auto c1 = contributions(*model, f.matrix.data(), 200, 1);
  const auto c3 = contributions(*model, f.matrix.data(), 200, 3);
  CHECK(std::memcmp(c1.data(), c3.data(), c1.size() * sizeof(double)) == 0);
}

namespace {

// Synthetic training data shaped like the fixtures: 20 columns, NaN, a discrete column.
struct TrainingData {
  std::size_t rows = 3000, cols = 20;
  std::vector<float> x, binary, regression, multi;
  TrainingData() {
    std::mt19937_64 rng(7);
    std::normal_distribution<float> normal;
    std::uniform_real_distribution<float> unit;
    x.resize(rows * cols);
    for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
    for (std::size_t r = 0; r < rows; ++r) {
      float *row = &x[r * cols];
      row[3] = std::round(row[3] * 4);
      const auto z = [&](std::size_t j) { return std::isnan(row[j]) ? 0.0f : row[j]; };
      const float lin = 1.2f * z(0) - 0.8f * z(1) + 0.5f * z(2) * z(4) + 0.3f * z(3) + 0.5f * normal(rng);
      binary.push_back(lin > 0 ? 1.0f : 0.0f);
      regression.push_back(lin);
      multi.push_back(lin < -1 ? 0.0f : lin < 0.5f ? 1.0f : 2.0f);
    }
  }
};

}  // namespace

TEST_CASE("native trees match the XGBoost C API in-process, JSON and UBJSON") {
  const auto &f = fixtures();
  const TrainingData data;
  struct Case {
    const char *objective;
    const std::vector<float> *labels;
    const char *depth;
    int rounds;
    const char *num_class;
  };
  const Case cases[] = {{"binary:logistic", &data.binary, "4", 30, "0"},
                        {"reg:squarederror", &data.regression, "6", 20, "0"},
                        {"multi:softprob", &data.multi, "3", 10, "3"},
                        {"binary:logitraw", &data.binary, "1", 20, "0"},
                        {"reg:logistic", &data.binary, "8", 5, "0"},
                        // Deeper than CompleteTrees::kMaxCompleteDepth: the breadth-first layout.
                        {"reg:squarederror", &data.regression, "12", 3, "0"}};
  double worst_prediction = 0, worst_contribution = 0;
  for (const auto &c : cases) {
    const std::string objective = c.objective;
    CAPTURE(objective);
    std::vector<std::pair<std::string, std::string>> params{
        {"objective", c.objective}, {"max_depth", c.depth}, {"eta", "0.3"}, {"seed", "3"}, {"nthread", "1"}};
    if (std::string(c.num_class) != "0") params.emplace_back("num_class", c.num_class);
    const auto trained = riskkit::detail::train_xgboost(data.x.data(), c.labels->data(), data.rows, data.cols, params,
                                                         c.rounds);
    for (const std::string *bytes : {&trained.json, &trained.ubj}) {
      const auto native = riskkit::load_model_from_memory(bytes->data(), bytes->size(), "trained");
      const auto reference = riskkit::load_model_from_memory(bytes->data(), bytes->size(), "trained",
                                                             {riskkit::ModelBackend::xgboost_c_api});
      CHECK(reference->kind() == "xgboost-capi");
      REQUIRE(reference->num_outputs() == native->num_outputs());
      for (const float missing : {std::numeric_limits<float>::quiet_NaN(), 0.0f}) {
        CAPTURE(missing);
        for (const auto output : {PredictOutput::margin, PredictOutput::value}) {
          const double diff = max_abs_diff(predict(*native, f.matrix.data(), f.rows, output, 0, missing),
                                           predict(*reference, f.matrix.data(), f.rows, output, 0, missing));
          CHECK(diff <= 1e-6);
          worst_prediction = std::max(worst_prediction, diff);
        }
        // XGBoost's DMatrix rejects infinities; the first rows have none.
        const double contrib_diff = max_abs_diff(contributions(*native, f.matrix.data(), f.contrib_rows, 0, missing),
                                                 contributions(*reference, f.matrix.data(), f.contrib_rows, 0, missing));
        CHECK(contrib_diff <= 1e-5);
        worst_contribution = std::max(worst_contribution, contrib_diff);
      }
    }
  }
  MESSAGE("native vs XGBoost C API: max |d| predictions " << worst_prediction << ", contributions "
                                                          << worst_contribution);
}

TEST_CASE("the portable, AVX2 and AVX-512 tree kernels give PyPI xgboost's margins, bit for bit") {
  // Every kernel the CPU runs walks the complete layouts (the portable one runs everywhere).
  // NaN and a sentinel both count as missing.
  const auto &f = fixtures();
  using riskkit::detail::TreeKernel;
  const auto kernels = cpu_kernels();
  MESSAGE("tree kernels tested: " << kernels.size() << "; in use: " << riskkit::tree_kernel());
  CHECK(riskkit::detail::cpu_runs(riskkit::detail::best_tree_kernel()));
  CHECK(std::string(riskkit::tree_kernel()) == riskkit::detail::kernel_name(riskkit::detail::best_tree_kernel()));
  std::vector<float> sentinel_rows = f.matrix;
  for (float &x : sentinel_rows)
    if (std::isnan(x)) x = -999.0f;
  std::size_t tested = 0;
  for (const auto &entry : f.index["models"]) {
    const std::string name = entry["name"];
    CAPTURE(name);
    auto ensemble = *riskkit::detail::read_xgboost_model(read_bytes(kData + entry["ubj"].get<std::string>()), name);
    riskkit::detail::build_complete_trees(ensemble);
    if (ensemble.complete.empty()) {
      CHECK(ensemble.has_categorical);
      continue;
    }
    ++tested;
    const auto oracle = read_floats(kData + entry["margin"].get<std::string>());
    const std::size_t k = ensemble.num_outputs();
    for (const TreeKernel kernel : kernels) {
      CAPTURE(static_cast<int>(kernel));
      for (const float missing : {std::numeric_limits<float>::quiet_NaN(), -999.0f}) {
        std::vector<float> margins(f.rows * k);
        for (std::size_t r = 0; r < f.rows; ++r)
          std::copy(ensemble.base_margin.begin(), ensemble.base_margin.end(), margins.begin() + static_cast<std::ptrdiff_t>(r * k));
        const float *rows = std::isnan(missing) ? f.matrix.data() : sentinel_rows.data();
        riskkit::detail::accumulate_margins(ensemble, rows, f.rows, missing, margins.data(), kernel);
        CHECK(max_abs_diff(margins, oracle) == 0.0);
        // One row at a time: the single-row walk (two bundles at once with AVX-512).
        std::vector<float> single(margins.begin(), margins.begin() + static_cast<std::ptrdiff_t>(300 * k));
        for (std::size_t r = 0; r < 300; ++r) {
          std::copy(ensemble.base_margin.begin(), ensemble.base_margin.end(), single.begin() + static_cast<std::ptrdiff_t>(r * k));
          riskkit::detail::accumulate_margins(ensemble, rows + r * f.cols, 1, missing, single.data() + r * k, kernel);
        }
        CHECK(max_abs_diff(single, std::vector<float>(oracle.begin(), oracle.begin() + static_cast<std::ptrdiff_t>(300 * k))) == 0.0);
      }
    }
  }
  CHECK(tested >= 4);
}

TEST_CASE("batches of any size give the C API's margins and the single-row walk's bits, at depths 0 to 10") {
  // On AVX-512 a batch walks 16 rows at a time through each tree of the heap layout (nodes
  // of levels 0-5 and leaves up to depth 6 by permutes, deeper ones by gathers), in blocks
  // of up to 128 rows; on AVX2 8 rows (permutes to level 4 and depth 4), in blocks of 32;
  // fewer than 10 rows walk one at a time. Cases: every depth, trees of
  // single leaves, trees of mixed depth in one model, three outputs; NaN and a sentinel;
  // partial vectors and blocks. Oracles: the XGBoost C API (1e-6) and the portable kernel,
  // which the test above holds to PyPI xgboost's margins bit for bit.
  const auto &f = fixtures();
  const TrainingData data;
  using riskkit::detail::TreeKernel;
  const auto kernels = cpu_kernels();
  struct Case {
    int depth;
    const char *objective;
    const std::vector<float> *labels;
    const char *num_class;
    const char *gamma;  // min_split_loss: large values prune trees to mixed depths, or to leaves
  };
  std::vector<Case> cases;
  for (int depth = 1; depth <= 10; ++depth) cases.push_back({depth, "reg:squarederror", &data.regression, "0", "0"});
  cases.push_back({4, "reg:squarederror", &data.regression, "0", "1e9"});
  cases.push_back({7, "reg:squarederror", &data.regression, "0", "20"});
  cases.push_back({6, "multi:softprob", &data.multi, "3", "0"});
  std::vector<float> sentinel_rows = f.matrix;
  for (float &x : sentinel_rows)
    if (std::isnan(x)) x = -999.0f;
  bool single_leaves = false, mixed_depths = false;
  for (const auto &c : cases) {
    CAPTURE(c.depth);
    CAPTURE(c.gamma);
    std::vector<std::pair<std::string, std::string>> params{{"objective", c.objective}, {"max_depth", std::to_string(c.depth)},
                                                            {"eta", "0.3"}, {"seed", "11"}, {"nthread", "1"},
                                                            {"gamma", c.gamma}};
    if (std::string(c.num_class) != "0") params.emplace_back("num_class", c.num_class);
    const auto trained = riskkit::detail::train_xgboost(data.x.data(), c.labels->data(), data.rows, data.cols, params,
                                                         c.depth <= 6 ? 8 : 3);
    const auto reference = riskkit::load_model_from_memory(trained.ubj.data(), trained.ubj.size(), "trained",
                                                           {riskkit::ModelBackend::xgboost_c_api});
    auto ensemble = *riskkit::detail::read_xgboost_model(trained.ubj, "trained");
    riskkit::detail::build_complete_trees(ensemble);
    REQUIRE(!ensemble.complete.empty());
    CHECK(ensemble.heap.empty() == (kernels.size() == 1));
    const auto [shallowest, deepest] = std::minmax_element(ensemble.tree_depth.begin(), ensemble.tree_depth.end());
    single_leaves = single_leaves || *deepest == 0;
    mixed_depths = mixed_depths || *shallowest < *deepest;
    const std::size_t k = ensemble.num_outputs();
    // Margins of rows [0, nrow) in calls of `batch` rows.
    const auto margins = [&](const float *rows, std::size_t nrow, std::size_t batch, float missing, TreeKernel kernel) {
      std::vector<float> out(nrow * k);
      for (std::size_t r = 0; r < nrow; ++r)
        std::copy(ensemble.base_margin.begin(), ensemble.base_margin.end(), out.begin() + static_cast<std::ptrdiff_t>(r * k));
      for (std::size_t begin = 0; begin < nrow; begin += batch)
        riskkit::detail::accumulate_margins(ensemble, rows + begin * f.cols, std::min(batch, nrow - begin), missing,
                                            out.data() + begin * k, kernel);
      return out;
    };
    for (const float missing : {std::numeric_limits<float>::quiet_NaN(), -999.0f}) {
      CAPTURE(missing);
      const float *rows = std::isnan(missing) ? f.matrix.data() : sentinel_rows.data();
      const auto portable = margins(rows, f.rows, f.rows, missing, TreeKernel::portable);
      CHECK(max_abs_diff(portable, predict(*reference, rows, f.rows, PredictOutput::margin, 0, missing)) <= 1e-6);
      for (const TreeKernel kernel : kernels) {
        CAPTURE(static_cast<int>(kernel));
        CHECK(max_abs_diff(margins(rows, f.rows, f.rows, missing, kernel), portable) == 0.0);
        const std::size_t nrow = 700;
        const std::vector<float> head(portable.begin(), portable.begin() + static_cast<std::ptrdiff_t>(nrow * k));
        for (const std::size_t batch : {1, 2, 9, 10, 15, 16, 17, 33, 64, 127, 128, 129, 300}) {
          CAPTURE(batch);
          CHECK(max_abs_diff(margins(rows, nrow, batch, missing, kernel), head) == 0.0);
        }
      }
    }
  }
  CHECK(single_leaves);
  CHECK(mixed_depths);
}

TEST_CASE("TreeSHAP's tables and path algorithm equal XGBoost's pred_contribs at depths 1 to 10") {
  const auto &f = fixtures();
  const TrainingData data;
  for (int depth = 1; depth <= 10; ++depth) {
    CAPTURE(depth);
    const auto trained = riskkit::detail::train_xgboost(
        data.x.data(), data.regression.data(), data.rows, data.cols,
        {{"objective", "reg:squarederror"}, {"max_depth", std::to_string(depth)}, {"eta", "0.3"}, {"seed", "5"},
         {"nthread", "1"}},
        depth <= 6 ? 6 : 3);
    const auto reference = riskkit::load_model_from_memory(trained.ubj.data(), trained.ubj.size(), "trained",
                                                           {riskkit::ModelBackend::xgboost_c_api});
    const auto oracle = contributions(*reference, f.matrix.data(), f.contrib_rows);
    const auto ensemble = *riskkit::detail::read_xgboost_model(trained.ubj, "trained");
    riskkit::detail::TreeShap::Scratch scratch;
    // The packed AVX-512 kernel (where the CPU has it) covers depths up to 6, the portable one all.
    const riskkit::detail::TreeShap tables(ensemble), paths(ensemble, 0);
    const riskkit::detail::TreeShap unpacked(ensemble, riskkit::detail::TreeShap::kMaxTableEntries,
                                             riskkit::detail::TreeKernel::portable);
    CHECK(paths.num_tabulated_trees() == 0);
    if (riskkit::detail::best_tree_kernel() == riskkit::detail::TreeKernel::avx512 && depth <= 6)
      CHECK(tables.num_packed_trees() > 0);
    for (const riskkit::detail::TreeShap *shap : {&tables, &paths, &unpacked}) {
      std::vector<double> ours(oracle.size());
      shap->explain(f.matrix.data(), f.contrib_rows, std::nanf(""), scratch, ours.data());
      CHECK(max_abs_diff(ours, oracle) <= 1e-5);
    }
  }
}

TEST_CASE("TreeSHAP equals XGBoost's pred_contribs on a model of more than 64 columns") {
  // Wide rows: the packed kernel reads them by gathers, trees of more than 16 features use
  // both halves of its accumulators, and their sums go to the model's features in memory.
  constexpr std::size_t kRows = 2000, kCols = 80, kExplained = 200;
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  std::vector<float> x(kRows * kCols), y(kRows);
  for (auto &v : x) v = unit(rng) < 0.05f ? std::nanf("") : normal(rng);
  for (std::size_t r = 0; r < kRows; ++r)
    for (std::size_t j = 0; j < kCols; j += 3) y[r] += std::isnan(x[r * kCols + j]) ? 0.0f : x[r * kCols + j];
  const auto trained = riskkit::detail::train_xgboost(
      x.data(), y.data(), kRows, kCols,
      {{"objective", "reg:squarederror"}, {"max_depth", "5"}, {"eta", "0.3"}, {"seed", "3"}, {"nthread", "1"}}, 4);
  const auto reference = riskkit::load_model_from_memory(trained.ubj.data(), trained.ubj.size(), "wide",
                                                         {riskkit::ModelBackend::xgboost_c_api});
  const auto oracle = contributions(*reference, x.data(), kExplained);
  const auto ensemble = *riskkit::detail::read_xgboost_model(trained.ubj, "wide");
  riskkit::detail::TreeShap::Scratch scratch;
  const riskkit::detail::TreeShap tables(ensemble), paths(ensemble, 0);
  const riskkit::detail::TreeShap unpacked(ensemble, riskkit::detail::TreeShap::kMaxTableEntries,
                                           riskkit::detail::TreeKernel::portable);
  if (riskkit::detail::best_tree_kernel() == riskkit::detail::TreeKernel::avx512)
    CHECK(tables.num_packed_trees() > 0);
  for (const riskkit::detail::TreeShap *shap : {&tables, &paths, &unpacked}) {
    std::vector<double> ours(oracle.size());
    shap->explain(x.data(), kExplained, std::nanf(""), scratch, ours.data());
    CHECK(max_abs_diff(ours, oracle) <= 1e-5);
  }
}

TEST_CASE("logistic regression: hand-computed values, imputation, contributions") {
  const std::string doc = R"({"riskkit_model": "logistic", "format": 1, "intercept": -1.5, "features": [
      {"name": "a", "coefficient": 0.8, "mean": 1.0, "impute": 2.0},
      {"name": "b", "coefficient": -0.5, "mean": 0.0}]})";
  const auto model = riskkit::load_model_from_memory(doc.data(), doc.size(), "logistic.json");
  CHECK(model->kind() == "logistic");
  CHECK(model->feature_names() == std::vector<std::string>{"a", "b"});
  const float rows[] = {2.5f, 1.0f, std::nanf(""), -4.0f, 0.0f, -999.0f};
  const auto margin = predict(*model, rows, 3, PredictOutput::margin);
  CHECK(margin[0] == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(margin[1] == doctest::Approx(2.1).epsilon(1e-12));
  CHECK(margin[2] == doctest::Approx(-1.5 + 0.5 * 999).epsilon(1e-12));
  const auto value = predict(*model, rows, 2, PredictOutput::value);
  CHECK(value[0] == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(value[1] == doctest::Approx(0.8909031788043871).epsilon(1e-12));
  const auto sentinel = predict(*model, rows + 4, 1, PredictOutput::value, 1, -999.0f);
  CHECK(sentinel[0] == doctest::Approx(0.18242552380635635).epsilon(1e-12));
  const auto c = contributions(*model, rows, 1);
  CHECK(c[0] == doctest::Approx(1.2));
  CHECK(c[1] == doctest::Approx(-0.5));
  CHECK(c[2] == doctest::Approx(-0.7));
}

TEST_CASE("scorecard: bins, missing bin, scaling, contributions") {
  const std::string doc = R"({"riskkit_model": "scorecard", "format": 1, "intercept_points": 500,
      "scaling": {"base_points": 600, "base_odds": 50, "pdo": 20},
      "characteristics": [
        {"name": "age", "edges": [25, 40], "points": [10, 30, 50], "missing_points": 5, "expected_points": 32},
        {"name": "income", "edges": [1000.5], "points": [-20, 40], "missing_points": 0, "expected_points": 18}]})";
  const auto model = riskkit::load_model_from_memory(doc.data(), doc.size(), "scorecard.json");
  CHECK(model->kind() == "scorecard");
  const float inf = std::numeric_limits<float>::infinity();
  const float rows[] = {30, 2000, 25, 1000.5f, std::nanf(""), 1000.4f, inf, -inf, 24.999f, -7};
  const auto points = predict(*model, rows, 5, PredictOutput::margin);
  CHECK(points == std::vector<double>{570, 570, 485, 530, 490});
  const auto p_bad = predict(*model, rows, 4, PredictOutput::value);
  CHECK(p_bad[0] == doctest::Approx(0.05353987007917717).epsilon(1e-12));
  CHECK(p_bad[2] == doctest::Approx(0.5183850282233572).epsilon(1e-12));
  CHECK(p_bad[3] == doctest::Approx(0.1845216799954629).epsilon(1e-12));
  CHECK(predict(*model, rows + 8, 1, PredictOutput::margin, 1, -7.0f)[0] == 510);  // -7 as missing: 0 points
  const auto c = contributions(*model, rows, 1);
  CHECK(c == std::vector<double>{-2, 22, 550});
}

namespace {

// Loads `bytes` and returns the Error it throws (fails the test when it loads).
riskkit::Error load_error(const std::string &bytes, const std::string &origin = "model.json",
                          riskkit::ModelBackend backend = riskkit::ModelBackend::native) {
  try {
    riskkit::load_model_from_memory(bytes.data(), bytes.size(), origin, {backend});
  } catch (const riskkit::Error &e) {
    return e;
  }
  FAIL("loaded a malformed model");
  return riskkit::Error(ErrorCode::internal, "");
}

// Expects a load failure with `code` and a message containing each of `parts`.
void expect_error(const std::string &bytes, ErrorCode code, std::initializer_list<std::string> parts,
                  const std::string &origin = "model.json") {
  const riskkit::Error e = load_error(bytes, origin);
  CAPTURE(e.what());
  CHECK(e.code() == code);
  CHECK(std::string(e.what()).rfind(origin + ": ", 0) == 0);
  for (const auto &part : parts) CHECK(std::string(e.what()).find(part) != std::string::npos);
}

Json fixture_model() { return Json::parse(read_bytes(kData + "binary_logistic_d4.json")); }

const std::string kTree0 = "/learner/gradient_booster/model/trees/0/";

// The first internal node of tree 0 whose left child is internal too.
std::size_t internal_parent(const Json &tree) {
  const auto &left = tree["left_children"];
  for (std::size_t i = 0; i < left.size(); ++i)
    if (left[i] != -1 && left[left[i].get<std::size_t>()] != -1) return i;
  FAIL("no suitable node");
  return 0;
}

}  // namespace

TEST_CASE("malformed model files fail with the file, the JSON path and the reason") {
  const Json good = fixture_model();
  const std::string text = good.dump();
  auto mutated = [&](auto &&edit) {
    Json doc = good;
    edit(doc);
    return doc.dump();
  };
  auto tree0 = [](Json &doc) -> Json & { return doc["learner"]["gradient_booster"]["model"]["trees"][0]; };

  SUBCASE("the fixture itself loads") { CHECK(riskkit::load_model_from_memory(text.data(), text.size(), "m")); }
  SUBCASE("truncated JSON and UBJSON") {
    expect_error(text.substr(0, text.size() / 2), ErrorCode::parse, {});
    const std::string ubj = read_bytes(kData + "binary_logistic_d4.ubj");
    expect_error(ubj.substr(0, ubj.size() / 2), ErrorCode::parse, {"UBJSON"}, "model.ubj");
    expect_error("", ErrorCode::parse, {"empty"});
  }
  SUBCASE("wrong magic") {
    expect_error("binf\x01\x02\x03", ErrorCode::parse, {"first byte 0x62"});
    expect_error("PK\x03\x04", ErrorCode::parse, {"not a JSON or UBJSON model"});
  }
  SUBCASE("deep nesting, JSON and UBJSON") {
    expect_error("{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}", ErrorCode::limit_exceeded,
                 {"nesting deeper than 64"});
    std::string ubj = "{i\x01" "a";
    ubj += std::string(100000, '[') + std::string(100000, ']') + "}";
    expect_error(ubj, ErrorCode::limit_exceeded, {"nesting deeper than 64"}, "model.ubj");
  }
  SUBCASE("limits at N and N + 1: nesting 64 / 65, tree depth 256 / 257") {
    // Nesting: an object holding k - 1 nested arrays is k deep.
    const auto nested = [](std::size_t k) {
      return "{\"a\": " + std::string(k - 1, '[') + std::string(k - 1, ']') + "}";
    };
    expect_error(nested(64), ErrorCode::invalid_model, {"\"learner\""});
    expect_error(nested(65), ErrorCode::limit_exceeded, {"nesting deeper than 64"});
    // A one-tree model, the tree a chain: internal node k (k < depth) splits f0 < 0.5, its left child a leaf, its
    // right child the next internal node; the deepest leaf (value 0.25) is `depth` down.
    const auto chain = [&](std::size_t depth) {
      return mutated([&](Json &doc) {
        Json &tree = tree0(doc);
        const std::size_t n = 2 * depth + 1;
        std::vector<long> left(n, -1), right(n, -1), feature(n, 0);
        std::vector<float> condition(n, 0.0f);
        for (std::size_t k = 0; k < depth; ++k) {
          left[k] = static_cast<long>(depth + k);
          right[k] = static_cast<long>(k + 1 < depth ? k + 1 : 2 * depth);
          condition[k] = 0.5f;
        }
        condition[2 * depth] = 0.25f;
        tree["tree_param"]["num_nodes"] = std::to_string(n);
        tree["left_children"] = left;
        tree["right_children"] = right;
        tree["split_indices"] = feature;
        tree["split_conditions"] = condition;
        tree["default_left"] = std::vector<int>(n, 0);
        tree["sum_hessian"] = std::vector<float>(n, 1.0f);
        tree["split_type"] = std::vector<int>(n, 0);
        tree["base_weights"] = std::vector<float>(n, 0.0f);
        tree.erase("categories_nodes");
        Json &gbtree = doc["learner"]["gradient_booster"]["model"];  // only this tree
        gbtree["trees"] = Json::array({tree});
        gbtree["tree_info"] = {0};
        gbtree["gbtree_model_param"]["num_trees"] = "1";
      });
    };
    const std::string deepest = chain(256);
    const auto model = riskkit::load_model_from_memory(deepest.data(), deepest.size(), "model.json");
    std::vector<float> row(model->num_features(), 0.0f);
    const double at_zero = predict(*model, row.data(), 1, PredictOutput::margin)[0];
    row[0] = 1.0f;  // right at every split: the deepest leaf
    const double at_one = predict(*model, row.data(), 1, PredictOutput::margin)[0];
    CHECK(static_cast<float>(at_one) - static_cast<float>(at_zero) == doctest::Approx(0.25).epsilon(1e-6));
    const auto phi = contributions(*model, row.data(), 1);
    double sum = 0;
    for (double v : phi) sum += v;
    CHECK(sum == doctest::Approx(at_one).epsilon(1e-6));
    expect_error(chain(257), ErrorCode::invalid_model, {"tree deeper than 256"});
  }
  SUBCASE("UBJSON counts beyond the file") {
    const std::string huge_count = std::string("{i\x01" "a[#L\x40") + std::string(7, '\0') + "}";
    expect_error(huge_count, ErrorCode::parse, {"count 4611686018427387904 exceeds"}, "model.ubj");
    const std::string typed_nulls = std::string("{i\x01" "a[$Z#L\x40") + std::string(7, '\0') + "}";
    expect_error(typed_nulls, ErrorCode::parse, {"exceeds"}, "model.ubj");
    const std::string long_string = std::string("{i\x01" "aSL\x7f") + std::string(7, '\xff') + "}";
    expect_error(long_string, ErrorCode::parse, {"bytes declared"}, "model.ubj");
  }
  SUBCASE("non-finite thresholds and leaves") {
    Json doc = good;
    tree0(doc)["split_conditions"][0] = std::numeric_limits<double>::quiet_NaN();
    const auto ubj = Json::to_ubjson(doc);
    expect_error(std::string(ubj.begin(), ubj.end()), ErrorCode::invalid_model,
                 {kTree0 + "split_conditions/0", "finite"}, "model.ubj");
    expect_error(mutated([&](Json &d) { tree0(d)["split_conditions"][0] = "Infinity"; }), ErrorCode::invalid_model,
                 {kTree0 + "split_conditions/0"});
    std::string overflow = text;
    const auto at = overflow.find("\"split_conditions\":[") + 20;
    overflow.replace(at, overflow.find(',', at) - at, "1e39");
    expect_error(overflow, ErrorCode::invalid_model, {"split_conditions/0", "overflows float32"});
  }
  SUBCASE("child index out of range, self-loop, cycle, shared child, lone child") {
    expect_error(mutated([&](Json &d) { tree0(d)["left_children"][0] = 99; }), ErrorCode::invalid_model,
                 {kTree0 + "left_children/0", "index 99 out of range"});
    const std::size_t node = internal_parent(good["learner"]["gradient_booster"]["model"]["trees"][0]);
    const std::size_t child = good["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][node];
    expect_error(mutated([&](Json &d) { tree0(d)["left_children"][child] = child; }), ErrorCode::invalid_model,
                 {kTree0 + "left_children/" + std::to_string(child), "its own child"});
    expect_error(mutated([&](Json &d) { tree0(d)["left_children"][child] = 0; }), ErrorCode::invalid_model,
                 {kTree0 + "left_children/" + std::to_string(child), "reached twice"});
    expect_error(mutated([&](Json &d) { tree0(d)["right_children"][node] = child; }), ErrorCode::invalid_model,
                 {kTree0 + "right_children/" + std::to_string(node), "reached twice"});
    expect_error(mutated([&](Json &d) { tree0(d)["right_children"][0] = -1; }), ErrorCode::invalid_model,
                 {"one child only"});
  }
  SUBCASE("split feature beyond num_feature") {
    expect_error(mutated([&](Json &d) { tree0(d)["split_indices"][0] = 20; }), ErrorCode::invalid_model,
                 {kTree0 + "split_indices/0", "split feature 20 >= num_feature 20"});
  }
  SUBCASE("unknown objective and booster") {
    expect_error(mutated([](Json &d) { d["learner"]["objective"]["name"] = "reg:mystery"; }),
                 ErrorCode::invalid_model, {"/learner/objective/name", "unsupported objective \"reg:mystery\""});
    expect_error(mutated([](Json &d) { d["learner"]["gradient_booster"]["name"] = "gblinear"; }),
                 ErrorCode::invalid_model, {"/learner/gradient_booster/name", "gblinear"});
  }
  SUBCASE("array lengths, tree counts and class counts that disagree") {
    expect_error(mutated([&](Json &d) { tree0(d)["split_conditions"].erase(0); }), ErrorCode::invalid_model,
                 {kTree0 + "split_conditions", "differs from tree_param/num_nodes"});
    expect_error(mutated([](Json &d) { d["learner"]["gradient_booster"]["model"]["tree_info"][0] = 1; }),
                 ErrorCode::invalid_model, {"/learner/gradient_booster/model/tree_info/0", "out of range"});
    expect_error(mutated([](Json &d) { d["learner"]["gradient_booster"]["model"]["tree_info"].erase(0); }),
                 ErrorCode::invalid_model, {"tree_info", "differs from the number of trees"});
    expect_error(mutated([](Json &d) { d["learner"]["learner_model_param"]["num_class"] = "3"; }),
                 ErrorCode::invalid_model, {"/learner/learner_model_param/num_class", "does not fit"});
    expect_error(mutated([](Json &d) { d["learner"]["learner_model_param"]["base_score"] = "[0.5,0.5]"; }),
                 ErrorCode::invalid_model, {"base_score", "2 values for 1 outputs"});
    expect_error(mutated([](Json &d) { d["learner"]["learner_model_param"]["base_score"] = "1.5"; }),
                 ErrorCode::invalid_model, {"base_score", "not a valid base_score"});
    expect_error(mutated([](Json &d) { d["learner"]["feature_names"].erase(0); }), ErrorCode::invalid_model,
                 {"/learner/feature_names", "19 names for num_feature 20"});
    expect_error(mutated([](Json &d) { d["learner"].erase("gradient_booster"); }), ErrorCode::invalid_model,
                 {"/learner: missing member \"gradient_booster\""});
  }
  SUBCASE("bad category lists") {
    const Json cat = Json::parse(read_bytes(kData + "categorical_d5.json"));
    auto cat_mutated = [&](auto &&edit) {
      Json doc = cat;
      edit(doc["learner"]["gradient_booster"]["model"]["trees"][0]);
      return doc.dump();
    };
    expect_error(cat_mutated([](Json &t) { t["categories_sizes"][0] = 1000; }), ErrorCode::invalid_model,
                 {kTree0 + "categories_sizes", "out of range"});
    expect_error(cat_mutated([](Json &t) { t["categories"][0] = -1; }), ErrorCode::invalid_model,
                 {kTree0 + "categories/0", "out of range"});
    expect_error(cat_mutated([](Json &t) { t["categories_nodes"][0] = 0; }), ErrorCode::invalid_model,
                 {kTree0 + "categories_nodes/0", "not a categorical split"});
    expect_error(cat_mutated([](Json &t) { t["categories_nodes"].erase(0); }), ErrorCode::invalid_model,
                 {kTree0 + "categories_segments", "differs from categories_nodes"});
  }
  SUBCASE("neither kind of model, or a bad linear model") {
    expect_error(R"({"hello": 1})", ErrorCode::invalid_model, {"neither an XGBoost model"});
    expect_error(R"({"riskkit_model": "forest"})", ErrorCode::invalid_model, {"/riskkit_model", "unknown"});
    expect_error(R"({"riskkit_model": "scorecard", "intercept_points": 0,
        "scaling": {"base_points": 600, "base_odds": 50, "pdo": 20},
        "characteristics": [{"name": "a", "edges": [2, 1], "points": [1, 2, 3], "missing_points": 0,
                             "expected_points": 0}]})",
                 ErrorCode::invalid_model, {"/characteristics/0/edges/1", "increase strictly"});
    expect_error(R"({"riskkit_model": "logistic", "intercept": 0, "features": [{"name": "a", "mean": 0}]})",
                 ErrorCode::invalid_model, {"/features/0: missing member \"coefficient\""});
  }
}

TEST_CASE("io errors name the path; wrong shapes are invalid_argument") {
  try {
    riskkit::load_model("/nonexistent/dir/model.json");
    FAIL("loaded a missing file");
  } catch (const riskkit::Error &e) {
    CHECK(e.code() == ErrorCode::io);
    CHECK(std::string(e.what()).find("/nonexistent/dir/model.json") != std::string::npos);
  }
  const auto model = riskkit::load_model(kData + "regression_d6.json");
  std::vector<float> row(19, 0.0f);
  double out = 0;
  CHECK_THROWS_AS(model->predict(row.data(), 1, 19, {}, &out), riskkit::Error);
  CHECK_THROWS_AS(model->predict(nullptr, 1, 20, {}, &out), riskkit::Error);
}

TEST_CASE("riskkit explain: each row's top contributions by name, as in xgboost's pred_contribs") {
  const std::string cli = std::string(RK_BINARY_DIR) + "/bin/riskkit";
  REQUIRE_MESSAGE(std::filesystem::exists(cli), "build the riskkit CLI first: " << cli);
  const auto &f = fixtures();
  const auto entry = f.index["models"][1];  // regression_d6: one output, names f0..f19
  REQUIRE(entry["name"] == "regression_d6");
  const auto oracle = read_floats(kData + entry["contribs"].get<std::string>());
  const std::size_t rows = 25, top = 3, width = f.cols + 1;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("rk_explain_{}", ::getpid());
  std::filesystem::create_directories(dir);
  {
    // Columns in reverse order, so the CLI must map them by name.
    std::ofstream csv(dir / "x.csv");
    for (std::size_t c = f.cols; c-- > 0;) csv << 'f' << c << (c ? "," : "\n");
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = f.cols; c-- > 0;) {
        const float x = f.matrix[r * f.cols + c];
        csv << (std::isnan(x) ? std::string() : fmt::format("{}", x)) << (c ? "," : "\n");
      }
  }
  const std::string command = fmt::format("\"{}\" explain --model \"{}\" --input \"{}\" --output \"{}\" --top {}", cli,
                                          kData + entry["json"].get<std::string>(), (dir / "x.csv").string(),
                                          (dir / "out.csv").string(), top);
  REQUIRE(std::system(command.c_str()) == 0);
  std::istringstream lines(read_bytes((dir / "out.csv").string()));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "row,class,rank,feature,value,contribution");
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cell;
    std::istringstream fields(line);
    for (std::string c; std::getline(fields, c, ',');) cell.push_back(c);
    if (line.back() == ',') cell.emplace_back();
    REQUIRE(cell.size() == 6);
    const std::size_t row = std::stoul(cell[0]) - 1, rank = std::stoul(cell[2]) - 1;
    CAPTURE(line);
    REQUIRE(row < rows);
    CHECK(cell[1] == "0");
    CHECK(rank == count % top);
    // The oracle's rank-th largest |contribution| of this row.
    const float *phi = &oracle[row * width];
    std::vector<std::size_t> order(f.cols);
    for (std::size_t j = 0; j < f.cols; ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::abs(phi[a]) > std::abs(phi[b]); });
    CHECK(cell[3] == fmt::format("f{}", order[rank]));
    CHECK(std::abs(std::stod(cell[5]) - phi[order[rank]]) <= 1e-5);
    ++count;
  }
  CHECK(count == rows * top);
  std::filesystem::remove_all(dir);
}
