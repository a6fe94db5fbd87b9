#pragma once
// Reading model inputs from CSV for `riskkit predict` and `riskkit explain`.

#include <cstddef>
#include <string>
#include <vector>

#include "riskkit/models/model.hpp"

namespace riskkit::cli {

/// The input column of each model feature: by name when the header names every feature of
/// a model that has names, else by position (then the column count must match).
std::vector<std::size_t> feature_columns(const Model &model, const std::vector<std::string> &header,
                                         const std::string &origin);

/// A cell as a feature value: empty, "NaN", "nan" and "NA" are missing; out-of-range numbers
/// become ±inf. Throws Error(parse) naming origin:line and the column for anything else.
float feature_value(const std::string &cell, const std::string &origin, std::size_t line, std::size_t column);

}  // namespace riskkit::cli
