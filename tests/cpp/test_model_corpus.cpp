// The corpus of XGBoost model files the readers must handle:
// - models written by XGBoost 1.7, 2.x and 3.x (tests/data/models/releases/, from
//   make_xgboost_release_fixtures.py), JSON and UBJSON, scored against that release's own
//   predictions and pred_contribs;
// - malformed models (tests/data/models/malformed/, from make_malformed_models.py), each
//   refused with its specific error: the code, the file, the JSON pointer and the problem;
// - every limit of ModelLimits at N (accepted) and N + 1 (refused), in both formats.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/xgboost_json.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

#include "test_files.hpp"

namespace {

using riskkit::ErrorCode;
using riskkit::PredictOutput;
using Json = nlohmann::json;

const std::filesystem::path kModels = std::filesystem::path(RK_TEST_DATA) / "models";

using rk_test::read_bytes;

std::vector<float> read_floats(const std::filesystem::path &path) {  // little-endian float32, as on x86
  const std::string bytes = read_bytes(path);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

double max_abs_diff(const std::vector<double> &ours, const std::vector<float> &oracle) {
  REQUIRE(ours.size() == oracle.size());
  double worst = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const double d = std::abs(ours[i] - static_cast<double>(oracle[i]));
    worst = std::max(worst, std::isnan(d) ? std::numeric_limits<double>::infinity() : d);
  }
  return worst;
}

// The error `load` throws (fails the test when it throws none).
template <typename Load>
riskkit::Error error_of(Load &&load) {
  try {
    load();
  } catch (const riskkit::Error &e) {
    return e;
  }
  FAIL("accepted a model that should be refused");
  return riskkit::Error(ErrorCode::internal, "");
}

}  // namespace

TEST_CASE("models written by XGBoost 1.7, 2.x and 3.x match that release's own outputs") {
  std::vector<std::filesystem::path> releases;
  for (const auto &entry : std::filesystem::directory_iterator(kModels / "releases")) releases.push_back(entry.path());
  std::sort(releases.begin(), releases.end());
  REQUIRE(releases.size() >= 3);
  std::vector<int> majors;
  for (const auto &dir : releases) {
    const Json index = Json::parse(read_bytes(dir / "index.json"));
    const std::string version = index["xgboost_version"];
    majors.push_back(std::stoi(version));
    const std::size_t rows = index["rows"], cols = index["cols"], contrib_rows = index["contrib_rows"];
    REQUIRE(rows >= 10000);
    const auto matrix = read_floats(dir / index["matrix"].get<std::string>());
    REQUIRE(matrix.size() == rows * cols);
    for (const auto &entry : index["models"]) {
      const std::string name = entry["name"];
      const auto value = read_floats(dir / entry["value"].get<std::string>());
      const auto margin = read_floats(dir / entry["margin"].get<std::string>());
      const auto contribs = read_floats(dir / entry["contribs"].get<std::string>());
      for (const char *format : {"json", "ubj"}) {
        CAPTURE(version);
        CAPTURE(name);
        CAPTURE(format);
        const auto model = riskkit::load_model((dir / entry[format].get<std::string>()).string());
        REQUIRE(model->num_features() == cols);
        REQUIRE(model->num_outputs() == entry["num_outputs"].get<std::size_t>());
        CHECK(model->feature_names().size() == cols);
        std::vector<double> out(rows * model->num_outputs());
        model->predict(matrix.data(), rows, cols, {PredictOutput::margin, 1}, out.data());
        CHECK(max_abs_diff(out, margin) <= 1e-6);
        model->predict(matrix.data(), rows, cols, {PredictOutput::value, 1}, out.data());
        CHECK(max_abs_diff(out, value) <= 1e-6);
        std::vector<double> phi(contrib_rows * model->num_outputs() * (cols + 1));
        model->contributions(matrix.data(), contrib_rows, cols, {PredictOutput::margin, 1}, phi.data());
        CHECK(max_abs_diff(phi, contribs) <= 1e-5);
      }
    }
  }
  // One release of each major version the issue names.
  for (const int major : {1, 2, 3}) CHECK(std::count(majors.begin(), majors.end(), major) >= 1);
}

TEST_CASE("each malformed model is refused with its own error: code, file, JSON pointer, problem") {
  const auto dir = kModels / "malformed";
  const Json expected = Json::parse(read_bytes(dir / "expected.json"));
  REQUIRE(expected.size() >= 60);
  std::size_t refused = 0;
  for (const auto &item : expected) {
    const std::string file = item["file"], code = item["code"];
    const std::string path = (dir / file).string();
    CAPTURE(file);
    if (code == "ok") {
      CHECK(riskkit::load_model(path)->num_features() == 3);
      continue;
    }
    const riskkit::Error e = error_of([&] { riskkit::load_model(path); });
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(riskkit::to_string(e.code()) == code);
    CHECK(message.rfind(path + ": ", 0) == 0);
    for (const auto &part : item["contains"]) CHECK(message.find(part.get<std::string>()) != std::string::npos);
    ++refused;
  }
  CHECK(refused >= 50);
}

namespace {

// The valid three-feature corpus model in `format`, after `edit` of its JSON.
template <typename Edit>
std::string corpus_model(const std::string &name, const std::string &format, Edit &&edit) {
  Json doc = Json::parse(read_bytes(kModels / "malformed" / (name + ".json")));
  edit(doc);
  if (format == "json") return doc.dump();
  const auto bytes = Json::to_ubjson(doc, true, true);
  return {bytes.begin(), bytes.end()};
}

std::string corpus_model(const std::string &name, const std::string &format) {
  return corpus_model(name, format, [](Json &) {});
}

// Reads `bytes` with `limits`; returns the Error thrown, or nullopt when it loads.
std::optional<riskkit::Error> read_error(const std::string &bytes, const riskkit::detail::ModelLimits &limits) {
  try {
    const bool xgboost = riskkit::detail::read_xgboost_model(bytes, "m", limits).has_value();
    CHECK(xgboost);
  } catch (const riskkit::Error &e) {
    return e;
  }
  return std::nullopt;
}

// Accepted with `at_n`, refused with `below` (one less) with limit_exceeded and `words`.
void check_limit(const std::string &bytes, riskkit::detail::ModelLimits at_n, riskkit::detail::ModelLimits below,
                 const std::string &words, ErrorCode code = ErrorCode::limit_exceeded) {
  CHECK_FALSE(read_error(bytes, at_n).has_value());
  const auto e = read_error(bytes, below);
  REQUIRE(e.has_value());
  CAPTURE(e->what());
  CHECK(e->code() == code);
  CHECK(std::string(e->what()).find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("limits at N and N + 1, JSON and UBJSON") {
  using riskkit::detail::ModelLimits;
  for (const std::string format : {"json", "ubj"}) {
    CAPTURE(format);
    const std::string binary = corpus_model("valid_binary", format);  // 2 trees of 5 and 3 nodes, depth 2
    const std::string multi = corpus_model("valid_multiclass", format);  // 3 classes
    auto with = [](auto set) {
      ModelLimits l;
      set(l);
      return l;
    };
    SUBCASE("file size") {
      check_limit(binary, with([&](ModelLimits &l) { l.max_bytes = binary.size(); }),
                  with([&](ModelLimits &l) { l.max_bytes = binary.size() - 1; }),
                  "exceeds the limit of " + std::to_string(binary.size() - 1) + " bytes");
    }
    SUBCASE("trees") {
      check_limit(binary, with([](ModelLimits &l) { l.max_trees = 2; }), with([](ModelLimits &l) { l.max_trees = 1; }),
                  "more than 1 trees");
    }
    SUBCASE("nodes per tree") {
      check_limit(binary, with([](ModelLimits &l) { l.max_nodes = 5; }), with([](ModelLimits &l) { l.max_nodes = 4; }),
                  "more than 4 nodes in a tree");
    }
    SUBCASE("tree depth") {
      check_limit(binary, with([](ModelLimits &l) { l.max_depth = 2; }), with([](ModelLimits &l) { l.max_depth = 1; }),
                  "tree deeper than 1", ErrorCode::invalid_model);
    }
    SUBCASE("features") {
      check_limit(binary, with([](ModelLimits &l) { l.max_features = 3; }),
                  with([](ModelLimits &l) { l.max_features = 2; }), "num_feature 3 exceeds the limit of 2");
    }
    SUBCASE("classes") {
      check_limit(multi, with([](ModelLimits &l) { l.max_classes = 3; }), with([](ModelLimits &l) { l.max_classes = 2; }),
                  "num_class 3 exceeds the limit of 2");
    }
    SUBCASE("array length") {
      check_limit(binary, with([](ModelLimits &l) { l.max_array_length = 5; }),
                  with([](ModelLimits &l) { l.max_array_length = 4; }), "more than 4 elements");
    }
    SUBCASE("nesting, with the default limit of 64") {
      // An object holding k - 1 nested arrays is k deep; no "learner", so not an XGBoost model.
      const auto nested = [&](std::size_t k) {
        return corpus_model("valid_binary", format, [&](Json &doc) {
          Json inner = Json::array();
          for (std::size_t i = 2; i < k; ++i) inner = Json::array({inner});
          doc = Json::object({{"a", inner}});
        });
      };
      CHECK_FALSE(riskkit::detail::read_xgboost_model(nested(64), "m").has_value());
      const auto e = read_error(nested(65), ModelLimits{});
      REQUIRE(e.has_value());
      CHECK(e->code() == ErrorCode::limit_exceeded);
      CHECK(std::string(e->what()).find("nesting deeper than 64") != std::string::npos);
    }
    SUBCASE("num_feature, with the default limit of 2^28 - 1") {
      const auto features = [&](long n) {
        return corpus_model("valid_binary", format, [&](Json &doc) {
          doc["learner"]["learner_model_param"]["num_feature"] = std::to_string(n);
          doc["learner"]["feature_names"] = Json::array();
        });
      };
      const auto model = riskkit::detail::read_xgboost_model(features((1L << 28) - 1), "m");
      REQUIRE(model.has_value());
      CHECK(model->num_features == (std::size_t{1} << 28) - 1);
      const auto e = read_error(features(1L << 28), ModelLimits{});
      REQUIRE(e.has_value());
      CHECK(e->code() == ErrorCode::limit_exceeded);
      CHECK(std::string(e->what()).find("num_feature 268435456 exceeds the limit of 268435455") != std::string::npos);
    }
  }
}

TEST_CASE("category bitsets: 2^24 words in a model load, one split more is refused") {
  // A chain of `splits` categorical splits, each listing category 2^24 - 1 (2^19 words).
  const auto chain = [](std::size_t splits) {
    return corpus_model("valid_categorical", "ubj", [&](Json &doc) {
      Json &tree = doc["learner"]["gradient_booster"]["model"]["trees"][0];
      const std::size_t n = 2 * splits + 1;
      std::vector<long> left(n, -1), right(n, -1), nodes, segments;
      for (std::size_t k = 0; k < splits; ++k) {
        left[k] = static_cast<long>(splits + k);
        right[k] = static_cast<long>(k + 1 < splits ? k + 1 : 2 * splits);
        nodes.push_back(static_cast<long>(k));
        segments.push_back(static_cast<long>(k));
      }
      std::vector<int> split_type(n, 0);
      std::fill(split_type.begin(), split_type.begin() + static_cast<std::ptrdiff_t>(splits), 1);
      tree["tree_param"]["num_nodes"] = std::to_string(n);
      tree["left_children"] = left;
      tree["right_children"] = right;
      tree["split_indices"] = std::vector<int>(n, 2);
      tree["split_conditions"] = std::vector<float>(n, 0.5f);
      tree["default_left"] = std::vector<int>(n, 0);
      tree["sum_hessian"] = std::vector<float>(n, 1.0f);
      tree["split_type"] = split_type;
      tree["categories"] = std::vector<long>(splits, (1L << 24) - 1);
      tree["categories_nodes"] = nodes;
      tree["categories_segments"] = segments;
      tree["categories_sizes"] = std::vector<long>(splits, 1);
    });
  };
  const auto model = riskkit::detail::read_xgboost_model(chain(32), "m");
  REQUIRE(model.has_value());
  CHECK(model->category_bits.size() == std::size_t{1} << 24);
  const auto e = read_error(chain(33), riskkit::detail::ModelLimits{});
  REQUIRE(e.has_value());
  CHECK(e->code() == ErrorCode::limit_exceeded);
  CHECK(std::string(e->what()).find("categories_nodes/32: category bitsets larger than 16777216 words") !=
        std::string::npos);
}

TEST_CASE("JSON errors carry line:column and UBJSON errors the byte offset, both with the JSON pointer") {
  const std::string text = "{\n  \"learner\": {\n    \"learner_model_param\": {\"num_feature\": \"x\"}\n  }\n}";
  const auto json_error = error_of([&] { riskkit::detail::read_xgboost_model(text, "m.json"); });
  CHECK(std::string(json_error.what()) ==
        "m.json: line 3, column 44: /learner/learner_model_param/num_feature: expected an integer, got \"x\"");
  Json doc = Json::parse(text);
  const auto encoded = Json::to_ubjson(doc);
  const std::string ubj(encoded.begin(), encoded.end());
  const auto ubj_error = error_of([&] { riskkit::detail::read_xgboost_model(ubj, "m.ubj"); });
  CHECK(std::string(ubj_error.what()).rfind("m.ubj: UBJSON byte ", 0) == 0);
  CHECK(std::string(ubj_error.what()).find(": /learner/learner_model_param/num_feature: expected an integer, got \"x\"") !=
        std::string::npos);
}
