#pragma once
// The policy's decision tables inside a bundle: where each input comes from, and the
// stage of a decision that looks them up (docs/bundle-format.md, `policy.tables`).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/policy/decision_table.hpp"

namespace riskkit::detail {

/// Where a table input is read from.
struct TableInputRef {
  enum class Source : std::uint8_t { slot, score, grade };
  Source source = Source::slot;
  std::size_t index = 0;  ///< slot, or index into the scores (models, then rule_score)
};

struct BundleTable {
  std::string name;
  DecisionTable table;
  std::vector<TableInputRef> inputs;  ///< one per table input column
};

/// Looks up every table and appends its outputs ("<table>.<output>") to d.outputs.
void run_tables(std::span<const BundleTable> tables, std::span<const Value> slots, std::span<const double> scores,
                const std::string &grade, Decision &d);

}  // namespace riskkit::detail
