#pragma once
/// \file
/// "Did you mean …?" for misspelt names.

#include <span>
#include <string>
#include <string_view>

namespace riskkit::rules {

/// The candidate closest to `name` by edit distance, if it is close enough to be a
/// plausible typo (at most a third of the name's length, and at least 1); else "".
std::string closest_name(std::string_view name, std::span<const std::string_view> candidates);

/// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view name, std::span<const std::string_view> candidates);

}  // namespace riskkit::rules
