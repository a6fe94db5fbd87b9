#include "models/tree_shap.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace riskkit::detail {
namespace {

using PathElement = TreeShap::PathElement;

// Rows explained together, tree by tree: enough to reuse a tree's tables from cache, few
// enough that their contributions (rows x outputs x features) stay in L1/L2.
constexpr std::size_t kBlockRows = 16;
// Accumulators leaves take turns over (a power of two), see explain_tree_table.
constexpr std::size_t kBanks = 4;

// Adds a split on `feature` to the path, with the fraction of zero (cover) and one (the
// row's) paths flowing through it, updating the permutation weights.
void extend_path(PathElement *path, std::size_t depth, double zero_fraction, double one_fraction, int feature) {
  path[depth] = {feature, zero_fraction, one_fraction, depth == 0 ? 1.0 : 0.0};
  const double d1 = static_cast<double>(depth + 1);
  for (std::size_t j = depth; j-- > 0;) {
    path[j + 1].weight += one_fraction * path[j].weight * static_cast<double>(j + 1) / d1;
    path[j].weight = zero_fraction * path[j].weight * static_cast<double>(depth - j) / d1;
  }
}

// Undoes extend_path for the element at `index`.
void unwind_path(PathElement *path, std::size_t depth, std::size_t index) {
  const double one = path[index].one_fraction, zero = path[index].zero_fraction;
  const double d1 = static_cast<double>(depth + 1);
  double next = path[depth].weight;
  for (std::size_t j = depth; j-- > 0;) {
    if (one != 0) {
      const double tmp = path[j].weight;
      path[j].weight = next * d1 / (static_cast<double>(j + 1) * one);
      next = tmp - path[j].weight * zero * static_cast<double>(depth - j) / d1;
    } else {
      path[j].weight = path[j].weight * d1 / (zero * static_cast<double>(depth - j));
    }
  }
  for (std::size_t j = index; j < depth; ++j) {
    path[j].feature = path[j + 1].feature;
    path[j].zero_fraction = path[j + 1].zero_fraction;
    path[j].one_fraction = path[j + 1].one_fraction;
  }
}

// The total permutation weight if the element at `index` were unwound.
double unwound_sum(const PathElement *path, std::size_t depth, std::size_t index) {
  const double one = path[index].one_fraction, zero = path[index].zero_fraction;
  const double d1 = static_cast<double>(depth + 1);
  double next = path[depth].weight, total = 0;
  for (std::size_t j = depth; j-- > 0;) {
    if (one != 0) {
      const double tmp = next * d1 / (static_cast<double>(j + 1) * one);
      total += tmp;
      next = path[j].weight - tmp * zero * (static_cast<double>(depth - j) / d1);
    } else if (zero != 0) {
      total += (path[j].weight / zero) / (static_cast<double>(depth - j) / d1);
    }
  }
  return total;
}

// The value of leaf `node` of the tree starting at node `begin`: the exact double when the
// model keeps one (LightGBM), else the node's own float (XGBoost).
double leaf_value(const TreeEnsemble &model, std::uint32_t begin, std::uint32_t node) {
  if (!model.leaf_values.empty()) return model.leaf_values[begin + node];
  return model.nodes[begin + node].leaf_value;
}

// Cover-weighted mean leaf value of the subtree at `node` (XGBoost's FillNodeMeanValues).
double fill_mean(const TreeEnsemble &model, std::uint32_t begin, std::uint32_t node, double *mean) {
  const TreeNode &n = model.nodes[begin + node];
  if (n.is_leaf()) return mean[node] = leaf_value(model, begin, node);
  const double *cover = model.cover.data() + begin;
  const double sum = fill_mean(model, begin, n.left, mean) * cover[n.left] +
                     fill_mean(model, begin, n.left + 1, mean) * cover[n.left + 1];
  return mean[node] = sum / cover[node];
}

}  // namespace

// The Fast TreeSHAP v2 tables of the tabulated trees (see the header for the formula).
struct TreeShap::Tables {
  // One leaf of a tabulated tree. Its path is `steps` packed words
  // (node << 5 | wants_right << 4 | slot): the row follows the path at that split when the
  // node's direction equals wants_right; `slot` numbers the leaf's unique path features.
  struct Leaf {
    std::uint32_t step_begin;
    std::uint32_t slot_begin;   ///< into slot_local / slot_ratio, d entries
    std::uint32_t table_begin;  ///< into table, 2^d entries: A(Q) for every subset Q of slots
    std::uint8_t steps;
    std::uint8_t d;
  };
  std::vector<std::uint32_t> leaf_begin;  ///< per tree, plus one past the end
  std::vector<std::uint8_t> tabulated;    ///< per tree
  std::vector<Leaf> leaves;
  std::vector<std::uint32_t> steps;
  std::vector<std::uint32_t> slot_local;  ///< the slot's feature, as an index into the tree's features
  std::vector<std::uint32_t> feature_begin;  ///< per tree, plus one past the end: into `features`
  std::vector<std::uint32_t> features;       ///< each tabulated tree's distinct split features
  std::vector<double> slot_ratio;  ///< (1 - z) / z
  std::vector<double> table;
  std::vector<double> bias;  ///< per output: base margin + the trees' expected values
  std::size_t max_tree_nodes = 0;
  std::size_t max_tree_features = 0;
  std::size_t num_tabulated = 0;
};

namespace {

// Tabulates tree `t` into `tables` when it fits `budget` entries; returns the entries used
// (0 when the tree is left to the recursion: too many path features, a zero or non-finite
// zero fraction, or over budget).
std::size_t tabulate_tree(const TreeEnsemble &model, std::size_t t, std::size_t budget, TreeShap::Tables &tables) {
  const std::uint32_t begin = model.tree_begin[t], end = model.tree_begin[t + 1];
  const TreeNode *tree = model.nodes.data() + begin;
  const double *cover = model.cover.data() + begin;
  const std::uint32_t n = end - begin;
  std::vector<std::uint32_t> parent(n, 0);
  for (std::uint32_t i = 0; i < n; ++i)
    if (!tree[i].is_leaf()) parent[tree[i].left] = parent[tree[i].left + 1] = i;

  // First pass: each leaf's path, unique features and zero fractions; check the budget.
  struct Path {
    std::uint32_t leaf;
    std::vector<std::uint32_t> steps, features;
    std::vector<double> zero;
  };
  std::vector<Path> paths;
  std::size_t entries = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!tree[i].is_leaf()) continue;
    Path path{i, {}, {}, {}};
    for (std::uint32_t child = i; child != 0; child = parent[child]) {
      const std::uint32_t p = parent[child];
      const std::uint32_t feature = tree[p].feature();
      const auto found = std::find(path.features.begin(), path.features.end(), feature);
      const auto slot = static_cast<std::uint32_t>(found - path.features.begin());
      if (found == path.features.end()) {
        path.features.push_back(feature);
        path.zero.push_back(1.0);
      }
      path.zero[slot] *= cover[child] / cover[p];
      path.steps.push_back(p << 5 | (child == tree[p].left + 1 ? 1u : 0u) << 4 | slot);
    }
    if (path.features.size() > TreeShap::kMaxTablePathFeatures || path.steps.size() > 255) return 0;
    for (double z : path.zero)
      if (!(z > 0) || !std::isfinite(z)) return 0;
    entries += std::size_t{1} << path.features.size();
    if (entries > budget) return 0;
    paths.push_back(std::move(path));
  }

  // Second pass: A(Q) for every subset Q of each leaf's slots, through the elementary
  // symmetric polynomials e_m(z_Q), built subset by subset from Q minus its lowest slot.
  std::vector<double> e;
  for (const Path &path : paths) {
    const std::size_t d = path.features.size();
    const std::size_t subsets = std::size_t{1} << d;
    std::vector<double> w(d == 0 ? 1 : d);  // w_d(k) = k! (d-1-k)! / d!
    for (std::size_t k = 0; k < w.size(); ++k)
      w[k] = std::exp(std::lgamma(double(k + 1)) + std::lgamma(double(d - k)) - std::lgamma(double(d + 1)));
    e.assign(subsets * (d + 1), 0.0);
    e[0] = 1.0;
    const double value = leaf_value(model, begin, path.leaf);
    tables.leaves.push_back({static_cast<std::uint32_t>(tables.steps.size()),
                             static_cast<std::uint32_t>(tables.slot_local.size()),
                             static_cast<std::uint32_t>(tables.table.size()),
                             static_cast<std::uint8_t>(path.steps.size()), static_cast<std::uint8_t>(d)});
    tables.steps.insert(tables.steps.end(), path.steps.begin(), path.steps.end());
    for (std::size_t j = 0; j < d; ++j) {
      const auto first = tables.features.begin() + tables.feature_begin.back();
      const auto local = static_cast<std::uint32_t>(std::find(first, tables.features.end(), path.features[j]) - first);
      if (first + local == tables.features.end()) tables.features.push_back(path.features[j]);
      tables.slot_local.push_back(local);
      tables.slot_ratio.push_back((1.0 - path.zero[j]) / path.zero[j]);
    }
    for (std::size_t q = 0; q < subsets; ++q) {
      double *eq = &e[q * (d + 1)];
      if (q != 0) {
        const std::size_t low = static_cast<std::size_t>(std::countr_zero(q));
        const double *ep = &e[(q & (q - 1)) * (d + 1)];
        eq[0] = ep[0];
        for (std::size_t m = 1; m <= d; ++m) eq[m] = ep[m] + path.zero[low] * ep[m - 1];
      }
      double outside = 1.0;
      for (std::size_t j = 0; j < d; ++j)
        if (!((q >> j) & 1u)) outside *= path.zero[j];
      const auto size = static_cast<std::size_t>(std::popcount(q));
      double sum = 0.0;
      if (d > 0)
        for (std::size_t k = 0; k <= std::min(size, d - 1); ++k) sum += w[k] * eq[size - k];
      tables.table.push_back(value * outside * sum);
    }
  }
  return std::max<std::size_t>(entries, 1);
}

}  // namespace

TreeShap::TreeShap(const TreeEnsemble &model, std::size_t max_table_entries)
    : model_(model), max_table_entries_(max_table_entries), node_mean_(model.nodes.size()) {
  for (std::size_t t = 0; t < model.num_trees(); ++t) {
    const std::uint32_t begin = model.tree_begin[t];
    fill_mean(model, begin, 0, node_mean_.data() + begin);
  }
}

TreeShap::~TreeShap() = default;

const TreeShap::Tables &TreeShap::tables() const {
  std::call_once(tables_once_, [this] {
    auto tables = std::make_unique<Tables>();
    const std::size_t trees = model_.num_trees();
    tables->tabulated.assign(trees, 0);
    tables->leaf_begin.push_back(0);
    tables->feature_begin.push_back(0);
    std::size_t used = 0;
    for (std::size_t t = 0; t < trees; ++t) {
      tables->max_tree_nodes = std::max<std::size_t>(tables->max_tree_nodes, model_.tree_begin[t + 1] - model_.tree_begin[t]);
      const std::size_t entries = tabulate_tree(model_, t, max_table_entries_ - used, *tables);
      if (entries > 0) {
        used += entries;
        tables->tabulated[t] = 1;
        ++tables->num_tabulated;
      }
      tables->leaf_begin.push_back(static_cast<std::uint32_t>(tables->leaves.size()));
      tables->feature_begin.push_back(static_cast<std::uint32_t>(tables->features.size()));
      tables->max_tree_features = std::max<std::size_t>(tables->max_tree_features,
                                                        tables->feature_begin[t + 1] - tables->feature_begin[t]);
    }
    tables->bias.assign(model_.base_margin.begin(), model_.base_margin.end());
    for (std::size_t t = 0; t < trees; ++t) tables->bias[model_.tree_group[t]] += node_mean_[model_.tree_begin[t]];
    tables_ = std::move(tables);
  });
  return *tables_;
}

std::size_t TreeShap::num_tabulated_trees() const { return tables().num_tabulated; }

std::size_t TreeShap::num_table_entries() const { return tables().table.size(); }

void TreeShap::explain(const float *rows, std::size_t nrow, float missing, Scratch &scratch, double *out) const {
  const Tables &tab = tables();
  const std::size_t ncol = model_.num_features;
  const std::size_t stride = ncol + 1;
  const std::size_t row_stride = model_.num_outputs() * stride;
  const std::size_t d = model_.max_depth + 2;
  if (scratch.path.size() < d * (d + 1) / 2) scratch.path.resize(d * (d + 1) / 2);
  if (scratch.goes.size() < tab.max_tree_nodes) scratch.goes.resize(tab.max_tree_nodes);
  if (scratch.banks.size() < kBanks * tab.max_tree_features) scratch.banks.resize(kBanks * tab.max_tree_features);

  for (std::size_t first = 0; first < nrow; first += kBlockRows) {
    const std::size_t count = std::min(kBlockRows, nrow - first);
    double *block = out + first * row_stride;
    std::fill(block, block + count * row_stride, 0.0);
    for (std::size_t r = 0; r < count; ++r)
      for (std::size_t g = 0; g < model_.num_outputs(); ++g) block[r * row_stride + g * stride + ncol] = tab.bias[g];
    for (std::size_t t = 0; t < model_.num_trees(); ++t) {
      const std::size_t offset = model_.tree_group[t] * stride;
      if (tab.tabulated[t]) {
        for (std::size_t r = 0; r < count; ++r)
          explain_tree_table(t, rows + (first + r) * ncol, missing, scratch, block + r * row_stride + offset);
      } else {
        const std::uint32_t begin = model_.tree_begin[t];
        for (std::size_t r = 0; r < count; ++r)
          recurse(begin, 0, rows + (first + r) * ncol, missing, block + r * row_stride + offset, scratch.path.data(),
                  0, 1.0, 1.0, -1);
      }
    }
  }
}

void TreeShap::explain_tree_table(std::size_t t, const float *row, float missing, Scratch &scratch,
                                  double *phi) const {
  const Tables &tab = *tables_;
  const TreeNode *tree = model_.nodes.data() + model_.tree_begin[t];
  const std::uint32_t n = model_.tree_begin[t + 1] - model_.tree_begin[t];
  std::uint8_t *goes = scratch.goes.data();
  if (model_.has_categorical || model_.has_zero_missing) {
    for (std::uint32_t i = 0; i < n; ++i) {
      const TreeNode &node = tree[i];
      if (!node.is_leaf())
        goes[i] = static_cast<std::uint8_t>(next_node(model_, node, row[node.feature()], missing) - node.left);
    }
  } else {
    // next_node without branches, over every node: a leaf reads feature 0 and writes a
    // direction nobody reads, which is cheaper than testing for it.
    for (std::uint32_t i = 0; i < n; ++i) {
      const TreeNode &node = tree[i];
      const float x = row[node.feature()];
      const std::uint32_t right = !(x < node.threshold);
      const std::uint32_t is_missing = (x != x) | (x == missing);
      const std::uint32_t default_right = (~node.split) >> 31;
      goes[i] = static_cast<std::uint8_t>((right & ~is_missing) | (is_missing & default_right));
    }
  }
  const std::uint32_t *steps = tab.steps.data();
  // Every leaf adds to each feature of its path, and neighbouring leaves share features:
  // adding straight into phi would chain each addition to the previous one through memory.
  // Leaves take turns over kBanks accumulators of the tree's own features instead.
  const std::uint32_t *features = tab.features.data() + tab.feature_begin[t];
  const std::uint32_t nf = tab.feature_begin[t + 1] - tab.feature_begin[t];
  double *banks = scratch.banks.data();
  std::fill(banks, banks + kBanks * nf, 0.0);
  for (std::uint32_t l = tab.leaf_begin[t]; l < tab.leaf_begin[t + 1]; ++l) {
    const Tables::Leaf &leaf = tab.leaves[l];
    // P: the slots whose every split on the path the row follows.
    std::uint32_t mask = (1u << leaf.d) - 1u;
    for (std::uint32_t s = leaf.step_begin, e = s + leaf.steps; s < e; ++s) {
      const std::uint32_t step = steps[s];
      const std::uint32_t differs = goes[step >> 5] ^ ((step >> 4) & 1u);
      mask &= ~(differs << (step & 15u));
    }
    const double *a = tab.table.data() + leaf.table_begin;
    const std::uint32_t *local = tab.slot_local.data() + leaf.slot_begin;
    double *bank = banks + (l & (kBanks - 1)) * nf;
    const double *ratio = tab.slot_ratio.data() + leaf.slot_begin;
    const double outside = -a[mask];
    // Whether the row follows slot j is data-dependent and unpredictable: compute both
    // candidates and select, so the loop has no branch to mispredict.
    // (A select on the bits, because compilers turn a ternary back into a branch.)
    const auto outside_bits = std::bit_cast<std::uint64_t>(outside);
    for (std::uint32_t j = 0; j < leaf.d; ++j) {
      const std::uint32_t bit = 1u << j;
      const auto inside_bits = std::bit_cast<std::uint64_t>(ratio[j] * a[mask ^ bit]);
      const std::uint64_t select = std::uint64_t{0} - ((mask >> j) & 1u);
      bank[local[j]] += std::bit_cast<double>((inside_bits & select) | (outside_bits & ~select));
    }
  }
  for (std::uint32_t k = 0; k < nf; ++k) {
    double sum = banks[k];
    for (std::size_t b = 1; b < kBanks; ++b) sum += banks[b * nf + k];
    phi[features[k]] += sum;
  }
}

void TreeShap::recurse(std::uint32_t tree_begin, std::uint32_t node, const float *row, float missing, double *phi,
                       PathElement *parent_path, std::size_t depth, double zero_fraction, double one_fraction,
                       int feature) const {
  PathElement *path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(path, depth, zero_fraction, one_fraction, feature);
  const TreeNode &n = model_.nodes[tree_begin + node];
  const double *cover = model_.cover.data() + tree_begin;
  if (n.is_leaf()) {
    const double value = leaf_value(model_, tree_begin, node);
    for (std::size_t i = 1; i <= depth; ++i) {
      const double w = unwound_sum(path, depth, i);
      phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * value;
    }
    return;
  }
  const std::uint32_t hot = next_node(model_, n, row[n.feature()], missing);
  const std::uint32_t cold = hot == n.left ? n.left + 1 : n.left;
  const double hot_zero = cover[hot] / cover[node];
  const double cold_zero = cover[cold] / cover[node];
  double incoming_zero = 1, incoming_one = 1;
  // A feature split on again higher up: undo that split so this node redoes it.
  const int split = static_cast<int>(n.feature());
  std::size_t index = 0;
  while (index <= depth && path[index].feature != split) ++index;
  if (index != depth + 1) {
    incoming_zero = path[index].zero_fraction;
    incoming_one = path[index].one_fraction;
    unwind_path(path, depth, index);
    --depth;
  }
  recurse(tree_begin, hot, row, missing, phi, path, depth + 1, hot_zero * incoming_zero, incoming_one, split);
  recurse(tree_begin, cold, row, missing, phi, path, depth + 1, cold_zero * incoming_zero, 0, split);
}

}  // namespace riskkit::detail
