#include "models/xgboost_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "core/json_parse.hpp"
#include "models/json_pull_reader.hpp"
#include "models/model_document.hpp"
#include "models/ubjson_pull_reader.hpp"

namespace riskkit::detail {
namespace {

constexpr std::int64_t kMaxCategory = (std::int64_t{1} << 24) - 1;  // exact in float32
// Category bitsets of a whole model, in 32-bit words (64 MiB): a split on category 2^24 - 1
// takes 2^19 words, so a small forged file must not make many of them.
constexpr std::size_t kMaxCategoryWords = std::size_t{1} << 24;
constexpr std::int64_t kNoValue = -1;
// What split_indices holds for a node XGBoost deleted when pruning (its marker, 2^32 - 1, masked to 31 bits).
constexpr std::int64_t kDeletedSplitIndex = (std::int64_t{1} << 31) - 1;

// XGBoost writes members in key order, so a tree's tree_param (num_nodes) comes after its
// arrays and learner_model_param (num_feature, num_class) after the trees: the arrays are
// read as they come, and everything that depends on a later member is checked once that
// member is read, naming the pointer of the offending value.

// The arrays of one tree as stored, before validation; reused from tree to tree.
struct RawTree {
  std::string pointer;  // "/learner/gradient_booster/model/trees/3"
  std::int64_t num_nodes = kNoValue;
  std::vector<std::int64_t> left, right, feature, split_type, category_nodes, categories, segments, sizes;
  std::vector<float> condition;
  std::vector<std::uint8_t> default_left;
  std::vector<double> cover;
  bool has_left = false, has_right = false, has_feature = false, has_condition = false, has_default_left = false,
       has_cover = false, has_split_type = false, has_category_nodes = false, has_categories = false,
       has_segments = false, has_sizes = false;

  std::string at(std::string_view key) const { return json_path(pointer, key); }
  std::string at(std::string_view key, std::size_t index) const { return json_path(json_path(pointer, key), index); }
};

// The first split on the highest feature of a tree, checked against num_feature at the end.
struct TreeFeatures {
  std::int64_t max_feature = -1;
  std::size_t node = 0;
};

// A scalar member remembered with its pointer until the members it depends on are read.
template <typename T>
struct Deferred {
  T value{};
  std::string pointer;
  bool present = false;
};

// Fast forms of the typed reads (pull_reader.hpp) for one value of a UBJSON typed array,
// stored as the number type V: true, with the value the read would return, when the read
// would accept it.
// read_integer(min, max).
auto accept_integer(std::int64_t min, std::int64_t max) {
  return [min, max](auto v, std::int64_t &out) {
    if constexpr (std::is_floating_point_v<decltype(v)>) return false;
    else {
      out = v;
      return out >= min && out <= max;
    }
  };
}
// read_float(allow_non_finite = true): refuses a finite double beyond float32.
template <typename V>
bool accept_float(V v, float &out) {
  out = static_cast<float>(v);
  if constexpr (std::is_same_v<V, double>) return out - out == 0 || !(v - v == 0);
  else return true;
}
// read_boolean.
template <typename V>
bool accept_boolean(V v, std::uint8_t &out) {
  if constexpr (std::is_floating_point_v<V>) return false;
  else {
    out = v == 1;
    return v == 0 || v == 1;
  }
}
// read_double, and not negative (a cover).
template <typename V>
bool accept_cover(V v, double &out) {
  out = static_cast<double>(v);
  return out >= 0 && out - out == 0;
}

template <typename R>
class XGBoostReader {
 public:
  XGBoostReader(R &reader, const std::string &origin, const ModelLimits &limits)
      : r_(reader), origin_(origin), limits_(limits) {}

  std::optional<TreeEnsemble> document() {
    r_.enter_object();
    bool learner = false;
    while (r_.next_member()) {
      if (r_.key() == "learner") {
        if (learner) r_.fail(ErrorCode::invalid_model, "duplicate member \"learner\"");
        read_learner();
        learner = true;
      } else {
        r_.skip();
      }
    }
    r_.finish();
    if (!learner) return std::nullopt;
    return std::move(model_);
  }

 private:
  [[noreturn]] void fail_at(const std::string &pointer, std::string_view message) const {
    throw_model_error(ErrorCode::invalid_model, origin_, pointer, message);
  }

  template <typename T, typename Read>
  void read_deferred(Deferred<T> &out, Read read) {
    out.pointer = r_.pointer();
    out.value = read();
    out.present = true;
  }

  template <typename T>
  const T &required(const Deferred<T> &member, const std::string &parent, std::string_view key) const {
    if (!member.present) fail_at(parent, fmt::format("missing member \"{}\"", key));
    return member.value;
  }

  // An array of per-node values; at most max_nodes of them. `accept` is `read` for one
  // value of a UBJSON typed array (see accept_* above): the whole array is taken at once
  // when every value passes, else read value by value, which reports the first bad one.
  template <typename T, typename Read, typename Accept>
  void read_nodes(std::vector<T> &out, bool &present, Read read, Accept accept) {
    out.clear();
    present = true;
    r_.enter_array();
    if constexpr (std::is_same_v<R, UbjsonPullReader>)
      if (r_.count_hint() <= limits_.max_nodes) r_.take_numbers(out, accept);  // all or none
    out.reserve(std::min(r_.count_hint(), limits_.max_nodes));
    while (r_.next_element()) {
      if (out.size() >= limits_.max_nodes)
        r_.fail(ErrorCode::limit_exceeded, fmt::format("more than {} nodes in a tree", limits_.max_nodes));
      out.push_back(read());
    }
  }

  void read_learner() {
    const std::string learner = r_.pointer();
    r_.enter_object();
    bool booster = false, params = false;
    while (r_.next_member()) {
      const std::string &key = r_.key();
      if (key == "gradient_booster") {
        read_booster();
        booster = true;
      } else if (key == "learner_model_param") {
        read_model_params();
        params = true;
      } else if (key == "objective") {
        const std::string objective = r_.pointer();
        r_.enter_object();
        while (r_.next_member()) {
          if (r_.key() == "name") read_deferred(objective_, [&] { return read_string(r_); });
          else r_.skip();
        }
        required(objective_, objective, "name");
      } else if (key == "feature_names") {
        feature_names_.pointer = r_.pointer();
        feature_names_.present = true;
        feature_names_.value.clear();
        r_.enter_array();
        while (r_.next_element()) feature_names_.value.push_back(read_string(r_));
      } else {
        r_.skip();
      }
    }
    if (!params) fail_at(learner, "missing member \"learner_model_param\"");
    if (!objective_.present) fail_at(learner, "missing member \"objective\"");
    finish_params();
    if (!booster) fail_at(learner, "missing member \"gradient_booster\"");
    finish_booster();
  }

  void read_model_params() {
    const std::string params = r_.pointer();
    r_.enter_object();
    while (r_.next_member()) {
      const std::string &key = r_.key();
      if (key == "num_feature") {
        read_deferred(num_feature_, [&] { return read_integer(r_, 0, std::numeric_limits<std::int64_t>::max()); });
        if (static_cast<std::uint64_t>(num_feature_.value) > limits_.max_features)
          r_.fail(ErrorCode::limit_exceeded,
                  fmt::format("num_feature {} exceeds the limit of {}", num_feature_.value, limits_.max_features));
      } else if (key == "num_class") {
        read_deferred(num_class_, [&] { return read_integer(r_, 0, std::numeric_limits<std::int64_t>::max()); });
        if (static_cast<std::uint64_t>(num_class_.value) > limits_.max_classes)
          r_.fail(ErrorCode::limit_exceeded,
                  fmt::format("num_class {} exceeds the limit of {}", num_class_.value, limits_.max_classes));
      } else if (key == "num_target") {
        read_deferred(num_target_, [&] { return read_integer(r_, 0, std::numeric_limits<std::int64_t>::max()); });
        if (num_target_.value > 1) r_.fail(ErrorCode::invalid_model, "multi-target models are not supported");
      } else if (key == "base_score") {
        read_deferred(base_score_, [&] {
          const Scalar s = r_.scalar();
          if (s.form == Scalar::Form::string || s.form == Scalar::Form::text_number) return std::string(s.text);
          if (s.form == Scalar::Form::integer) return std::to_string(s.integer);
          if (s.form == Scalar::Form::float32) return fmt::format("{}", s.float32);
          if (s.form == Scalar::Form::float64) return fmt::format("{}", s.float64);
          r_.fail(ErrorCode::invalid_model, "expected a number, got " + preview(s));
        });
      } else {
        r_.skip();
      }
    }
    required(num_feature_, params, "num_feature");
    required(num_class_, params, "num_class");
    required(base_score_, params, "base_score");
  }

  // base_score: "5E-1" (1.x/2.x), "[5E-1]" or "[a,b,c]" (3.x), or a plain number; each
  // value parsed to float32 as XGBoost does.
  std::vector<float> base_scores() const {
    std::string_view text = base_score_.value;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    std::vector<float> out;
    while (true) {
      const auto comma = text.find(',');
      const std::string_view item = text.substr(0, comma);
      float v = 0;
      if (pull_detail::parse_text(item, v) != pull_detail::NumberStatus::ok || !(v - v == 0))
        fail_at(base_score_.pointer, fmt::format("expected a finite number, got \"{}\"", item.substr(0, 40)));
      out.push_back(v);
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
    return out;
  }

  void finish_params() {
    model_.num_features = static_cast<std::size_t>(num_feature_.value);
    const auto objective = Objective::from_name(objective_.value);
    if (!objective) fail_at(objective_.pointer, fmt::format("unsupported objective \"{}\"", objective_.value));
    model_.objective = *objective;
    if ((num_class_.value > 1) != (objective->link == Link::softmax))
      fail_at(num_class_.pointer, fmt::format("num_class {} does not fit objective {}", num_class_.value, objective->name));
    const std::size_t outputs = std::max<std::size_t>(1, static_cast<std::size_t>(num_class_.value));
    std::vector<float> base = base_scores();
    if (base.size() != 1 && base.size() != outputs)
      fail_at(base_score_.pointer, fmt::format("{} values for {} outputs", base.size(), outputs));
    base.resize(outputs, base.front());
    for (float &b : base) {
      if (!model_.objective.valid_base_score(b))
        fail_at(base_score_.pointer, fmt::format("{} is not a valid base_score for {}", b, model_.objective.name));
      b = model_.objective.base_margin(b);
    }
    model_.base_margin = std::move(base);
    if (feature_names_.present) {
      model_.feature_names = std::move(feature_names_.value);
      if (!model_.feature_names.empty() && model_.feature_names.size() != model_.num_features)
        fail_at(feature_names_.pointer,
                fmt::format("{} names for num_feature {}", model_.feature_names.size(), model_.num_features));
    }
  }

  void read_booster() {
    booster_pointer_ = r_.pointer();
    r_.enter_object();
    while (r_.next_member()) {
      const std::string &key = r_.key();
      if (key == "name") read_deferred(booster_name_, [&] { return read_string(r_); });
      else if (key == "model") read_gbtree();
      else r_.skip();
    }
  }

  void read_gbtree() {
    gbtree_pointer_ = r_.pointer();
    gbtree_present_ = true;
    r_.enter_object();
    while (r_.next_member()) {
      const std::string &key = r_.key();
      if (key == "trees") {
        // The trees are appended to the model as they are read: a second list would mix.
        if (trees_present_) r_.fail(ErrorCode::invalid_model, "duplicate member \"trees\"");
        trees_pointer_ = r_.pointer();
        trees_present_ = true;
        model_.tree_begin.assign(1, 0);
        r_.enter_array();
        while (r_.next_element()) {
          if (tree_features_.size() >= limits_.max_trees)
            r_.fail(ErrorCode::limit_exceeded, fmt::format("more than {} trees", limits_.max_trees));
          read_tree();
        }
      } else if (key == "tree_info") {
        tree_info_.pointer = r_.pointer();
        tree_info_.present = true;
        tree_info_.value.clear();
        r_.enter_array();
        while (r_.next_element()) tree_info_.value.push_back(read_integer(r_, 0, limits_.max_classes));
      } else if (key == "gbtree_model_param") {
        r_.enter_object();
        while (r_.next_member()) {
          if (r_.key() == "num_trees")
            read_deferred(num_trees_, [&] { return read_integer(r_, 0, std::numeric_limits<std::int64_t>::max()); });
          else r_.skip();
        }
      } else {
        r_.skip();
      }
    }
  }

  void finish_booster() {
    const std::string &name = required(booster_name_, booster_pointer_, "name");
    if (name != "gbtree") fail_at(booster_name_.pointer, fmt::format("unsupported booster \"{}\" (only gbtree)", name));
    if (!gbtree_present_) fail_at(booster_pointer_, "missing member \"model\"");
    if (!trees_present_) fail_at(gbtree_pointer_, "missing member \"trees\"");
    const std::size_t num_trees = tree_features_.size();
    if (num_trees_.present && num_trees_.value != static_cast<std::int64_t>(num_trees))
      fail_at(num_trees_.pointer, fmt::format("declares {} trees, the model has {}", num_trees_.value, num_trees));
    const auto &groups = required(tree_info_, gbtree_pointer_, "tree_info");
    if (groups.size() != num_trees)
      fail_at(tree_info_.pointer, fmt::format("length {} differs from the number of trees {}", groups.size(), num_trees));
    const std::size_t outputs = model_.num_outputs();
    for (std::size_t t = 0; t < num_trees; ++t)
      if (static_cast<std::size_t>(groups[t]) >= outputs)
        fail_at(json_path(tree_info_.pointer, t),
                fmt::format("{} out of range [0, {}]: the model has {} output(s)", groups[t], outputs - 1, outputs));
    model_.tree_group.assign(groups.begin(), groups.end());
    for (std::size_t t = 0; t < num_trees; ++t)
      if (tree_features_[t].max_feature >= static_cast<std::int64_t>(model_.num_features))
        fail_at(json_path(json_path(json_path(trees_pointer_, t), "split_indices"), tree_features_[t].node),
                fmt::format("split feature {} >= num_feature {}", tree_features_[t].max_feature, model_.num_features));
  }

  void read_tree() {
    RawTree &t = raw_;
    t.pointer = r_.pointer();
    t.num_nodes = kNoValue;
    t.has_left = t.has_right = t.has_feature = t.has_condition = t.has_default_left = t.has_cover = false;
    t.has_split_type = t.has_category_nodes = t.has_categories = t.has_segments = t.has_sizes = false;
    const auto max_node = static_cast<std::int64_t>(limits_.max_nodes);
    const auto any = std::numeric_limits<std::int64_t>::max();
    r_.enter_object();
    while (r_.next_member()) {
      const std::string &key = r_.key();
      if (key == "left_children")
        read_nodes(t.left, t.has_left, [&] { return read_integer(r_, -1, max_node); }, accept_integer(-1, max_node));
      else if (key == "right_children")
        read_nodes(t.right, t.has_right, [&] { return read_integer(r_, -1, max_node); }, accept_integer(-1, max_node));
      // Nodes XGBoost deleted when pruning hold 2^31 - 1; they are unreachable, so the
      // features of reachable splits are checked in append_tree.
      else if (key == "split_indices")
        read_nodes(t.feature, t.has_feature, [&] { return read_integer(r_, 0, kDeletedSplitIndex); },
                   accept_integer(0, kDeletedSplitIndex));
      // Non-finite values are checked per node once split_type is known: XGBoost 1.x/2.x
      // store NaN as the (unused) threshold of a categorical split.
      else if (key == "split_conditions")
        read_nodes(t.condition, t.has_condition, [&] { return read_float(r_, true); },
                   [](auto v, float &out) { return accept_float(v, out); });
      else if (key == "default_left")
        read_nodes(t.default_left, t.has_default_left, [&] { return static_cast<std::uint8_t>(read_boolean(r_)); },
                   [](auto v, std::uint8_t &out) { return accept_boolean(v, out); });
      else if (key == "sum_hessian") read_nodes(t.cover, t.has_cover, [&] {
        const double v = read_double(r_);
        if (v < 0) r_.fail(ErrorCode::invalid_model, "negative cover");
        return v;
      }, [](auto v, double &out) { return accept_cover(v, out); });
      else if (key == "split_type")
        read_nodes(t.split_type, t.has_split_type, [&] { return read_integer(r_, 0, 1); }, accept_integer(0, 1));
      else if (key == "categories_nodes")
        read_nodes(t.category_nodes, t.has_category_nodes, [&] { return read_integer(r_, 0, any); },
                   accept_integer(0, any));
      else if (key == "categories")
        read_nodes(t.categories, t.has_categories, [&] { return read_integer(r_, 0, kMaxCategory); },
                   accept_integer(0, kMaxCategory));
      else if (key == "categories_segments")
        read_nodes(t.segments, t.has_segments, [&] { return read_integer(r_, 0, any); }, accept_integer(0, any));
      else if (key == "categories_sizes")
        read_nodes(t.sizes, t.has_sizes, [&] { return read_integer(r_, 0, any); }, accept_integer(0, any));
      else if (key == "tree_param") read_tree_param();
      else r_.skip();
    }
    append_tree();
  }

  void read_tree_param() {
    r_.enter_object();
    while (r_.next_member()) {
      if (r_.key() != "num_nodes") {
        r_.skip();
        continue;
      }
      raw_.num_nodes = read_integer(r_, 1, std::numeric_limits<std::int64_t>::max());
      if (static_cast<std::uint64_t>(raw_.num_nodes) > limits_.max_nodes)
        r_.fail(ErrorCode::limit_exceeded,
                fmt::format("{} nodes exceed the limit of {} per tree", raw_.num_nodes, limits_.max_nodes));
    }
  }

  template <typename T>
  void check_length(const std::vector<T> &values, bool present, std::string_view key, std::size_t n) const {
    if (!present) fail_at(raw_.pointer, fmt::format("missing member \"{}\"", key));
    if (values.size() != n)
      fail_at(raw_.at(key), fmt::format("length {} differs from tree_param/num_nodes {}", values.size(), n));
  }

  // Category bitsets of the categorical splits of the current tree, keyed by node id.
  void read_categories(std::size_t n) {
    for (auto &bits : category_bits_) bits.clear();
    category_bits_.resize(n);
    const RawTree &t = raw_;
    if (!t.has_category_nodes) return;
    if (!t.has_categories) fail_at(t.pointer, "missing member \"categories\"");
    const std::size_t count = t.category_nodes.size();
    if (!t.has_segments) fail_at(t.pointer, "missing member \"categories_segments\"");
    if (!t.has_sizes) fail_at(t.pointer, "missing member \"categories_sizes\"");
    if (t.segments.size() != count)
      fail_at(t.at("categories_segments"), fmt::format("length {} differs from categories_nodes {}", t.segments.size(), count));
    if (t.sizes.size() != count)
      fail_at(t.at("categories_sizes"), fmt::format("length {} differs from categories_nodes {}", t.sizes.size(), count));
    const auto total = static_cast<std::int64_t>(t.categories.size());
    for (std::size_t j = 0; j < count; ++j) {
      const std::int64_t node = t.category_nodes[j];
      if (node >= static_cast<std::int64_t>(n))
        fail_at(t.at("categories_nodes", j), fmt::format("index {} out of range [0, {})", node, n));
      const auto id = static_cast<std::size_t>(node);
      if (t.split_type[id] != 1 || t.left[id] == -1)
        fail_at(t.at("categories_nodes", j), fmt::format("node {} is not a categorical split", node));
      if (!category_bits_[id].empty()) fail_at(t.at("categories_nodes", j), fmt::format("node {} listed twice", node));
      if (t.segments[j] > total)
        fail_at(t.at("categories_segments", j), fmt::format("{} out of range [0, {}]", t.segments[j], total));
      if (t.sizes[j] == 0 || t.sizes[j] > total - t.segments[j])
        fail_at(t.at("categories_sizes", j), fmt::format("{} out of range [1, {}]: segment [{}, {}) outside categories "
                                                         "(length {})", t.sizes[j], total - t.segments[j],
                                                         t.segments[j], t.segments[j] + t.sizes[j], total));
      const auto first = t.categories.begin() + t.segments[j];
      const auto last = first + t.sizes[j];
      auto &bits = category_bits_[id];
      const std::size_t words = static_cast<std::size_t>(*std::max_element(first, last)) / 32 + 1;
      category_words_ += words;
      if (category_words_ > kMaxCategoryWords)
        throw_model_error(ErrorCode::limit_exceeded, origin_, t.at("categories_nodes", j),
                          fmt::format("category bitsets larger than {} words in the model", kMaxCategoryWords));
      bits.assign(words, 0);
      for (auto it = first; it != last; ++it)
        bits[static_cast<std::size_t>(*it) / 32] |= 1u << (static_cast<std::uint32_t>(*it) % 32);
    }
  }

  float finite_condition(std::size_t id) const {
    const float v = raw_.condition[id];
    if (!std::isfinite(v))
      fail_at(raw_.at("split_conditions", id),
              fmt::format("expected a finite number, got {}", std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"));
    return v;
  }

  // Validates the structure of the tree just read and appends it to the model in breadth-
  // first order with siblings adjacent. Every node is visited at most once, so a cycle, a
  // self-loop or a shared child shows up as a node reached twice.
  void append_tree() {
    RawTree &t = raw_;
    if (t.num_nodes == kNoValue) fail_at(t.pointer, "missing member \"tree_param\" (with num_nodes)");
    const auto n = static_cast<std::size_t>(t.num_nodes);
    check_length(t.left, t.has_left, "left_children", n);
    check_length(t.right, t.has_right, "right_children", n);
    check_length(t.feature, t.has_feature, "split_indices", n);
    check_length(t.condition, t.has_condition, "split_conditions", n);
    check_length(t.default_left, t.has_default_left, "default_left", n);
    check_length(t.cover, t.has_cover, "sum_hessian", n);
    if (t.has_split_type) check_length(t.split_type, true, "split_type", n);
    else t.split_type.assign(n, 0);
    read_categories(n);
    if (model_.nodes.size() + n > std::numeric_limits<std::uint32_t>::max())
      throw_model_error(ErrorCode::limit_exceeded, origin_, t.pointer, "more than 2^32 nodes in the model");

    order_.assign(1, 0);
    order_.reserve(n);
    depth_.assign(n, 0);
    reached_.assign(n, 0);
    reached_[0] = 1;
    std::uint32_t tree_depth = 0;
    TreeFeatures features;
    const auto max_feature = static_cast<std::int64_t>(std::min<std::size_t>(limits_.max_features, TreeNode::kFeatureMask));
    for (std::size_t pos = 0; pos < order_.size(); ++pos) {
      const auto id = static_cast<std::size_t>(order_[pos]);
      TreeNode node;
      const std::int64_t left = t.left[id], right = t.right[id];
      if (left == -1 || right == -1) {
        if (left != right)
          fail_at(t.at(left == -1 ? "right_children" : "left_children", id), fmt::format("node {} has one child only", id));
        node.threshold = std::numeric_limits<float>::quiet_NaN();
        node.split = TreeNode::kLeaf;
        node.left = static_cast<std::uint32_t>(pos) - 1u;  // wraps for a root leaf: 0xffffffff + 1 == 0
        node.leaf_value = finite_condition(id);
        tree_depth = std::max(tree_depth, depth_[id]);
      } else {
        // A categorical split's threshold is unused; 1.x/2.x store NaN there.
        const bool categorical = t.split_type[id] == 1;
        node.threshold = !categorical ? finite_condition(id) : std::isfinite(t.condition[id]) ? t.condition[id] : 0.0f;
        for (const auto &[key, child] : {std::pair{"left_children", left}, std::pair{"right_children", right}}) {
          if (child >= static_cast<std::int64_t>(n))
            fail_at(t.at(key, id), fmt::format("index {} out of range [0, {})", child, n));
          if (child == static_cast<std::int64_t>(id)) fail_at(t.at(key, id), fmt::format("node {} is its own child", id));
          if (reached_[static_cast<std::size_t>(child)])
            fail_at(t.at(key, id), fmt::format("node {} is reached twice (a cycle or a shared child)", child));
          reached_[static_cast<std::size_t>(child)] = 1;
          depth_[static_cast<std::size_t>(child)] = depth_[id] + 1;
        }
        if (depth_[id] + 1 > limits_.max_depth)
          fail_at(t.at("left_children", id), fmt::format("tree deeper than {}", limits_.max_depth));
        if (t.feature[id] > max_feature)
          fail_at(t.at("split_indices", id), fmt::format("{} out of range [0, {}]", t.feature[id], max_feature));
        if (t.feature[id] > features.max_feature) features = {t.feature[id], id};
        node.split = static_cast<std::uint32_t>(t.feature[id]) | (t.default_left[id] ? TreeNode::kDefaultLeft : 0u);
        node.left = static_cast<std::uint32_t>(order_.size());
        order_.push_back(left);
        order_.push_back(right);
        if (t.split_type[id] == 1) {
          const auto &bits = category_bits_[id];
          if (bits.empty()) fail_at(t.at("split_type", id), fmt::format("categorical split {} has no categories", id));
          node.split |= TreeNode::kCategorical;
          node.category_set = static_cast<std::uint32_t>(model_.category_sets.size());
          model_.category_sets.push_back({static_cast<std::uint32_t>(model_.category_bits.size()),
                                          static_cast<std::uint32_t>(bits.size())});
          model_.category_bits.insert(model_.category_bits.end(), bits.begin(), bits.end());
          model_.has_categorical = true;
        }
      }
      model_.nodes.push_back(node);
      model_.cover.push_back(t.cover[id]);
    }
    model_.tree_begin.push_back(static_cast<std::uint32_t>(model_.nodes.size()));
    model_.tree_depth.push_back(tree_depth);
    model_.max_depth = std::max<std::size_t>(model_.max_depth, tree_depth);
    tree_features_.push_back(features);
  }

  R &r_;
  const std::string &origin_;
  const ModelLimits &limits_;
  TreeEnsemble model_;
  RawTree raw_;
  std::vector<std::vector<std::uint32_t>> category_bits_;
  std::vector<std::int64_t> order_;
  std::vector<std::uint32_t> depth_;
  std::vector<std::uint8_t> reached_;
  std::vector<TreeFeatures> tree_features_;
  std::size_t category_words_ = 0;
  Deferred<std::int64_t> num_feature_, num_class_, num_target_, num_trees_;
  Deferred<std::string> base_score_, objective_, booster_name_;
  Deferred<std::vector<std::string>> feature_names_;
  Deferred<std::vector<std::int64_t>> tree_info_;
  std::string booster_pointer_, gbtree_pointer_, trees_pointer_;
  bool gbtree_present_ = false, trees_present_ = false;
};

template <typename R>
std::optional<TreeEnsemble> read_with(std::string_view bytes, const std::string &origin, const ModelLimits &limits) {
  R reader(bytes, origin, limits);
  return XGBoostReader<R>(reader, origin, limits).document();
}

}  // namespace

std::optional<TreeEnsemble> read_xgboost_model(std::string_view bytes, const std::string &origin,
                                               const ModelLimits &limits) {
  if (bytes.size() > limits.max_bytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, bytes.size(), limits.max_bytes));
  if (sniff_model_format(bytes, origin) == ModelFormat::json) return read_with<JsonPullReader>(bytes, origin, limits);
  return read_with<UbjsonPullReader>(bytes, origin, limits);
}

}  // namespace riskkit::detail
