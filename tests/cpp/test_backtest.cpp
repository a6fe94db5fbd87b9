// Back-testing against a brute-force count: every record decided one at a time with
// Engine::decide, and each figure (hits, bad rate, recall, lift, overlap, Jaccard)
// counted with plain loops from its definition in docs/backtest.md.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "riskkit/engine/backtest.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/error.hpp"

using riskkit::BacktestReport;
using riskkit::Engine;
using riskkit::Record;
using riskkit::Value;

namespace {

const std::string kBundle = RK_TEST_DATA "/bundles/rule_policy";

/// Random applications over the rule_policy bundle's fields, some missing, one in 50
/// without its required amount (rejected).
std::vector<Record> history(std::size_t n, std::vector<std::uint8_t> &labels) {
  std::mt19937_64 rng(7);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<std::uint64_t>(k)); };
  std::vector<Record> out;
  for (std::size_t i = 0; i < n; ++i) {
    Record r;
    if (pick(50) != 0) r.set("amount", Value::number(1000 + pick(80) * 1000));
    if (pick(10) != 0) r.set("income", Value::number(pick(12) * 1000));
    r.set("applied_at", Value::string(fmt::format("2026-03-{:02}T{:02}:30:00Z", 10 + pick(10), pick(24))));
    if (pick(5) != 0) r.set("account_opened_at", Value::string(fmt::format("2026-0{}-01T00:00:00Z", 1 + pick(3))));
    r.set("email", Value::string(pick(6) == 0 ? "x@mailinator.com" : "y@bank.example"));
    if (pick(20) == 0) r.set("on_allowlist", Value::boolean(true));
    out.push_back(std::move(r));
    labels.push_back(static_cast<std::uint8_t>(pick(4) == 0));
  }
  return out;
}

bool same(double got, double want) { return (std::isnan(got) && std::isnan(want)) || std::fabs(got - want) < 1e-12; }

}  // namespace

TEST_CASE("backtest figures equal a record-by-record count") {
  const Engine engine = Engine::open(kBundle);
  std::vector<std::uint8_t> labels;
  const std::vector<Record> records = history(3000, labels);

  // The oracle: one decision at a time, then plain counting.
  std::vector<std::string> ids;
  for (const auto &rule : engine.bundle()->rules().rules())
    if (rule.enabled) ids.push_back(rule.id);
  const std::size_t n = ids.size();
  std::vector<std::vector<bool>> fired;  // per scored row, per rule
  std::vector<std::uint8_t> scored_labels;
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    riskkit::Decision d;
    try {
      d = engine.decide(records[i]);
    } catch (const riskkit::Error &) {
      ++rejected;
      continue;
    }
    std::vector<bool> row(n, false);
    for (const auto &h : d.rule_hits)
      for (std::size_t k = 0; k < n; ++k) row[k] = row[k] || h.rule_id == ids[k];
    fired.push_back(row);
    scored_labels.push_back(labels[i]);
  }
  std::size_t bads = 0;
  for (auto l : scored_labels) bads += l;

  for (const int threads : {1, 2, 0}) {
    const BacktestReport r = riskkit::backtest(engine, records, labels, threads);
    REQUIRE(r.rules.size() == n);
    CHECK(r.rows == fired.size());
    CHECK(r.rejected == rejected);
    CHECK(r.bads == bads);
    const double overall = static_cast<double>(bads) / static_cast<double>(fired.size());
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t hits = 0, bad_hits = 0;
      for (std::size_t i = 0; i < fired.size(); ++i) {
        hits += fired[i][k];
        bad_hits += fired[i][k] && scored_labels[i];
      }
      const auto &b = r.rules[k];
      CHECK(b.rule_id == ids[k]);
      CHECK(b.hits == hits);
      CHECK(b.bad_hits == bad_hits);
      const double bad_rate = hits ? static_cast<double>(bad_hits) / static_cast<double>(hits) : std::nan("");
      CHECK(same(b.hit_rate, static_cast<double>(hits) / static_cast<double>(fired.size())));
      CHECK(same(b.bad_rate, bad_rate));
      CHECK(same(b.recall, static_cast<double>(bad_hits) / static_cast<double>(bads)));
      CHECK(same(b.lift, bad_rate / overall));
      for (std::size_t j = 0; j < n; ++j) {
        std::size_t both = 0, either = 0;
        for (const auto &row : fired) {
          both += row[k] && row[j];
          either += row[k] || row[j];
        }
        CHECK(r.both(k, j) == both);
        CHECK(same(r.jaccard(k, j), either ? static_cast<double>(both) / static_cast<double>(either) : std::nan("")));
      }
    }
  }
  // Every rule of the bundle that can fire does, so the figures above are not all zero.
  const BacktestReport r = riskkit::backtest(engine, records, labels);
  for (const auto &b : r.rules)
    if (b.rule_id != "D001") CHECK_MESSAGE(b.hits > 0, b.rule_id);
  CHECK(r.rules.back().rule_id == "D001");  // the disabled X001 is left out
}

TEST_CASE("backtest refuses mismatched or non-binary labels") {
  const Engine engine = Engine::open(kBundle);
  const std::vector<Record> records(2);
  const std::vector<std::uint8_t> one{1}, two{0, 2};
  CHECK_THROWS_AS(riskkit::backtest(engine, records, one), riskkit::Error);
  CHECK_THROWS_AS(riskkit::backtest(engine, records, two), riskkit::Error);
  const BacktestReport empty = riskkit::backtest(engine, {}, {});
  CHECK(empty.rows == 0);
  CHECK(std::isnan(empty.bad_rate));
}
