#include "models/lightgbm_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "models/lightgbm_sections.hpp"
#include "models/xgboost_json.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// Categories are compared as float32, exact up to 2^24: bitsets may not reach beyond.
constexpr std::int64_t kMaxCategoryWords = (std::int64_t{1} << 24) / 32;
constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// LightGBM's decision_type bits.
constexpr std::int64_t kCategoricalBit = 1, kDefaultLeftBit = 2;
enum MissingType : std::int64_t { kMissingNone = 0, kMissingZero = 1, kMissingNaN = 2 };

// The float32 threshold t' with `x < t'` ⇔ LightGBM's `0-band(x) <= t` for every float32 x,
// where LightGBM's dense reader has already replaced x with 0 when |x| <= 1e-35.
float float_threshold(double t) {
  constexpr double band = kLightGBMZero;
  constexpr float inf = std::numeric_limits<float>::infinity();
  if (t >= -band && t < band) return t >= 0 ? std::nextafter(kLightGBMZero, inf) : -kLightGBMZero;
  if (t >= static_cast<double>(std::numeric_limits<float>::max())) return inf;
  if (t < -static_cast<double>(std::numeric_limits<float>::max())) return -std::numeric_limits<float>::max();
  float lower = static_cast<float>(t);  // nearest; step down to the largest float <= t
  if (static_cast<double>(lower) > t) lower = std::nextafter(lower, -inf);
  return std::nextafter(lower, inf);
}

// The arrays of one tree as stored in the file, checked for length and range.
struct RawTree {
  const LightGbmSection *section = nullptr;
  std::size_t leaves = 0;
  std::vector<std::int64_t> feature, decision, left, right, leaf_count, internal_count, cat_boundaries, cat_words;
  std::vector<double> threshold, leaf_value;
  // A linear tree's leaf models: leaf l has terms [term_begin[l], term_begin[l + 1]).
  bool linear = false;
  std::vector<double> leaf_const, leaf_coeff;
  std::vector<std::int64_t> leaf_features;
  std::vector<std::size_t> term_begin;
};

// The `leaf_const`, `num_features`, `leaf_features` and `leaf_coeff` lines of a linear
// tree (LightGBM's Tree::ToString writes each leaf's list followed by an extra blank).
void read_linear_leaves(const LightGbmSection &tree, std::size_t max_feature, RawTree &raw) {
  const std::size_t n = raw.leaves;
  raw.linear = true;
  raw.leaf_const = tree.doubles("leaf_const", n);
  const auto counts = tree.integers("num_features", n, 0, static_cast<std::int64_t>(max_feature) + 1);
  raw.term_begin.assign(1, 0);
  for (const std::int64_t count : counts) raw.term_begin.push_back(raw.term_begin.back() + static_cast<std::size_t>(count));
  const std::size_t terms = raw.term_begin.back();
  raw.leaf_features = tree.integers("leaf_features", terms, 0, static_cast<std::int64_t>(max_feature));
  raw.leaf_coeff = tree.doubles("leaf_coeff", terms);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(raw.leaf_const[i]))
      tree.at("leaf_const").fail(fmt::format("element {}: constant {} is not finite", i, raw.leaf_const[i]));
  for (std::size_t i = 0; i < terms; ++i)
    if (!std::isfinite(raw.leaf_coeff[i]))
      tree.at("leaf_coeff").fail(fmt::format("element {}: coefficient {} is not finite", i, raw.leaf_coeff[i]));
}

RawTree read_raw_tree(const LightGbmSection &tree, std::size_t max_feature) {
  RawTree raw;
  raw.section = &tree;
  raw.leaves = static_cast<std::size_t>(tree.at("num_leaves").integer(1, kMaxLightGbmLeaves));
  const std::size_t n = raw.leaves, inner = n - 1;
  const auto node_range = static_cast<std::int64_t>(n);
  raw.feature = tree.integers("split_feature", inner, 0, static_cast<std::int64_t>(max_feature));
  raw.decision = tree.integers("decision_type", inner, 0, 15);
  raw.left = tree.integers("left_child", inner, -node_range, node_range - 2);
  raw.right = tree.integers("right_child", inner, -node_range, node_range - 2);
  raw.threshold = tree.doubles("threshold", inner);
  raw.leaf_value = tree.doubles("leaf_value", n);
  raw.leaf_count = tree.integers("leaf_count", n, 0, kMaxInt32);
  raw.internal_count = tree.integers("internal_count", inner, 0, kMaxInt32);
  if (const auto *linear = tree.find("is_linear"); linear && linear->integer(0, 1) != 0)
    read_linear_leaves(tree, max_feature, raw);
  if (const auto *shrinkage = tree.find("shrinkage")) shrinkage->number();
  const auto num_cat = static_cast<std::size_t>(tree.at("num_cat").integer(0, node_range));
  if (num_cat > 0) {
    raw.cat_words = tree.integers("cat_threshold", std::nullopt, 0, std::numeric_limits<std::uint32_t>::max());
    raw.cat_boundaries = tree.integers("cat_boundaries", num_cat + 1, 0, static_cast<std::int64_t>(raw.cat_words.size()));
    const LightGbmLine &bounds = tree.at("cat_boundaries");
    if (raw.cat_boundaries.front() != 0) bounds.fail("the first boundary must be 0");
    if (raw.cat_boundaries.back() != static_cast<std::int64_t>(raw.cat_words.size()))
      bounds.fail(fmt::format("the last boundary {} differs from the {} words of cat_threshold",
                              raw.cat_boundaries.back(), raw.cat_words.size()));
    for (std::size_t i = 0; i < num_cat; ++i)
      if (raw.cat_boundaries[i + 1] < raw.cat_boundaries[i] ||
          raw.cat_boundaries[i + 1] - raw.cat_boundaries[i] > kMaxCategoryWords)
        bounds.fail(fmt::format("bitset {} spans [{}, {}): decreasing or longer than {} words", i,
                                raw.cat_boundaries[i], raw.cat_boundaries[i + 1], kMaxCategoryWords));
  }
  for (std::size_t i = 0; i < inner; ++i) {
    const auto missing = (raw.decision[i] >> 2) & 3;
    if (missing == 3) tree.at("decision_type").fail(fmt::format("element {}: missing type 3 is undefined", i));
    const double t = raw.threshold[i];
    if (raw.decision[i] & kCategoricalBit) {
      if (t != std::floor(t) || t < 0 || t >= static_cast<double>(num_cat))
        tree.at("threshold").fail(fmt::format("element {}: categorical split refers to bitset {} of num_cat {}", i, t, num_cat));
    } else if (std::isnan(t)) {
      tree.at("threshold").fail(fmt::format("element {}: threshold {} is not a number", i, t));
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(raw.leaf_value[i]))
      tree.at("leaf_value").fail(fmt::format("element {}: leaf value {} is not finite", i, raw.leaf_value[i]));
  return raw;
}

// Whether node `i` puts LightGBM's right child in slot L (`left`) and its left child in
// slot L + 1. Categorical splits do: a listed category is LightGBM's left, XGBoost's right.
// So do numeric splits at +inf, which send every value but a missing one left: no float32
// t' has x < t' for x = +inf, but "x < NaN is false" sends every value to slot L + 1.
bool swaps_children(const RawTree &raw, std::size_t i) {
  return (raw.decision[i] & kCategoricalBit) || raw.threshold[i] == std::numeric_limits<double>::infinity();
}

// The native node for LightGBM internal node `i` whose slot-L child is at `left`.
TreeNode internal_node(const RawTree &raw, std::size_t i, std::uint32_t left, TreeEnsemble &model) {
  TreeNode node;
  node.left = left;
  node.split = static_cast<std::uint32_t>(raw.feature[i]);
  const std::int64_t decision = raw.decision[i];
  if (decision & kCategoricalBit) {
    // Slot L is LightGBM's right child: unlisted categories, negatives and NaN go there.
    node.threshold = 0.0f;
    node.split |= TreeNode::kCategorical | TreeNode::kLightGBMRule | TreeNode::kDefaultLeft;
    const auto set = static_cast<std::size_t>(raw.threshold[i]);
    const auto first = raw.cat_words.begin() + raw.cat_boundaries[set];
    const auto last = raw.cat_words.begin() + raw.cat_boundaries[set + 1];
    node.category_set = static_cast<std::uint32_t>(model.category_sets.size());
    model.category_sets.push_back({static_cast<std::uint32_t>(model.category_bits.size()),
                                   static_cast<std::uint32_t>(last - first)});
    for (auto word = first; word != last; ++word) model.category_bits.push_back(static_cast<std::uint32_t>(*word));
    model.has_categorical = true;
    return node;
  }
  const bool swapped = swaps_children(raw, i);
  node.threshold = swapped ? std::numeric_limits<float>::quiet_NaN() : float_threshold(raw.threshold[i]);
  const auto missing = (decision >> 2) & 3;
  // MissingType::None reads NaN as 0: it follows 0's direction (slot L + 1 when swapped).
  const bool default_left = missing == kMissingNone ? 0.0f < node.threshold
                                                    : ((decision & kDefaultLeftBit) != 0) != swapped;
  if (default_left) node.split |= TreeNode::kDefaultLeft;
  if (missing == kMissingZero) {
    node.split |= TreeNode::kLightGBMRule;
    model.has_zero_missing = true;
  }
  return node;
}

// Validates the structure of one tree and appends it to `model` in breadth-first order
// with siblings adjacent. Ids: internal node i is i, leaf l is (leaves - 1) + l. Returns
// the ids in the order their nodes were appended.
std::vector<std::size_t> append_tree(const RawTree &raw, TreeEnsemble &model) {
  const std::size_t inner = raw.leaves - 1, total = 2 * raw.leaves - 1;
  const auto id_of = [&](std::int64_t child) {
    return child >= 0 ? static_cast<std::size_t>(child) : inner + static_cast<std::size_t>(~child);
  };
  const LightGbmSection &section = *raw.section;
  std::vector<std::size_t> order{0};  // the root: internal node 0, or leaf 0 of a one-leaf tree
  std::vector<std::uint32_t> depth(total, 0);
  std::vector<bool> reached(total, false);
  std::uint32_t tree_depth = 0;
  reached[order[0]] = true;
  order.reserve(total);
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const std::size_t id = order[pos];
    if (id >= inner) {  // a leaf
      TreeNode leaf;
      leaf.threshold = std::numeric_limits<float>::quiet_NaN();
      leaf.split = TreeNode::kLeaf;
      leaf.left = static_cast<std::uint32_t>(pos) - 1u;  // steps to itself (wraps for a root leaf)
      const double value = raw.leaf_value[id - inner];
      leaf.leaf_value = static_cast<float>(value);
      model.nodes.push_back(leaf);
      model.leaf_values.push_back(value);
      model.cover.push_back(static_cast<double>(raw.leaf_count[id - inner]));
      tree_depth = std::max(tree_depth, depth[id]);
      continue;
    }
    const bool swapped = swaps_children(raw, id);
    const std::int64_t first = swapped ? raw.right[id] : raw.left[id];
    const std::int64_t second = swapped ? raw.left[id] : raw.right[id];
    for (const auto &[key, child] : {std::pair{swapped ? "right_child" : "left_child", first},
                                     std::pair{swapped ? "left_child" : "right_child", second}}) {
      const std::size_t child_id = id_of(child);
      if (child_id == id) section.at(key).fail(fmt::format("element {}: node {} is its own child", id, id));
      if (reached[child_id])
        section.at(key).fail(fmt::format("element {}: child {} is reached twice (a cycle or a shared child)", id, child));
      reached[child_id] = true;
      depth[child_id] = depth[id] + 1;
      if (depth[child_id] > kMaxTreeDepth)
        throw Error(ErrorCode::limit_exceeded,
                    fmt::format("{}: tree deeper than {}", section.location(), kMaxTreeDepth));
    }
    model.nodes.push_back(internal_node(raw, id, static_cast<std::uint32_t>(order.size()), model));
    model.leaf_values.push_back(0.0);
    model.cover.push_back(static_cast<double>(raw.internal_count[id]));
    order.push_back(id_of(first));
    order.push_back(id_of(second));
  }
  if (order.size() != total) {
    const auto missing = static_cast<std::size_t>(std::find(reached.begin(), reached.end(), false) - reached.begin());
    section.fail(missing < inner ? fmt::format("internal node {} is not reachable from the root", missing)
                                 : fmt::format("leaf {} is not reachable from the root", missing - inner));
  }
  model.tree_begin.push_back(static_cast<std::uint32_t>(model.nodes.size()));
  model.tree_depth.push_back(tree_depth);
  model.max_depth = std::max<std::size_t>(model.max_depth, tree_depth);
  return order;
}

// Adds the leaf models of the tree just appended to `model` (its node ids in `order`) to
// `linear`. Nothing is kept until the first linear tree, which back-fills the trees before
// it: their leaves are constants.
void append_linear_leaves(const RawTree &raw, const std::vector<std::size_t> &order, const TreeEnsemble &model,
                          LightGbmLinearLeaves &linear) {
  if (linear.empty()) {
    if (!raw.linear) return;
    const std::size_t before = model.nodes.size() - order.size();
    linear.constant.assign(model.leaf_values.begin(), model.leaf_values.begin() + static_cast<std::ptrdiff_t>(before));
    linear.first.assign(before + 1, 0);
  }
  const std::size_t inner = raw.leaves - 1;
  for (const std::size_t id : order) {
    if (id >= inner && raw.linear) {
      const std::size_t leaf = id - inner;
      linear.constant.push_back(raw.leaf_const[leaf]);
      for (std::size_t t = raw.term_begin[leaf]; t < raw.term_begin[leaf + 1]; ++t) {
        linear.feature.push_back(static_cast<std::uint32_t>(raw.leaf_features[t]));
        linear.coeff.push_back(raw.leaf_coeff[t]);
      }
    } else {
      linear.constant.push_back(id >= inner ? raw.leaf_value[id - inner] : 0.0);
    }
    linear.first.push_back(static_cast<std::uint32_t>(linear.feature.size()));
  }
}

void read_header(const LightGbmSection &header, LightGbmEnsemble &out) {
  const LightGbmLine &version = header.at("version");
  const std::string_view v = version.value;
  if (v != "v2" && v != "v3" && v != "v4") version.fail(fmt::format("unsupported version \"{}\" (v2 to v4)", v));
  TreeEnsemble &model = out.trees;
  model.num_features =
      static_cast<std::size_t>(header.at("max_feature_idx").integer(0, TreeNode::kFeatureMask - 1)) + 1;
  const auto num_class = static_cast<std::size_t>(header.at("num_class").integer(1, 1 << 20));
  const LightGbmLine &per_iteration = header.at("num_tree_per_iteration");
  if (per_iteration.integer(1, 1 << 20) != static_cast<std::int64_t>(num_class))
    per_iteration.fail(fmt::format("{} trees per iteration for num_class {}", per_iteration.value, num_class));
  if (const LightGbmLine *objective = header.find("objective")) {
    std::string error;
    auto parsed = LightGbmObjective::parse(objective->value, error);
    if (!parsed) objective->fail(error);
    out.objective = *parsed;
    const bool multiclass = out.objective.name == "multiclass" || out.objective.name == "multiclassova";
    if ((multiclass ? out.objective.num_class : 1) != num_class)
      objective->fail(fmt::format("objective \"{}\" does not fit num_class {}", objective->value, num_class));
  } else {
    out.objective.name = "none";  // a custom objective: raw scores only
  }
  model.base_margin.assign(num_class, 0.0f);
  if (const LightGbmLine *names = header.find("feature_names")) {
    model.feature_names = names->words();
    if (model.feature_names.size() != model.num_features)
      names->fail(fmt::format("{} names for max_feature_idx {}", model.feature_names.size(), model.num_features - 1));
  }
}

}  // namespace

bool looks_like_lightgbm_text(std::string_view bytes) noexcept {
  return bytes.starts_with("tree\n") || bytes.starts_with("tree\r\n");
}

LightGbmEnsemble read_lightgbm_text(std::string_view text, const std::string &origin) {
  const LightGbmSections sections = split_lightgbm_sections(text, origin);
  LightGbmEnsemble out;
  read_header(sections.header, out);
  TreeEnsemble &model = out.trees;
  const std::size_t k = model.num_outputs();
  if (sections.trees.size() > kMaxLightGbmTrees)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} trees, more than {}", origin, sections.trees.size(), kMaxLightGbmTrees));
  if (sections.trees.size() % k != 0)
    sections.header.fail(fmt::format("{} trees is not a multiple of num_tree_per_iteration {}", sections.trees.size(), k));
  model.tree_begin.push_back(0);
  for (std::size_t t = 0; t < sections.trees.size(); ++t) {
    const RawTree raw = read_raw_tree(sections.trees[t], model.num_features - 1);
    append_linear_leaves(raw, append_tree(raw, model), model, out.linear);
    model.tree_group.push_back(static_cast<std::uint32_t>(t % k));
    if (model.nodes.size() > (std::size_t{1} << 30))
      throw Error(ErrorCode::limit_exceeded, fmt::format("{}: more than 2^30 nodes", origin));
    if (out.linear.feature.size() > (std::size_t{1} << 30))
      throw Error(ErrorCode::limit_exceeded, fmt::format("{}: more than 2^30 linear-leaf terms", origin));
  }
  if (sections.header.find("average_output")) out.average_over = std::max<std::size_t>(1, sections.trees.size() / k);
  return out;
}

}  // namespace riskkit::detail
