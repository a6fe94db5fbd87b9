#pragma once
// The numeric rows of one characteristic as sorted (float32 value, label) keys, and the
// equal-frequency cells cut from them.

#include <cstdint>
#include <span>
#include <vector>

#include "scorecard/bin_cells.hpp"

namespace riskkit::scorecard::detail {

/// A float32 value and a 0/1 label packed so that integer order is value order:
/// bits 1..32 hold the value's order-preserving bit pattern, bit 0 the label.
using ValueKey = std::uint64_t;

/// The key of (`value`, `bad`); −0 and +0 get the same key.
ValueKey make_key(float value, bool bad) noexcept;
/// The float32 value of a key.
float key_value(ValueKey key) noexcept;

/// Sorts keys in place (LSD radix sort on the 33 significant bits; `scratch` is reused).
void sort_keys(std::vector<ValueKey> &keys, std::vector<ValueKey> &scratch);

/// Equal-frequency cells over sorted keys: edges at the `bins`-quantiles (the value at
/// position k·n/bins), duplicates and the smallest value dropped, so no cell is empty.
std::vector<Cell> quantile_cells(std::span<const ValueKey> sorted, std::size_t bins);

/// Cells of sorted keys over given edges (x < edge falls below it); cells may be empty.
std::vector<Cell> edge_cells(std::span<const ValueKey> sorted, std::span<const double> edges);

}  // namespace riskkit::scorecard::detail
