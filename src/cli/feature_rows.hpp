#pragma once
// Reading model inputs from CSV for `riskkit predict` and `riskkit explain`.

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "cli/csv.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::cli {

/// Rows of model inputs from a CSV with a header row. Columns feed the model's features by
/// name when the header names every feature of a model that has names, else by position
/// (then the column count must match). Empty cells, "NaN", "nan" and "NA" are missing;
/// out-of-range numbers become ±inf; blank lines are skipped. Errors name origin:line.
class FeatureRowReader {
 public:
  FeatureRowReader(std::istream &in, std::string origin, const Model &model);
  /// Reads up to `max` rows into `rows` (cleared; row-major, num_features() floats each);
  /// returns how many were read, 0 at the end of the input.
  std::size_t read(std::size_t max, std::vector<float> &rows);

 private:
  std::string origin_;
  CsvReader csv_;
  std::vector<std::string> header_;
  std::vector<std::size_t> columns_;  // input column of each model feature
  std::vector<std::string> cells_;
};

}  // namespace riskkit::cli
