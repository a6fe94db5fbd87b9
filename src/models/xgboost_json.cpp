#include "models/xgboost_json.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "models/model_json.hpp"

namespace riskkit::detail {
namespace {

constexpr std::int64_t kMaxNodes = std::int64_t{1} << 30;
constexpr std::int64_t kMaxCategory = (std::int64_t{1} << 24) - 1;  // exact in float32

// The raw arrays of one tree as stored in the document, before validation.
struct RawTree {
  std::size_t num_nodes = 0;
  std::vector<std::int64_t> left, right, feature, split_type;
  std::vector<float> condition;
  std::vector<bool> default_left;
  std::vector<double> cover;
};

// Reads `key` and checks its length against num_nodes.
template <typename Read>
auto read_array(const ModelJson &tree, std::string_view key, std::size_t num_nodes, Read read) {
  const ModelJson array = tree.at(key);
  auto values = read(array);
  if (values.size() != num_nodes)
    array.fail(fmt::format("length {} differs from tree_param/num_nodes {}", values.size(), num_nodes));
  return values;
}

RawTree read_raw_tree(const ModelJson &tree) {
  RawTree raw;
  raw.num_nodes = static_cast<std::size_t>(tree.at("tree_param").at("num_nodes").integer(1, kMaxNodes));
  const std::size_t n = raw.num_nodes;
  const auto ints = [](std::int64_t lo, std::int64_t hi) { return [=](const ModelJson &a) { return a.integers(lo, hi); }; };
  raw.left = read_array(tree, "left_children", n, ints(-1, kMaxNodes));
  raw.right = read_array(tree, "right_children", n, ints(-1, kMaxNodes));
  raw.feature = read_array(tree, "split_indices", n, ints(0, std::numeric_limits<std::int64_t>::max()));
  raw.condition = read_array(tree, "split_conditions", n, [](const ModelJson &a) { return a.floats(); });
  raw.default_left = read_array(tree, "default_left", n, [](const ModelJson &a) { return a.booleans(); });
  raw.cover = read_array(tree, "sum_hessian", n, [](const ModelJson &a) { return a.doubles(); });
  if (tree.has("split_type")) raw.split_type = read_array(tree, "split_type", n, ints(0, 1));
  else raw.split_type.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (raw.cover[i] < 0) tree.at("sum_hessian").at(i).fail("negative cover");
  return raw;
}

// Category bitsets of the categorical splits of one tree, keyed by node id.
std::vector<std::vector<std::uint32_t>> read_categories(const ModelJson &tree, const RawTree &raw) {
  std::vector<std::vector<std::uint32_t>> bits(raw.num_nodes);
  if (!tree.has("categories_nodes")) return bits;
  const ModelJson nodes_json = tree.at("categories_nodes");
  const auto nodes = nodes_json.integers(0, static_cast<std::int64_t>(raw.num_nodes) - 1);
  const auto categories = tree.at("categories").integers(0, kMaxCategory);
  const ModelJson segments_json = tree.at("categories_segments");
  const ModelJson sizes_json = tree.at("categories_sizes");
  const auto segments = segments_json.integers(0, static_cast<std::int64_t>(categories.size()));
  const auto sizes = sizes_json.integers(0, static_cast<std::int64_t>(categories.size()));
  if (segments.size() != nodes.size())
    segments_json.fail(fmt::format("length {} differs from categories_nodes {}", segments.size(), nodes.size()));
  if (sizes.size() != nodes.size())
    sizes_json.fail(fmt::format("length {} differs from categories_nodes {}", sizes.size(), nodes.size()));
  for (std::size_t j = 0; j < nodes.size(); ++j) {
    const auto node = static_cast<std::size_t>(nodes[j]);
    if (raw.split_type[node] != 1 || raw.left[node] == -1)
      nodes_json.at(j).fail(fmt::format("node {} is not a categorical split", node));
    if (!bits[node].empty()) nodes_json.at(j).fail(fmt::format("node {} listed twice", node));
    if (sizes[j] == 0 || segments[j] + sizes[j] > static_cast<std::int64_t>(categories.size()))
      sizes_json.at(j).fail(fmt::format("segment [{}, {}) outside categories (length {})", segments[j],
                                        segments[j] + sizes[j], categories.size()));
    const auto first = categories.begin() + segments[j];
    const auto last = first + sizes[j];
    bits[node].assign(static_cast<std::size_t>(*std::max_element(first, last)) / 32 + 1, 0);
    for (auto it = first; it != last; ++it)
      bits[node][static_cast<std::size_t>(*it) / 32] |= 1u << (static_cast<std::uint32_t>(*it) % 32);
  }
  return bits;
}

// Validates the structure of one tree and appends it to `model` in breadth-first order with
// siblings adjacent. Every node is visited at most once, so a cycle, a self-loop or a shared
// child shows up as a node reached twice.
void append_tree(const ModelJson &tree, TreeEnsemble &model) {
  const RawTree raw = read_raw_tree(tree);
  const auto categories = read_categories(tree, raw);
  const std::size_t n = raw.num_nodes;
  std::vector<std::int64_t> order{0};
  std::vector<std::uint32_t> depth(n, 0);
  std::vector<bool> reached(n, false);
  std::uint32_t tree_depth = 0;
  reached[0] = true;
  order.reserve(n);
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const auto id = static_cast<std::size_t>(order[pos]);
    TreeNode node;
    const std::int64_t left = raw.left[id], right = raw.right[id];
    if (left == -1 || right == -1) {
      if (left != right)
        tree.at(left == -1 ? "right_children" : "left_children").at(id).fail(
            fmt::format("node {} has one child only", id));
      node.threshold = std::numeric_limits<float>::quiet_NaN();
      node.split = TreeNode::kLeaf;
      node.left = static_cast<std::uint32_t>(pos) - 1u;  // wraps for a root leaf: 0xffffffff + 1 == 0
      node.leaf_value = raw.condition[id];
      tree_depth = std::max(tree_depth, depth[id]);
    } else {
      node.threshold = raw.condition[id];
      for (const auto &[key, child] : {std::pair{"left_children", left}, std::pair{"right_children", right}}) {
        const ModelJson where = tree.at(key).at(id);
        if (child >= static_cast<std::int64_t>(n))
          where.fail(fmt::format("index {} out of range [0, {})", child, n));
        if (child == static_cast<std::int64_t>(id)) where.fail(fmt::format("node {} is its own child", id));
        if (reached[static_cast<std::size_t>(child)])
          where.fail(fmt::format("node {} is reached twice (a cycle or a shared child)", child));
        reached[static_cast<std::size_t>(child)] = true;
        depth[static_cast<std::size_t>(child)] = depth[id] + 1;
      }
      if (depth[id] + 1 > kMaxTreeDepth) tree.at("left_children").at(id).fail(
          fmt::format("tree deeper than {}", kMaxTreeDepth));
      if (raw.feature[id] >= static_cast<std::int64_t>(model.num_features))
        tree.at("split_indices").at(id).fail(
            fmt::format("split feature {} >= num_feature {}", raw.feature[id], model.num_features));
      node.split = static_cast<std::uint32_t>(raw.feature[id]) | (raw.default_left[id] ? TreeNode::kDefaultLeft : 0u);
      node.left = static_cast<std::uint32_t>(order.size());
      order.push_back(left);
      order.push_back(right);
      if (raw.split_type[id] == 1) {
        if (categories[id].empty())
          tree.at("split_type").at(id).fail(fmt::format("categorical split {} has no categories", id));
        node.split |= TreeNode::kCategorical;
        node.category_set = static_cast<std::uint32_t>(model.category_sets.size());
        model.category_sets.push_back({static_cast<std::uint32_t>(model.category_bits.size()),
                                       static_cast<std::uint32_t>(categories[id].size())});
        model.category_bits.insert(model.category_bits.end(), categories[id].begin(), categories[id].end());
        model.has_categorical = true;
      }
    }
    model.nodes.push_back(node);
    model.cover.push_back(raw.cover[id]);
  }
  model.tree_begin.push_back(static_cast<std::uint32_t>(model.nodes.size()));
  model.tree_depth.push_back(tree_depth);
  model.max_depth = std::max<std::size_t>(model.max_depth, tree_depth);
}

// base_score: "5E-1" (1.x/2.x), "[5E-1]" or "[a,b,c]" (3.x), or a plain number.
std::vector<float> read_base_score(const ModelJson &json) {
  if (!json.raw().is_string()) return {static_cast<float>(json.number())};
  std::string_view text = json.raw().get_ref<const std::string &>();
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  std::vector<float> out;
  while (true) {
    const auto comma = text.find(',');
    const Json item = std::string(text.substr(0, comma));
    const std::string origin = json.origin();
    out.push_back(static_cast<float>(ModelJson(item, origin, json.pointer()).number()));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

void read_learner_params(const ModelJson &learner, TreeEnsemble &model) {
  const ModelJson params = learner.at("learner_model_param");
  model.num_features = static_cast<std::size_t>(params.at("num_feature").integer(0, TreeNode::kFeatureMask));
  const auto num_class = params.at("num_class").integer(0, 1 << 20);
  if (auto targets = params.find("num_target"); targets && targets->integer(0, 1 << 20) > 1)
    targets->fail("multi-target models are not supported");

  const ModelJson objective_name = learner.at("objective").at("name");
  const auto objective = Objective::from_name(objective_name.string());
  if (!objective) objective_name.fail(fmt::format("unsupported objective \"{}\"", objective_name.string()));
  model.objective = *objective;
  if ((num_class > 1) != (objective->link == Link::softmax))
    params.at("num_class").fail(fmt::format("num_class {} does not fit objective {}", num_class, objective->name));

  const std::size_t outputs = std::max<std::size_t>(1, static_cast<std::size_t>(num_class));
  const ModelJson base_json = params.at("base_score");
  std::vector<float> base = read_base_score(base_json);
  if (base.size() != 1 && base.size() != outputs)
    base_json.fail(fmt::format("{} values for {} outputs", base.size(), outputs));
  base.resize(outputs, base.front());
  for (float &b : base) {
    if (!model.objective.valid_base_score(b))
      base_json.fail(fmt::format("{} is not a valid base_score for {}", b, model.objective.name));
    b = model.objective.base_margin(b);
  }
  model.base_margin = std::move(base);

  if (auto names = learner.find("feature_names")) {
    model.feature_names = names->strings();
    if (!model.feature_names.empty() && model.feature_names.size() != model.num_features)
      names->fail(fmt::format("{} names for num_feature {}", model.feature_names.size(), model.num_features));
  }
}

}  // namespace

TreeEnsemble read_xgboost_model(const Json &doc, const std::string &origin) {
  const ModelJson learner = ModelJson(doc, origin).at("learner");
  TreeEnsemble model;
  read_learner_params(learner, model);

  const ModelJson booster = learner.at("gradient_booster");
  const ModelJson booster_name = booster.at("name");
  if (booster_name.string() != "gbtree")
    booster_name.fail(fmt::format("unsupported booster \"{}\" (only gbtree)", booster_name.string()));
  const ModelJson gbtree = booster.at("model");
  const ModelJson trees = gbtree.at("trees");
  const std::size_t num_trees = trees.size();
  if (auto param = gbtree.find("gbtree_model_param")) {
    const ModelJson declared = param->at("num_trees");
    if (declared.integer(0, kMaxNodes) != static_cast<std::int64_t>(num_trees))
      declared.fail(fmt::format("declares {} trees, the model has {}", declared.integer(0, kMaxNodes), num_trees));
  }
  const ModelJson tree_info = gbtree.at("tree_info");
  const auto groups = tree_info.integers(0, static_cast<std::int64_t>(model.num_outputs()) - 1);
  if (groups.size() != num_trees)
    tree_info.fail(fmt::format("length {} differs from the number of trees {}", groups.size(), num_trees));

  model.tree_begin.push_back(0);
  for (std::size_t t = 0; t < num_trees; ++t) {
    append_tree(trees.at(t), model);
    model.tree_group.push_back(static_cast<std::uint32_t>(groups[t]));
  }
  return model;
}

}  // namespace riskkit::detail
