// LightGBM text models: the native evaluator against lightgbm's own predict(raw_score),
// predict() and pred_contrib (committed oracle from PyPI lightgbm 4.7, see
// tests/data/make_lightgbm_fixtures.py), and malformed model files.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/lightgbm_model.hpp"
#include "models/lightgbm_text.hpp"
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

const std::string kData = std::string(RK_TEST_DATA) + "/lightgbm/";
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

using rk_test::read_bytes;

template <typename T>
std::vector<T> read_array(const std::string &path) {  // little-endian, as on x86
  const std::string bytes = read_bytes(path);
  std::vector<T> out(bytes.size() / sizeof(T));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// The largest |a - b|; equal infinities and NaN against NaN count as 0, NaN against a
// number (or opposite infinities) as +inf, so a NaN never hides a difference.
double max_abs_diff(const std::vector<double> &a, const std::vector<double> &b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
    const double diff = std::fabs(a[i] - b[i]);
    worst = std::isnan(diff) ? std::numeric_limits<double>::infinity() : std::max(worst, diff);
  }
  return worst;
}

std::vector<double> predict(const Model &model, const float *rows, std::size_t nrow, PredictOutput output,
                            float missing = std::numeric_limits<float>::quiet_NaN()) {
  std::vector<double> out(nrow * model.num_outputs());
  model.predict(rows, nrow, model.num_features(), PredictOptions{output, 1, missing}, out.data());
  return out;
}

std::vector<double> contributions(const Model &model, const float *rows, std::size_t nrow) {
  std::vector<double> out(nrow * model.num_outputs() * (model.num_features() + 1));
  model.contributions(rows, nrow, model.num_features(), PredictOptions{PredictOutput::margin, 1}, out.data());
  return out;
}

// The error message of loading `text`, with `code`.
std::string load_error(const std::string &text, ErrorCode code = ErrorCode::invalid_model) {
  try {
    riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  } catch (const riskkit::Error &e) {
    CHECK(e.code() == code);
    return e.what();
  }
  FAIL("loaded: " << text.substr(0, 200));
  return {};
}

// A two-leaf stump on feature 0 with threshold 0.5 and the given decision_type.
std::string stump(const std::string &decision_type = "2", const std::string &threshold = "0.5",
                  const std::string &extra_tree_lines = "") {
  return "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=1\n"
         "objective=regression\nfeature_names=a b\n\nTree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=0\n"
         "split_gain=1\nthreshold=" + threshold + "\ndecision_type=" + decision_type +
         "\nleft_child=-1\nright_child=-2\nleaf_value=-1 2\nleaf_weight=1 1\nleaf_count=3 5\n"
         "internal_value=0\ninternal_weight=2\ninternal_count=8\n" + extra_tree_lines +
         "is_linear=0\nshrinkage=1\n\n\nend of trees\n";
}

std::string replace(std::string text, const std::string &from, const std::string &to) {
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("native LightGBM models match lightgbm 4.7's raw scores, values and pred_contrib (committed oracle)") {
  const Json index = Json::parse(read_bytes(kData + "index.json"));
  const std::size_t rows = index["rows"], cols = index["cols"], contrib_rows = index["contrib_rows"];
  const auto matrix = read_array<float>(kData + index["matrix"].get<std::string>());
  REQUIRE(matrix.size() == rows * cols);
  for (const Json &entry : index["models"]) {
    const std::string name = entry["name"];
    CAPTURE(name);
    const auto model = riskkit::load_model(kData + entry["model"].get<std::string>());
    CHECK(model->kind() == "lightgbm");
    REQUIRE(model->num_features() == cols);
    REQUIRE(model->num_outputs() == entry["num_outputs"].get<std::size_t>());
    const auto margin = predict(*model, matrix.data(), rows, PredictOutput::margin);
    const auto value = predict(*model, matrix.data(), rows, PredictOutput::value);
    const double margin_diff = max_abs_diff(margin, read_array<double>(kData + entry["margin"].get<std::string>()));
    const double value_diff = max_abs_diff(value, read_array<double>(kData + entry["value"].get<std::string>()));
    CHECK(margin_diff <= 1e-6);
    CHECK(value_diff <= 1e-6);
    if (entry["contribs"].is_null()) {  // linear trees: LightGBM's pred_contrib refuses them, so does riskkit
      CHECK_THROWS_WITH_AS(contributions(*model, matrix.data(), contrib_rows),
                           doctest::Contains("linear trees (linear_tree=true) have no TreeSHAP contributions"),
                           riskkit::Error);
      MESSAGE(name << ": margin " << margin_diff << ", value " << value_diff << ", contributions refused");
      continue;
    }
    const auto expected = read_array<double>(kData + entry["contribs"].get<std::string>());
    const auto contribs = contributions(*model, matrix.data(), contrib_rows);
    const double contrib_diff = max_abs_diff(contribs, expected);
    CHECK(contrib_diff <= 1e-5);
    MESSAGE(name << ": margin " << margin_diff << ", value " << value_diff << ", contributions " << contrib_diff);
  }
}

TEST_CASE("the AVX-512 batch kernel gives the portable walk's margins bit for bit, at any batch size") {
  // Numeric models without linear trees or zero-band splits score batches of 16 rows or more
  // 16 rows per vector through each tree (where the CPU has AVX-512); the portable walk,
  // held to lightgbm's own scores above, is the oracle. NaN and a sentinel; partial vectors.
  using riskkit::detail::TreeKernel;
  if (!riskkit::detail::cpu_runs(TreeKernel::avx512)) return;
  const Json index = Json::parse(read_bytes(kData + "index.json"));
  const std::size_t rows = index["rows"], cols = index["cols"];
  const auto matrix = read_array<float>(kData + index["matrix"].get<std::string>());
  std::vector<float> sentinel_rows = matrix;
  for (float &x : sentinel_rows)
    if (std::isnan(x)) x = -999.0f;
  std::size_t vectorised = 0;
  for (const Json &entry : index["models"]) {
    const std::string name = entry["name"];
    CAPTURE(name);
    const std::string text = read_bytes(kData + entry["model"].get<std::string>());
    const riskkit::detail::LightGbmModel portable(riskkit::detail::read_lightgbm_text(text, name), TreeKernel::portable);
    const riskkit::detail::LightGbmModel vector(riskkit::detail::read_lightgbm_text(text, name), TreeKernel::avx512);
    CHECK(!portable.vector_batches());
    const auto &trees = vector.model().trees;
    CHECK(vector.vector_batches() == (vector.model().linear.empty() && !trees.has_categorical && !trees.has_zero_missing));
    vectorised += vector.vector_batches();
    for (const float missing : {kNaN, -999.0f}) {
      CAPTURE(missing);
      const float *data = std::isnan(missing) ? matrix.data() : sentinel_rows.data();
      const auto want = predict(portable, data, rows, PredictOutput::margin, missing);
      for (const std::size_t batch : {1, 15, 16, 17, 63, 64, 65, 200, 4000}) {
        CAPTURE(batch);
        std::vector<double> got;
        for (std::size_t begin = 0; begin < rows; begin += batch) {
          const auto part = predict(vector, data + begin * cols, std::min(batch, rows - begin), PredictOutput::margin, missing);
          got.insert(got.end(), part.begin(), part.end());
        }
        CHECK(std::memcmp(got.data(), want.data(), want.size() * sizeof(double)) == 0);
      }
    }
  }
  CHECK(vectorised >= 6);
}

TEST_CASE("LightGBM linear trees: const + coeff * x, the plain leaf value when a feature is missing") {
  // Leaf 0 (x0 <= 0.5): 1 + 2 * x1 - 0.5 * x0; leaf 1: 3 (no terms); fallback values -1 and 2.
  const std::string linear = replace(stump("2", "0.5",
                                           "leaf_const=1 3\nnum_features=2 0\nleaf_features=1 0  \n"
                                           "leaf_coeff=2 -0.5  \n"),
                                     "is_linear=0", "is_linear=1");
  const auto model = riskkit::load_model_from_memory(linear.data(), linear.size(), "model.txt");
  const std::vector<float> rows = {0.0f, 4.0f,  -2.0f, 0.25f, 0.0f, kNaN, 1.0f, kNaN,
                                   1e-36f, 1e-36f, 0.0f, -7.0f, 0.5f, 1e-30f};
  // The third row (x1 NaN) takes leaf 0's plain value -1; the zero band reads 1e-36 as 0.
  CHECK(predict(*model, rows.data(), 7, PredictOutput::margin) ==
        std::vector<double>{9, 2.5, -1, 3, 1, 1 + 2 * -7.0, 1 + 2 * static_cast<double>(1e-30f) - 0.25});
  // A caller's sentinel is missing for the leaf models too.
  CHECK(predict(*model, rows.data(), 7, PredictOutput::margin, -7.0f)[5] == -1);
  CHECK_THROWS_AS(contributions(*model, rows.data(), 1), riskkit::Error);
}

TEST_CASE("LightGBM routing: <= goes left, missing types, the zero band, categories") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto run = [](const std::string &text, std::vector<float> xs, float missing = kNaN) {
    const auto model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
    std::vector<float> rows;
    for (float x : xs) rows.insert(rows.end(), {x, 0.0f});
    return predict(*model, rows.data(), xs.size(), PredictOutput::margin, missing);
  };
  // decision_type 2 = numeric, default left, MissingType::None: NaN reads as 0 (goes left).
  CHECK(run(stump("2"), {0.5f, std::nextafter(0.5f, 1.0f), nan, -1e30f}) == std::vector<double>{-1, 2, -1, -1});
  // MissingType::None with 0 on the right: NaN follows 0, default_left is ignored.
  CHECK(run(stump("2", "-0.25"), {nan, -0.25f, 0.0f}) == std::vector<double>{2, -1, 2});
  // MissingType::NaN (8) default right; 10 default left. The sentinel is NaN.
  CHECK(run(stump("8"), {nan, 0.0f, -7.0f}, -7.0f) == std::vector<double>{2, -1, 2});
  CHECK(run(stump("10", "-1"), {nan, 0.0f}) == std::vector<double>{-1, 2});
  // MissingType::Zero (4 = default right): 0, NaN and |x| <= 1e-35 are missing.
  CHECK(run(stump("4"), {0.0f, nan, 1e-36f, -1e-35f, 1e-30f, 0.7f}) == std::vector<double>{2, 2, 2, 2, -1, 2});
  // The zero band: LightGBM reads |x| <= 1e-35 as 0 before any split.
  CHECK(run(stump("8", "-1.0000000180025095e-35"), {-1e-35f, -2e-35f, 1e-36f}) == std::vector<double>{2, -1, 2});
  // Categorical (1): categories 1 and 3 (bitset 10) go left; (-1, 0) truncates to 0; NaN right.
  const std::string cat = replace(stump("1", "0", "cat_boundaries=0 1\ncat_threshold=10\n"), "num_cat=0", "num_cat=1");
  CHECK(run(cat, {1.0f, 3.9f, 0.0f, -0.5f, 2.0f, -1.0f, nan, 33.0f, 1e9f}) ==
        std::vector<double>{-1, -1, 2, 2, 2, 2, 2, 2, 2});
  const std::string cat0 = replace(cat, "cat_threshold=10", "cat_threshold=1");
  CHECK(run(cat0, {-0.5f, 0.0f, -1.0f, nan}) == std::vector<double>{-1, -1, 2, 2});
}

TEST_CASE("the LightGBM reader reads thresholds beyond float32 and single-leaf trees") {
  const float inf = std::numeric_limits<float>::infinity();
  auto text = stump("2", "1.0000000000000001e+300");
  auto model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  std::vector<float> rows = {3e38f, 0, inf, 0};
  CHECK(predict(*model, rows.data(), 2, PredictOutput::margin) == std::vector<double>{-1, 2});
  // A threshold of +inf (LightGBM writes "inf") sends every value left, +inf included;
  // NaN follows default_left (decision_type 10) or default right (8).
  rows = {inf, 0, -inf, 0, kNaN, 0};
  text = stump("8", "inf");
  model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  CHECK(predict(*model, rows.data(), 3, PredictOutput::margin) == std::vector<double>{-1, -1, 2});
  text = stump("10", "inf");
  model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  CHECK(predict(*model, rows.data(), 3, PredictOutput::margin) == std::vector<double>{-1, -1, -1});
  text = stump("4", "inf");  // MissingType::Zero, default right: 0 and NaN are missing
  model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  rows = {inf, 0, 0, 0, kNaN, 0};
  CHECK(predict(*model, rows.data(), 3, PredictOutput::margin) == std::vector<double>{-1, 2, 2});
  text = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=0\n"
         "objective=binary sigmoid:2\n\nTree=0\nnum_leaves=1\nnum_cat=0\nsplit_feature=\nsplit_gain=\nthreshold=\n"
         "decision_type=\nleft_child=\nright_child=\nleaf_value=0.25\nleaf_weight=1\nleaf_count=4\ninternal_value=\n"
         "internal_weight=\ninternal_count=\nis_linear=0\nshrinkage=1\n\n\nend of trees\n\nparameters:\n";
  model = riskkit::load_model_from_memory(text.data(), text.size(), "model.txt");
  rows = {1.0f};
  CHECK(predict(*model, rows.data(), 1, PredictOutput::margin)[0] == 0.25);
  CHECK(predict(*model, rows.data(), 1, PredictOutput::value)[0] == doctest::Approx(1.0 / (1.0 + std::exp(-0.5))));
  const auto contribs = contributions(*model, rows.data(), 1);
  CHECK(contribs == std::vector<double>{0.0, 0.25});
}

TEST_CASE("malformed LightGBM models fail with file:line and the reason") {
  const std::string good = stump();
  const auto check = [&](const std::string &text, const std::string &expected, ErrorCode code = ErrorCode::invalid_model) {
    const std::string message = load_error(text, code);
    CHECK_MESSAGE(message.find(expected) != std::string::npos, message);
  };
  check(replace(good, "left_child=-1", "left_child=-3"), "model.txt:17: Tree=0: left_child: element 0: -3 out of range [-2, 0]");
  check(replace(good, "right_child=-2", "right_child=0"), "model.txt:18: Tree=0: right_child: element 0: node 0 is its own child");
  check(replace(good, "right_child=-2", "right_child=-1"), "right_child: element 0: child -1 is reached twice");
  check(replace(good, "split_feature=0", "split_feature=2"), "model.txt:13: Tree=0: split_feature: element 0: 2 out of range [0, 1]");
  check(replace(good, "leaf_value=-1 2", "leaf_value=-1"), "model.txt:19: Tree=0: leaf_value: 1 elements, expected 2");
  check(replace(good, "leaf_value=-1 2", "leaf_value=-1 x"), "leaf_value: element 1: expected a number, got \"x\"");
  check(replace(good, "leaf_value=-1 2", "leaf_value=-1 nan"), "leaf_value: element 1: leaf value nan is not finite");
  check(replace(good, "threshold=0.5", "threshold=nan"), "threshold: element 0: threshold nan is not a number");
  check(replace(good, "decision_type=2", "decision_type=12"), "decision_type: element 0: missing type 3 is undefined");
  check(replace(good, "objective=regression", "objective=lambdamart"), "model.txt:7: header: objective: unsupported objective \"lambdamart\"");
  check(replace(good, "num_class=1", "num_class=3"), "num_tree_per_iteration: 1 trees per iteration for num_class 3");
  check(replace(good, "feature_names=a b", "feature_names=a"), "feature_names: 1 names for max_feature_idx 1");
  check(replace(good, "is_linear=0", "is_linear=2"), "model.txt:25: Tree=0: is_linear: 2 out of range [0, 1]");
  // Linear trees: each array of the leaf models checked for length, range and finiteness.
  const std::string linear = replace(stump("2", "0.5", "leaf_const=1 3\nnum_features=2 0\nleaf_features=1 0  \n"
                                                       "leaf_coeff=2 -0.5  \n"),
                                     "is_linear=0", "is_linear=1");
  check(replace(linear, "leaf_const=1 3\n", ""), "model.txt:10: Tree=0: missing \"leaf_const=\"");
  check(replace(linear, "leaf_const=1 3", "leaf_const=1"), "model.txt:25: Tree=0: leaf_const: 1 elements, expected 2");
  check(replace(linear, "leaf_const=1 3", "leaf_const=1 inf"), "leaf_const: element 1: constant inf is not finite");
  check(replace(linear, "num_features=2 0", "num_features=2 3"), "num_features: element 1: 3 out of range [0, 2]");
  check(replace(linear, "num_features=2 0", "num_features=2 -1"), "num_features: element 1: -1 out of range [0, 2]");
  check(replace(linear, "num_features=2 0", "num_features=2 1"), "leaf_features: 2 elements, expected 3");
  check(replace(linear, "leaf_features=1 0", "leaf_features=1 2"), "leaf_features: element 1: 2 out of range [0, 1]");
  check(replace(linear, "leaf_coeff=2 -0.5", "leaf_coeff=2"), "model.txt:28: Tree=0: leaf_coeff: 1 elements, expected 2");
  check(replace(linear, "leaf_coeff=2 -0.5", "leaf_coeff=2 nan"), "leaf_coeff: element 1: coefficient nan is not finite");
  check(replace(linear, "leaf_coeff=2 -0.5", "leaf_coeff=2 x"), "leaf_coeff: element 1: expected a number, got \"x\"");
  // More header and tree problems.
  check(replace(good, "objective=regression", "objective=binary sigmoid:-1"), "objective parameter \"sigmoid:-1\"");
  check(replace(good, "objective=regression", "objective=multiclassova num_class:2"),
        "objective \"multiclassova num_class:2\" does not fit num_class 1");
  check(replace(good, "max_feature_idx=1", "max_feature_idx=x"), "model.txt:6: header: max_feature_idx: expected an integer");
  check(replace(good, "num_leaves=2", "num_leaves=0"), "num_leaves: 0 out of range [1, 131072]");
  check(replace(good, "leaf_count=3 5", "leaf_count=3 -5"), "leaf_count: element 1: -5 out of range");
  check(replace(good, "decision_type=2", "decision_type=16"), "decision_type: element 0: 16 out of range [0, 15]");
  check(replace(good, "Tree=0", "Tree=1"), "model.txt:10: \"Tree=1\" out of order, expected \"Tree=0\"");
  check(replace(good, "version=v4", "version=v9"), "unsupported version \"v9\"");
  check(replace(good, "\nend of trees\n", "\n"), "truncated: no \"end of trees\" line");
  check(replace(good, "num_leaves=2", "num_leaves=2\nnum_leaves=2"), "\"num_leaves\" repeats line 11");
  check(replace(good, "internal_count=8\n", ""), "model.txt:10: Tree=0: missing \"internal_count=\"");
  // A cycle: node 1's child is node 0 (the root), in a three-leaf tree.
  std::string three = replace(good, "num_leaves=2", "num_leaves=3");
  three = replace(three, "split_feature=0", "split_feature=0 1");
  three = replace(three, "threshold=0.5", "threshold=0.5 0.5");
  three = replace(three, "decision_type=2", "decision_type=2 2");
  three = replace(three, "leaf_value=-1 2", "leaf_value=-1 2 3");
  three = replace(three, "leaf_count=3 5", "leaf_count=3 5 1");
  three = replace(three, "internal_count=8", "internal_count=9 6");
  check(replace(replace(three, "left_child=-1", "left_child=-1 0"), "right_child=-2", "right_child=1 -2"),
        "left_child: element 1: child 0 is reached twice");
  check(replace(replace(three, "left_child=-1", "left_child=-1 -3"), "right_child=-2", "right_child=-2 -1"),
        "model.txt:10: Tree=0: internal node 1 is not reachable from the root");
  // Category bitsets: out of bounds, and a split naming a bitset that does not exist.
  const std::string cat = replace(stump("1", "0", "cat_boundaries=0 1\ncat_threshold=10\n"), "num_cat=0", "num_cat=1");
  check(replace(cat, "cat_boundaries=0 1", "cat_boundaries=0 2"), "cat_boundaries: element 1: 2 out of range [0, 1]");
  check(replace(cat, "threshold=0\n", "threshold=1\n"), "threshold: element 0: categorical split refers to bitset 1 of num_cat 1");
  check(replace(cat, "cat_threshold=10", "cat_threshold=10 3"), "the last boundary 1 differs from the 2 words of cat_threshold");
  check("tree\n", "truncated");
  check("tree\nversion=v4\nend of trees\n", "model.txt:1: header: missing \"max_feature_idx=\"");
}

TEST_CASE("LightGBM trees deeper than the limit are refused; the xgboost_c_api backend refuses LightGBM") {
  const std::string good = stump();
  riskkit::ModelLoadOptions options;
  options.backend = riskkit::ModelBackend::xgboost_c_api;
  CHECK_THROWS_AS(riskkit::load_model_from_memory(good.data(), good.size(), "m", options), riskkit::Error);
  // A chain of 257 splits: each internal node i has leaf i on the left and node i + 1 on the right.
  const auto chain = [](std::size_t depth) {
    std::string features, thresholds, decisions, lefts, rights, values, counts, internal;
    for (std::size_t i = 0; i < depth; ++i) {
      features += "0 ";
      thresholds += "0.5 ";
      decisions += "2 ";
      lefts += std::to_string(-static_cast<long>(i) - 1) + " ";
      rights += (i + 1 < depth ? std::to_string(i + 1) : std::to_string(-static_cast<long>(depth) - 1)) + " ";
      internal += std::to_string(depth + 1 - i) + " ";
    }
    for (std::size_t i = 0; i <= depth; ++i) {
      values += "1 ";
      counts += "1 ";
    }
    const auto trim = [](std::string s) { return s.substr(0, s.size() - 1); };
    return "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=0\nobjective=regression\n\n"
           "Tree=0\nnum_leaves=" + std::to_string(depth + 1) + "\nnum_cat=0\nsplit_feature=" + trim(features) +
           "\nthreshold=" + trim(thresholds) + "\ndecision_type=" + trim(decisions) + "\nleft_child=" + trim(lefts) +
           "\nright_child=" + trim(rights) + "\nleaf_value=" + trim(values) + "\nleaf_count=" + trim(counts) +
           "\ninternal_count=" + trim(internal) + "\nis_linear=0\nshrinkage=1\n\nend of trees\n";
  };
  const std::string ok = chain(riskkit::detail::kMaxTreeDepth);
  CHECK_NOTHROW(riskkit::load_model_from_memory(ok.data(), ok.size(), "m"));
  CHECK(load_error(chain(riskkit::detail::kMaxTreeDepth + 1), ErrorCode::limit_exceeded).find("deeper than 256") !=
        std::string::npos);
}
