#include "models/tree_shap.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace riskkit::detail {
namespace {

// lgamma_r, not std::lgamma: glibc's lgamma also writes the global `signgam`, a data race
// when two models build their tables at once (ThreadSanitizer caught it during reloads).
double log_gamma(double x) {
  int sign = 0;
  return lgamma_r(x, &sign);
}

// Rows explained together, tree by tree: enough to reuse a tree's tables from cache, few
// enough that their contributions (rows x outputs x features) stay in L1/L2.
constexpr std::size_t kBlockRows = 16;
// Accumulators leaves take turns over (a power of two), see explain_tree_table.
constexpr std::size_t kBanks = 4;
// Packed trees explained for one row before the next (see explain): as rows go in blocks,
// few enough that their data stays in L2 across the block.
constexpr std::size_t kPackedRun = 32;
// Zeros after the tables: explain_packed_trees_avx512 reads 64 entries from any leaf's
// first, and a ghost leaf's entries are these.
constexpr std::size_t kTablePadding = 64;

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

// Every tree's leaf paths, and the Fast TreeSHAP v2 tables of the tabulated trees (see
// the header for both algorithms).
struct TreeShap::Tables {
  // One leaf. Its path is `steps` Steps from steps[step_begin]; its d unique path features
  // are slots [slot_begin, slot_begin + d) of the slot arrays.
  struct Leaf {
    std::uint32_t step_begin;
    std::uint32_t slot_begin;
    std::uint32_t table_begin;  ///< tabulated trees: into table, 2^d entries, A(Q) per subset Q of slots
    std::uint32_t node;  ///< the leaf's node in its tree
    std::uint16_t steps;
    std::uint16_t d;
    double value;
  };
  // One split on a leaf's path: the row follows the path there when the node's direction
  // (0 left, 1 right) equals wants_right.
  struct Step {
    std::uint32_t node;
    std::uint16_t slot;
    std::uint16_t wants_right;
  };
  std::vector<std::uint32_t> leaf_begin;  ///< per tree, plus one past the end
  std::vector<std::uint8_t> tabulated;    ///< per tree
  /// Tabulated trees, per node but the root (as TreeEnsemble::nodes): parent << 8 |
  /// slot << 1 | wants_right, where slot is the parent's split feature's slot. A row's
  /// mask of followed slots at a node is its parent's, less that slot where the row goes
  /// the other way; a leaf's P is its node's mask. (Steps serve the path algorithm.)
  std::vector<std::uint32_t> pull;
  std::vector<Leaf> leaves;
  std::vector<Step> steps;
  std::vector<std::uint32_t> slot_local;  ///< the slot's feature, as an index into the tree's features
  std::vector<double> slot_zero;          ///< z: the product of the cover ratios of the feature's splits
  std::vector<double> slot_ratio;         ///< (1 - z) / z, tabulated trees only (else 0)
  std::vector<std::uint32_t> feature_begin;  ///< per tree, plus one past the end: into `features`
  std::vector<std::uint32_t> features;       ///< each tree's distinct split features
  std::vector<float> table;
  /// Shapley weights w_d(k) = k! (d-1-k)! / d! for k < d, then w_d(d) = 0 (which lets a sum
  /// run to k = d), for d = 0, 1, ...: d + 1 entries from weights[d (d + 1) / 2].
  std::vector<double> weights;
  std::vector<double> bias;  ///< per output: base margin + the trees' expected values
  std::size_t entries = 0;   ///< of `table`, which has kTablePadding zeros past them
  // The packed trees (see PackedTree): per tree, plus one past the end, where each begins
  // in the arrays that follow.
  std::vector<std::uint32_t> packed_begin, paths_begin, splits_begin, outputs_begin;
  std::vector<PackedLeaf> packed;
  std::vector<PackedPaths> paths;
  std::vector<float> split_thresholds;
  std::vector<std::uint32_t> split_nodes;
  std::vector<std::uint64_t> split_slots;  ///< per tree, 8 words
  std::vector<PackedFeatures> outputs;
  std::vector<PackedTree> packed_trees;      ///< per tree; `leaves` null when it is not packed
  /// AVX-512 only: TreeNode::threshold and TreeNode::split per model node, then 16 padding
  /// entries (see fill_goes_avx512).
  std::vector<float> node_thresholds;
  std::vector<std::uint32_t> node_splits;
  std::size_t max_tree_nodes = 0;
  std::size_t max_tree_features = 0;
  std::size_t max_path_features = 0;
  std::size_t num_tabulated = 0;
};

namespace {

// Appends the leaf paths of tree `t` to `tables` and, when they fit `budget` entries,
// tabulates them; returns the table entries used (0 when the tree is left to the path
// algorithm: too many path features, a zero or non-finite zero fraction, or over budget).
std::size_t add_tree(const TreeEnsemble &model, std::size_t t, std::size_t budget, TreeShap::Tables &tables) {
  using Step = TreeShap::Tables::Step;
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
    std::vector<Step> steps;
    std::vector<std::uint32_t> features;
    std::vector<double> zero;
  };
  std::vector<Path> paths;
  std::size_t entries = 0;
  bool fits = true;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!tree[i].is_leaf()) continue;
    Path path{i, {}, {}, {}};
    // Slots numbered from the root down, so that a node's split has the same slot on
    // every path through it (see Tables::pull).
    std::vector<std::uint32_t> chain;
    for (std::uint32_t child = i; child != 0; child = parent[child]) chain.push_back(child);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const std::uint32_t child = *it;
      const std::uint32_t p = parent[child];
      const std::uint32_t feature = tree[p].feature();
      const auto found = std::find(path.features.begin(), path.features.end(), feature);
      const auto slot = static_cast<std::uint16_t>(found - path.features.begin());
      if (found == path.features.end()) {
        path.features.push_back(feature);
        path.zero.push_back(1.0);
      }
      path.zero[slot] *= cover[child] / cover[p];
      path.steps.push_back({p, slot, static_cast<std::uint16_t>(child == tree[p].left + 1 ? 1 : 0)});
    }
    fits = fits && path.features.size() <= TreeShap::kMaxTablePathFeatures;
    for (double z : path.zero) fits = fits && z > 0 && std::isfinite(z);
    entries += std::size_t{1} << std::min(path.features.size(), TreeShap::kMaxTablePathFeatures);
    tables.max_path_features = std::max(tables.max_path_features, path.features.size());
    paths.push_back(std::move(path));
  }
  static_assert(TreeShap::kMaxTablePathFeatures <= 16, "Scratch::masks holds 16 slots");
  fits = fits && entries <= budget && n < (1u << 24);  // Tables::pull holds 24-bit parents

  // Second pass: the paths, and for a tabulated tree A(Q) for every subset Q of each
  // leaf's slots, through the elementary symmetric polynomials e_m(z_Q), built subset by
  // subset from Q minus its lowest slot.
  std::vector<double> e;
  for (const Path &path : paths) {
    const std::size_t d = path.features.size();
    const double value = leaf_value(model, begin, path.leaf);
    tables.leaves.push_back({static_cast<std::uint32_t>(tables.steps.size()),
                             static_cast<std::uint32_t>(tables.slot_local.size()),
                             static_cast<std::uint32_t>(tables.table.size()), path.leaf,
                             static_cast<std::uint16_t>(path.steps.size()), static_cast<std::uint16_t>(d), value});
    if (fits)
      for (const Step &step : path.steps)
        tables.pull[begin + (step.wants_right ? tree[step.node].left + 1 : tree[step.node].left)] =
            step.node << 8 | std::uint32_t{step.slot} << 1 | step.wants_right;
    tables.steps.insert(tables.steps.end(), path.steps.begin(), path.steps.end());
    for (std::size_t j = 0; j < d; ++j) {
      const auto first = tables.features.begin() + tables.feature_begin.back();
      const auto local = static_cast<std::uint32_t>(std::find(first, tables.features.end(), path.features[j]) - first);
      if (first + local == tables.features.end()) tables.features.push_back(path.features[j]);
      tables.slot_local.push_back(local);
      tables.slot_zero.push_back(path.zero[j]);
      tables.slot_ratio.push_back(fits ? (1.0 - path.zero[j]) / path.zero[j] : 0.0);
    }
    if (!fits) continue;
    const std::size_t subsets = std::size_t{1} << d;
    const double *w = tables.weights.data() + d * (d + 1) / 2;
    e.assign(subsets * (d + 1), 0.0);
    e[0] = 1.0;
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
      for (std::size_t k = 0; k <= size; ++k) sum += w[k] * eq[size - k];
      tables.table.push_back(static_cast<float>(value * outside * sum));
    }
  }
  return fits ? std::max<std::size_t>(entries, 1) : 0;
}

// Packs tabulated tree `t` of nodes `tree` (n of them) into `tables.packed` and the
// arrays after it when it fits PackedTree: sibling leaves in pairs, a leaf whose sibling
// is a split with a ghost.
void pack_tree(std::size_t t, const TreeNode *tree, std::uint32_t n, TreeShap::Tables &tables) {
  using Leaf = TreeShap::Tables::Leaf;
  const std::uint32_t nf = tables.feature_begin[t + 1] - tables.feature_begin[t];
  if (nf > TreeShap::kMaxPackedTreeFeatures || n > TreeShap::kMaxPackedTreeNodes) return;
  for (std::uint32_t l = tables.leaf_begin[t]; l < tables.leaf_begin[t + 1]; ++l)
    if (tables.leaves[l].d > TreeShap::kMaxPackedPathFeatures) return;
  static_assert(TreeShap::kMaxPackedPathFeatures <= 8 && TreeShap::kMaxPackedTreeFeatures <= 32 &&
                TreeShap::kMaxPackedTreeNodes <= 128);  // so at most 63 split nodes
  // The split nodes, numbered in node order.
  std::vector<std::uint32_t> number(n, 0);
  std::uint32_t splits = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (tree[i].is_leaf()) continue;
    number[i] = splits++;
    tables.split_thresholds.push_back(tree[i].threshold);
    tables.split_nodes.push_back(tree[i].split);
  }
  tables.split_thresholds.resize((tables.split_thresholds.size() + 15) / 16 * 16, 0.0f);
  tables.split_nodes.resize(tables.split_thresholds.size(), 0);
  std::uint64_t *split_slots = tables.split_slots.data() + 8 * t;
  const auto ghost = static_cast<std::uint32_t>(tables.entries);
  std::uint32_t pair = 0;
  for (std::uint32_t l = tables.leaf_begin[t]; l < tables.leaf_begin[t + 1]; ++l, ++pair) {
    // The pair: leaf l and, when it is a left child whose sibling is a leaf, leaf l + 1
    // (leaves are in node order); sides[0] is the left child, sides[1] the right.
    const Leaf &leaf = tables.leaves[l];
    const TreeShap::Tables::Step *last = leaf.steps > 0 ? &tables.steps[leaf.step_begin + leaf.steps - 1u] : nullptr;
    const Leaf *sides[2] = {nullptr, nullptr};
    sides[last != nullptr && last->wants_right ? 1 : 0] = &leaf;
    if (last != nullptr && !last->wants_right && l + 1 < tables.leaf_begin[t + 1] &&
        tables.leaves[l + 1].node == tree[last->node].left + 1u)
      sides[1] = &tables.leaves[++l];
    PackedLeaf packed{};
    const std::uint32_t parent_slot = last != nullptr ? last->slot : 0;
    for (std::uint32_t side = 0; side < 2; ++side) {
      const Leaf *one = sides[side];
      (side == 0 ? packed.table_begin : packed.second_begin) = one != nullptr ? one->table_begin : ghost;
      if (one == nullptr) continue;
      for (std::uint32_t j = 0; j < one->d; ++j) {
        const std::uint32_t local = tables.slot_local[one->slot_begin + j];
        // The left leaf's ratios unless it is a ghost; the right one's at the parent's slot.
        const auto ratio = static_cast<float>(tables.slot_ratio[one->slot_begin + j]);
        if (side == 0 || sides[0] == nullptr) packed.ratio[j] = ratio;
        if (side == 1 && j == parent_slot) packed.ratio[7] = ratio;
        packed.slot[local / 16] |= std::uint64_t{2 * j} << (4 * (local % 16 / 2) + 32 * (local % 2));
        packed.has |= 1u << local;
      }
      for (std::uint32_t s = one->step_begin; s < one->step_begin + one->steps; ++s)
        split_slots[tables.steps[s].slot] |= std::uint64_t{1} << number[tables.steps[s].node];
    }
    packed.slots = static_cast<std::uint8_t>((1u << leaf.d) - 1u);
    packed.parent_lane = static_cast<std::uint16_t>(2u << (2 * parent_slot));
    if (sides[1] == nullptr) packed.ratio[7] = packed.ratio[parent_slot];
    tables.packed.push_back(packed);
    // The path above the parent, which both leaves share.
    if (pair % 8 == 0) tables.paths.emplace_back();
    PackedPaths &paths = tables.paths.back();
    for (std::uint32_t s = leaf.step_begin; s + 1 < leaf.step_begin + leaf.steps; ++s) {
      const TreeShap::Tables::Step &step = tables.steps[s];
      const std::uint64_t bit = std::uint64_t{1} << number[step.node];
      paths.path[pair % 8] |= bit;
      if (step.wants_right) paths.right[pair % 8] |= bit;
    }
    paths.info[pair % 8] = packed.slots | std::uint64_t{parent_slot} << 8 |
                           std::uint64_t{last != nullptr ? number[last->node] : 0} << 16;
  }
  // Where the tree's sums go, 16 model features at a time (the features in any order).
  for (std::uint32_t k = 0; k < nf; ++k) {
    const std::uint32_t feature = tables.features[tables.feature_begin[t] + k];
    auto chunk = std::find_if(tables.outputs.begin() + tables.outputs_begin.back(), tables.outputs.end(),
                              [&](const PackedFeatures &o) { return o.first == (feature & ~15u); });
    if (chunk == tables.outputs.end()) chunk = tables.outputs.insert(chunk, {feature & ~15u, 0, {}});
    chunk->mask |= 1u << (feature & 15u);
    chunk->local[feature & 15u] = static_cast<std::uint8_t>(k);
  }
}

// One step of the branch-free selects below: `yes` where `take` is 1, else `no`.
// (A select on the bits, because compilers turn a ternary back into a branch.)
double select(std::uint64_t take, double yes, double no) {
  const std::uint64_t all = std::uint64_t{0} - take;
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(yes) & all) | (std::bit_cast<std::uint64_t>(no) & ~all));
}

}  // namespace

TreeShap::TreeShap(const TreeEnsemble &model, std::size_t max_table_entries, TreeKernel kernel)
    : model_(model), max_table_entries_(max_table_entries), kernel_(kernel), node_mean_(model.nodes.size()) {
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
    for (std::size_t d = 0; d <= model_.max_depth; ++d) {
      for (std::size_t k = 0; k < d; ++k)
        tables->weights.push_back(
            std::exp(log_gamma(double(k + 1)) + log_gamma(double(d - k)) - log_gamma(double(d + 1))));
      tables->weights.push_back(0.0);
    }
    tables->tabulated.assign(trees, 0);
    tables->pull.assign(model_.nodes.size(), 0);
    tables->leaf_begin.push_back(0);
    tables->feature_begin.push_back(0);
    std::size_t used = 0;
    for (std::size_t t = 0; t < trees; ++t) {
      tables->max_tree_nodes = std::max<std::size_t>(tables->max_tree_nodes, model_.tree_begin[t + 1] - model_.tree_begin[t]);
      const std::size_t entries = add_tree(model_, t, max_table_entries_ - used, *tables);
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
    tables->entries = tables->table.size();
    tables->table.resize(tables->entries + kTablePadding, 0.0f);
    tables->packed_begin.push_back(0);
    tables->paths_begin.push_back(0);
    tables->splits_begin.push_back(0);
    tables->outputs_begin.push_back(0);
    tables->split_slots.assign(8 * trees, 0);
    const bool pack = kernel_ == TreeKernel::avx512 && !model_.has_categorical && !model_.has_zero_missing;
    if (kernel_ == TreeKernel::avx512) {
      for (const TreeNode &node : model_.nodes) {
        tables->node_thresholds.push_back(node.threshold);
        tables->node_splits.push_back(node.split);
      }
      tables->node_thresholds.resize(model_.nodes.size() + 16, 0.0f);
      tables->node_splits.resize(model_.nodes.size() + 16, 0);
    }
    for (std::size_t t = 0; t < trees; ++t) {
      const std::uint32_t begin = model_.tree_begin[t], n = model_.tree_begin[t + 1] - begin;
      if (pack && tables->tabulated[t]) pack_tree(t, model_.nodes.data() + begin, n, *tables);
      tables->packed_begin.push_back(static_cast<std::uint32_t>(tables->packed.size()));
      tables->paths_begin.push_back(static_cast<std::uint32_t>(tables->paths.size()));
      tables->splits_begin.push_back(static_cast<std::uint32_t>(tables->split_nodes.size()));
      tables->outputs_begin.push_back(static_cast<std::uint32_t>(tables->outputs.size()));
    }
    for (std::size_t t = 0; t < trees; ++t) {
      const std::uint32_t split = tables->splits_begin[t], outputs = tables->outputs_begin[t];
      const std::uint32_t pairs = tables->packed_begin[t + 1] - tables->packed_begin[t];
      PackedTree tree{};
      tree.thresholds = tables->split_thresholds.data() + split;
      tree.splits = tables->split_nodes.data() + split;
      tree.splits_count = (model_.tree_begin[t + 1] - model_.tree_begin[t]) / 2;
      tree.count = pairs;
      tree.leaves = pairs > 0 ? tables->packed.data() + tables->packed_begin[t] : nullptr;
      tree.paths = tables->paths.data() + tables->paths_begin[t];
      tree.split_slots = tables->split_slots.data() + 8 * t;
      tree.outputs = tables->outputs.data() + outputs;
      tree.num_outputs = tables->outputs_begin[t + 1] - outputs;
      tree.features = tables->feature_begin[t + 1] - tables->feature_begin[t];
      for (std::uint32_t p = 0; p < pairs; ++p) tree.six |= tree.leaves[p].slots > 31;
      tables->packed_trees.push_back(tree);
    }
    tables->bias.assign(model_.base_margin.begin(), model_.base_margin.end());
    for (std::size_t t = 0; t < trees; ++t) tables->bias[model_.tree_group[t]] += node_mean_[model_.tree_begin[t]];
    tables_ = std::move(tables);
  });
  return *tables_;
}

std::size_t TreeShap::num_tabulated_trees() const { return tables().num_tabulated; }

std::size_t TreeShap::num_table_entries() const { return tables().entries; }

std::size_t TreeShap::num_packed_trees() const {
  const Tables &tab = tables();
  std::size_t packed = 0;
  for (const PackedTree &tree : tab.packed_trees) packed += tree.leaves != nullptr;
  return packed;
}

void TreeShap::explain(const float *rows, std::size_t nrow, float missing, Scratch &scratch, double *out) const {
  const Tables &tab = tables();
  const std::size_t ncol = model_.num_features;
  const std::size_t stride = ncol + 1;
  const std::size_t row_stride = model_.num_outputs() * stride;
  const std::size_t d = tab.max_path_features + 1;
  if (scratch.slots.size() < 2 * d) scratch.slots.resize(2 * d);
  if (scratch.poly.size() < 2 * d) scratch.poly.resize(2 * d);
  if (scratch.goes.size() < tab.max_tree_nodes) scratch.goes.resize(tab.max_tree_nodes);
  if (scratch.masks.size() < tab.max_tree_nodes) scratch.masks.resize(tab.max_tree_nodes);
  if (scratch.banks.size() < kBanks * tab.max_tree_features) scratch.banks.resize(kBanks * tab.max_tree_features);
  if (scratch.sums.size() < (ncol + 15) / 16 * 16) scratch.sums.resize((ncol + 15) / 16 * 16);

  for (std::size_t first = 0; first < nrow; first += kBlockRows) {
    const std::size_t count = std::min(kBlockRows, nrow - first);
    double *block = out + first * row_stride;
    std::fill(block, block + count * row_stride, 0.0);
    for (std::size_t r = 0; r < count; ++r)
      for (std::size_t g = 0; g < model_.num_outputs(); ++g) block[r * row_stride + g * stride + ncol] = tab.bias[g];
    for (std::size_t t = 0; t < model_.num_trees();) {
      const std::size_t offset = model_.tree_group[t] * stride;
      // Packed trees go in runs of the same output, each row's sums kept apart meanwhile.
      std::size_t end = t;
      while (end < model_.num_trees() && end - t < kPackedRun && tab.packed_trees[end].leaves != nullptr &&
             model_.tree_group[end] == model_.tree_group[t])
        ++end;
      if (end == t) {
        for (std::size_t r = 0; r < count; ++r)
          explain_tree(t, rows + (first + r) * ncol, missing, scratch, block + r * row_stride + offset);
        ++t;
        continue;
      }
      for (std::size_t r = 0; r < count; ++r) {
        double *sums = scratch.sums.data();
        std::fill(sums, sums + (ncol + 15) / 16 * 16, 0.0);
        explain_packed_trees_avx512(tab.packed_trees.data() + t, end - t, rows + (first + r) * ncol, ncol, missing,
                                    tab.table.data(), sums);
        double *phi = block + r * row_stride + offset;
        for (std::size_t f = 0; f < ncol; ++f) phi[f] += sums[f];
      }
      t = end;
    }
  }
}

void TreeShap::explain_tree(std::size_t t, const float *row, float missing, Scratch &scratch, double *phi) const {
  const Tables &tab = *tables_;
  const TreeNode *tree = model_.nodes.data() + model_.tree_begin[t];
  const std::uint32_t n = model_.tree_begin[t + 1] - model_.tree_begin[t];
  std::uint8_t *goes = scratch.goes.data();
  if (kernel_ == TreeKernel::avx512 && !model_.has_categorical && !model_.has_zero_missing) {
    fill_goes_avx512(tab.node_thresholds.data() + model_.tree_begin[t], tab.node_splits.data() + model_.tree_begin[t], n,
                     row, model_.num_features, missing, goes);
  } else if (model_.has_categorical || model_.has_zero_missing) {
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
  const std::uint32_t *features = tab.features.data() + tab.feature_begin[t];
  const std::uint32_t nf = tab.feature_begin[t + 1] - tab.feature_begin[t];
  // Every leaf adds to each feature of its path, and neighbouring leaves share features:
  // adding straight into phi would chain each addition to the previous one through memory.
  // Leaves take turns over kBanks accumulators of the tree's own features instead.
  double *banks = scratch.banks.data();
  std::fill(banks, banks + kBanks * nf, 0.0);
  if (tab.tabulated[t])
    add_leaves_tabulated(t, goes, scratch, banks, nf);
  else
    add_leaves_paths(t, goes, scratch, banks, nf);
  for (std::uint32_t k = 0; k < nf; ++k) {
    double sum = banks[k];
    for (std::size_t b = 1; b < kBanks; ++b) sum += banks[b * nf + k];
    phi[features[k]] += sum;
  }
}

void TreeShap::add_leaves_tabulated(std::size_t t, const std::uint8_t *goes, Scratch &scratch, double *banks,
                                    std::uint32_t nf) const {
  const Tables &tab = *tables_;
  const std::uint32_t begin = model_.tree_begin[t];
  const std::uint32_t n = model_.tree_begin[t + 1] - begin;
  const std::uint32_t *pull = tab.pull.data() + begin;
  // P at every node, from the root down (breadth-first order puts parents first).
  std::uint16_t *mask = scratch.masks.data();
  mask[0] = 0xFFFF;
  for (std::uint32_t i = 1; i < n; ++i) {
    const std::uint32_t p = pull[i];
    const std::uint32_t differs = goes[p >> 8] ^ (p & 1u);
    mask[i] = static_cast<std::uint16_t>(mask[p >> 8] & ~(differs << ((p >> 1) & 127u)));
  }
  for (std::uint32_t l = tab.leaf_begin[t]; l < tab.leaf_begin[t + 1]; ++l) {
    const Tables::Leaf &leaf = tab.leaves[l];
    const std::uint32_t leaf_mask = mask[leaf.node] & ((1u << leaf.d) - 1u);
    const float *a = tab.table.data() + leaf.table_begin;
    const std::uint32_t *local = tab.slot_local.data() + leaf.slot_begin;
    double *bank = banks + (l & (kBanks - 1)) * nf;
    const double *ratio = tab.slot_ratio.data() + leaf.slot_begin;
    // A slot j outside P adds -A(P), one in P adds ratio_j A(P \ {j}): both read
    // A(P \ {j}) (= A(P) outside P) and scale it, so the loop has no branch to mispredict
    // and reads no entry it does not use.
    for (std::uint32_t j = 0; j < leaf.d; ++j)
      bank[local[j]] += select((leaf_mask >> j) & 1u, ratio[j], -1.0) * a[leaf_mask & ~(1u << j)];
  }
}

void TreeShap::add_leaves_paths(std::size_t t, const std::uint8_t *goes, Scratch &scratch, double *banks,
                                std::uint32_t nf) const {
  const Tables &tab = *tables_;
  const Tables::Step *steps = tab.steps.data();
  const std::size_t width = tab.max_path_features + 1;
  std::uint32_t *follows = scratch.slots.data();  // per slot: 1 when the slot is in P
  std::uint32_t *in_p = follows + width;          // P's slots, in order
  double *poly = scratch.poly.data();             // coefficients of prod_{j in P} (z_j + x)
  double *add = poly + width;                     // per slot: what the leaf adds to it
  for (std::uint32_t l = tab.leaf_begin[t]; l < tab.leaf_begin[t + 1]; ++l) {
    const Tables::Leaf &leaf = tab.leaves[l];
    const std::uint32_t d = leaf.d;
    const double *zero = tab.slot_zero.data() + leaf.slot_begin;
    const double *w = tab.weights.data() + std::size_t{d} * (d + 1) / 2;
    std::fill(follows, follows + d, 1u);
    for (std::uint32_t s = leaf.step_begin, e = s + leaf.steps; s < e; ++s)
      follows[steps[s].slot] &= 1u ^ goes[steps[s].node] ^ steps[s].wants_right;
    // P in a dense list, and v times the zero fractions of the slots outside P: the work
    // below grows with |P|, usually a few slots, rather than with d.
    std::uint32_t m = 0;
    double scale = leaf.value;
    for (std::uint32_t j = 0; j < d; ++j) {
      in_p[m] = j;
      m += follows[j];
      scale *= select(follows[j], 1.0, zero[j]);
    }
    poly[0] = 1.0;
    for (std::uint32_t a = 0; a < m; ++a) {
      const double z = zero[in_p[a]];
      poly[a + 1] = poly[a];
      for (std::uint32_t k = a; k > 0; --k) poly[k] = z * poly[k] + poly[k - 1];
      poly[0] *= z;
    }
    double total = 0.0;
    for (std::uint32_t k = 0; k <= m; ++k) total += w[k] * poly[k];
    const double outside = -scale * total;
    std::fill(add, add + d, outside);
    // A slot i in P: the polynomial without its factor (z_i + x), by synthetic division.
    for (std::uint32_t a = 0; a < m; ++a) {
      const double z = zero[in_p[a]];
      double q = poly[m], sum = 0.0;
      for (std::uint32_t k = m - 1; k > 0; --k) {
        sum += w[k] * q;
        q = poly[k] - z * q;
      }
      sum += w[0] * q;
      add[in_p[a]] = (1.0 - z) * scale * sum;
    }
    const std::uint32_t *local = tab.slot_local.data() + leaf.slot_begin;
    double *bank = banks + (l & (kBanks - 1)) * nf;
    for (std::uint32_t j = 0; j < d; ++j) bank[local[j]] += add[j];
  }
}

}  // namespace riskkit::detail
