#include "models/tree_model.hpp"

#include <algorithm>
#include <array>

namespace riskkit::detail {

TreeModel::TreeModel(TreeEnsemble ensemble) : ensemble_(std::move(ensemble)), shap_(ensemble_) {
  if (ensemble_.complete.empty()) build_complete_trees(ensemble_);
}

void TreeModel::predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options, double *out) const {
  // Margins accumulate in float32 like XGBoost's; a stack buffer keeps single rows and
  // ordinary batches free of allocation.
  constexpr std::size_t kStackFloats = 1024;
  const std::size_t k = ensemble_.num_outputs();
  const std::size_t ncol = ensemble_.num_features;
  std::array<float, kStackFloats> stack;
  std::vector<float> heap;
  float *margins = stack.data();
  std::size_t piece = kStackFloats / k;
  if (piece == 0) {
    heap.resize(k);
    margins = heap.data();
    piece = 1;
  }
  for (std::size_t begin = 0; begin < nrow; begin += piece) {
    const std::size_t n = std::min(piece, nrow - begin);
    for (std::size_t r = 0; r < n; ++r) std::copy(ensemble_.base_margin.begin(), ensemble_.base_margin.end(), margins + r * k);
    accumulate_margins(ensemble_, rows + begin * ncol, n, options.missing, margins);
    if (options.output == PredictOutput::value)
      for (std::size_t r = 0; r < n; ++r) ensemble_.objective.transform(margins + r * k, k);
    std::copy(margins, margins + n * k, out + begin * k);
  }
}

void TreeModel::contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                                  double *out) const {
  // One scratch per thread, grown to the largest model it has explained: a decision's
  // contributions allocate nothing after the thread's first call.
  thread_local TreeShap::Scratch scratch;
  shap_.explain(rows, nrow, options.missing, scratch, out);
}

}  // namespace riskkit::detail
