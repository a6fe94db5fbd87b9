// Sorting a characteristic once, as packed integer keys, makes every later step (quantile
// edges, bin counts) a single pass. A radix sort keeps a million rows to a few passes over
// memory, several times faster than a comparison sort.
#include "scorecard/sorted_values.hpp"

#include <array>
#include <bit>
#include <cmath>

namespace riskkit::scorecard::detail {

ValueKey make_key(float value, bool bad) noexcept {
  if (value == 0) value = 0;  // -0 sorts with +0: they compare equal
  std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  bits = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return (static_cast<ValueKey>(bits) << 1) | (bad ? 1u : 0u);
}

float key_value(ValueKey key) noexcept {
  std::uint32_t bits = static_cast<std::uint32_t>(key >> 1);
  bits = (bits & 0x80000000u) ? (bits & 0x7fffffffu) : ~bits;
  return std::bit_cast<float>(bits);
}

void sort_keys(std::vector<ValueKey> &keys, std::vector<ValueKey> &scratch) {
  constexpr int kBits = 11, kPasses = 3;  // 33 significant bits
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  scratch.resize(keys.size());
  for (int pass = 0; pass < kPasses; ++pass) {
    const int shift = pass * kBits;
    std::array<std::size_t, kBuckets> offset{};
    for (ValueKey k : keys) ++offset[(k >> shift) & (kBuckets - 1)];
    std::size_t sum = 0;
    for (std::size_t &o : offset) {
      const std::size_t c = o;
      o = sum;
      sum += c;
    }
    for (ValueKey k : keys) scratch[offset[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(scratch);
  }
}

std::vector<Cell> quantile_cells(std::span<const ValueKey> sorted, std::size_t bins) {
  std::vector<double> edges;
  const std::size_t n = sorted.size();
  if (n == 0) return {Cell{}};
  const double first = key_value(sorted.front());
  for (std::size_t k = 1; k < bins; ++k) {
    const double e = key_value(sorted[k * n / bins]);
    if (e > first && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  return edge_cells(sorted, edges);
}

std::vector<Cell> edge_cells(std::span<const ValueKey> sorted, std::span<const double> edges) {
  std::vector<Cell> cells(edges.size() + 1);
  for (std::size_t i = 0; i < edges.size(); ++i) cells[i].upper = edges[i];
  std::size_t cell = 0;
  for (ValueKey k : sorted) {
    const double v = key_value(k);
    while (cell < edges.size() && !(v < edges[cell])) ++cell;
    ++cells[cell].count;
    cells[cell].bads += k & 1u;
  }
  return cells;
}

}  // namespace riskkit::scorecard::detail
