#pragma once
/// \file
/// Back-testing a bundle's rules on labelled history: how often each rule fires, how
/// many of its hits were bad, how many of all bads it catches, and how rules overlap.
/// Definitions: docs/backtest.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/record.hpp"
#include "riskkit/export.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit {

class Engine;

/// One rule's figures over the scored rows. Rates are NaN when their denominator is 0.
struct RuleBacktest {
  std::string rule_id;
  Action action = Action::flag;
  RuleMode mode = RuleMode::active;
  std::vector<std::string> tags;
  std::size_t hits = 0;      ///< rows where the rule fired
  std::size_t bad_hits = 0;  ///< of those, rows labelled bad
  double hit_rate = 0;       ///< hits / rows
  double bad_rate = 0;       ///< bad_hits / hits: the bad rate among hits (precision)
  double recall = 0;         ///< bad_hits / bads: the share of all bads the rule catches
  double lift = 0;           ///< bad_rate / overall bad rate
};

/// A back-test of every enabled rule (active and shadow), in rule order.
struct RK_API BacktestReport {
  std::size_t rows = 0;      ///< rows scored (rejected records excluded)
  std::size_t bads = 0;      ///< of those, rows labelled bad
  std::size_t rejected = 0;  ///< records the schema rejected (a required field missing)
  double bad_rate = 0;       ///< bads / rows (NaN when no rows)
  std::vector<RuleBacktest> rules;
  /// rules.size()² counts, row-major: overlap[i * n + j] = rows where rules i and j both
  /// fired; the diagonal is each rule's hits.
  std::vector<std::size_t> overlap;

  /// Rows where rules i and j both fired.
  std::size_t both(std::size_t i, std::size_t j) const { return overlap[i * rules.size() + j]; }
  /// |i ∩ j| / |i ∪ j| over rows; NaN when neither fired.
  double jaccard(std::size_t i, std::size_t j) const;
};

/// Runs the rule stage of `engine` on every record (Engine::rule_hits: the production
/// path of fields, features and rules, without models or policy) on `nthread` threads
/// (0 = all cores) and tallies each enabled rule's hits against `labels` (1 = bad,
/// 0 = good; one per record). Records the schema rejects are counted in `rejected` and
/// left out. Memory stays bounded: rows are processed in chunks of 65,536. With
/// velocity features, records update the velocity state as decide() does; threads
/// interleave them, so pass nthread = 1 with history sorted by event time when velocity
/// results must match a sequential replay. Throws Error(invalid_argument) when the
/// sizes differ or a label is not 0/1.
RK_API BacktestReport backtest(const Engine &engine, std::span<const Record> records,
                               std::span<const std::uint8_t> labels, int nthread = 0);

/// Accumulates a back-test chunk by chunk, for callers that stream their history
/// (the CLI reads CSV in chunks). add() is not thread-safe; it parallelizes inside.
class RK_API BacktestAccumulator {
 public:
  explicit BacktestAccumulator(const Engine &engine, int nthread = 0);
  ~BacktestAccumulator();
  BacktestAccumulator(const BacktestAccumulator &) = delete;
  BacktestAccumulator &operator=(const BacktestAccumulator &) = delete;

  /// Decides and tallies one chunk; same rules as backtest().
  void add(std::span<const Record> records, std::span<const std::uint8_t> labels);
  /// The report over everything added so far.
  BacktestReport report() const;

 private:
  using Word = std::uint64_t;
  void run_chunk(std::span<const Record> records, std::span<const std::uint8_t> labels, std::size_t words, Word *bad,
                 Word *rejected);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace riskkit
