#include "models/tree_shap.hpp"

#include <algorithm>

namespace riskkit::detail {
namespace {

using PathElement = TreeShap::PathElement;

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

// Cover-weighted mean leaf value of the subtree at `node` (XGBoost's FillNodeMeanValues).
double fill_mean(const TreeNode *tree, const double *cover, std::uint32_t node, double *mean) {
  const TreeNode &n = tree[node];
  if (n.is_leaf()) return mean[node] = n.leaf_value;
  const double sum = fill_mean(tree, cover, n.left, mean) * cover[n.left] +
                     fill_mean(tree, cover, n.left + 1, mean) * cover[n.left + 1];
  return mean[node] = sum / cover[node];
}

}  // namespace

TreeShap::TreeShap(const TreeEnsemble &model) : model_(model), node_mean_(model.nodes.size()) {
  for (std::size_t t = 0; t < model.num_trees(); ++t) {
    const std::uint32_t begin = model.tree_begin[t];
    fill_mean(model.nodes.data() + begin, model.cover.data() + begin, 0, node_mean_.data() + begin);
  }
}

std::vector<TreeShap::PathElement> TreeShap::make_scratch() const {
  const std::size_t d = model_.max_depth + 2;
  return std::vector<PathElement>(d * (d + 1) / 2);
}

void TreeShap::explain(const float *row, float missing, std::vector<PathElement> &scratch, double *out) const {
  const std::size_t stride = model_.num_features + 1;
  std::fill(out, out + model_.num_outputs() * stride, 0.0);
  for (std::size_t g = 0; g < model_.num_outputs(); ++g) out[g * stride + model_.num_features] = model_.base_margin[g];
  for (std::size_t t = 0; t < model_.num_trees(); ++t) {
    const std::uint32_t begin = model_.tree_begin[t];
    double *phi = out + model_.tree_group[t] * stride;
    phi[model_.num_features] += node_mean_[begin];
    recurse(model_.nodes.data() + begin, model_.cover.data() + begin, 0, row, missing, phi,
            scratch.data(), 0, 1.0, 1.0, -1);
  }
}

void TreeShap::recurse(const TreeNode *tree, const double *cover, std::uint32_t node,
                       const float *row, float missing, double *phi, PathElement *parent_path, std::size_t depth,
                       double zero_fraction, double one_fraction, int feature) const {
  PathElement *path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(path, depth, zero_fraction, one_fraction, feature);
  const TreeNode &n = tree[node];
  if (n.is_leaf()) {
    for (std::size_t i = 1; i <= depth; ++i) {
      const double w = unwound_sum(path, depth, i);
      phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * n.leaf_value;
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
  recurse(tree, cover, hot, row, missing, phi, path, depth + 1, hot_zero * incoming_zero, incoming_one, split);
  recurse(tree, cover, cold, row, missing, phi, path, depth + 1, cold_zero * incoming_zero, 0, split);
}

}  // namespace riskkit::detail
