#pragma once
// Checking and applying the stateless transforms of include/riskkit/features/transforms.hpp.

#include <string>

#include "riskkit/core/value.hpp"
#include "riskkit/features/transforms.hpp"

namespace riskkit::detail {

/// Checks `b` (edges strictly increasing and finite, one value per bin, values finite,
/// special values distinct) and sorts its special values; returns the problem, or "".
std::string check_bins(BinsDefinition &b);
/// The bin value of `x` (a number, or missing); NaN for a missing input without `missing`.
double apply_bins(const BinsDefinition &b, const Value &x) noexcept;

/// Checks `m` (categories distinct, values finite) and sorts it; returns the problem, or "".
std::string check_map(CategoryMapDefinition &m);
/// The value of category `x` (a string, or missing).
double apply_map(const CategoryMapDefinition &m, const Value &x) noexcept;

}  // namespace riskkit::detail
