#pragma once
// Reads `policy.tables` of bundle.json into BundleTables (docs/bundle-format.md).

#include <string>
#include <vector>

#include "core/json_parse.hpp"
#include "engine/manifest_reader.hpp"
#include "engine/table_stage.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit::detail {

/// The most rows one table may have: the index takes up to rows² / 32 bytes per number
/// column (2 pieces per distinct bound, one bit per row in each).
inline constexpr std::size_t kMaxTableRows = 10'000;

/// Reads the object `tables` (name → table). Inputs resolve, in this order, to a field or
/// feature in `symbols`, a score in `score_names` (models, then "rule_score") or "grade".
/// Records a problem, with its JSON path, for everything malformed.
std::vector<BundleTable> read_tables(ManifestReader &reader, const Json &tables, const rules::SymbolTable &symbols,
                                     const std::vector<std::string> &score_names);

}  // namespace riskkit::detail
