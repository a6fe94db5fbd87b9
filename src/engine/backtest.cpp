// Back-testing: run the rule stage over labelled history chunk by chunk, on all cores,
// and tally rule hits as bitsets (one bit per row), so overlaps are ANDs and popcounts.
#include "riskkit/engine/backtest.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

using Word = std::uint64_t;
constexpr std::size_t kChunk = 65'536;  // rows per chunk: bounds the bitsets held (n rules x 8 KiB)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(std::size_t num, std::size_t den) {
  return den == 0 ? kNaN : static_cast<double>(num) / static_cast<double>(den);
}

std::size_t popcount_and(const Word *a, const Word *b, std::size_t words) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < words; ++w) n += static_cast<std::size_t>(std::popcount(a[w] & b[w]));
  return n;
}

}  // namespace

double BacktestReport::jaccard(std::size_t i, std::size_t j) const {
  const std::size_t inter = both(i, j);
  return ratio(inter, both(i, i) + both(j, j) - inter);
}

struct BacktestAccumulator::State {
  const Engine &engine;
  int nthread = 0;
  std::shared_ptr<const Bundle> bundle;  // one snapshot for the whole back-test
  std::vector<const Rule *> rules;        // its enabled rules, in order
  std::vector<std::size_t> index;         // rule set position → position in `rules`
  std::size_t rows = 0, bads = 0, rejected = 0;
  std::vector<std::size_t> hits, bad_hits, overlap;
  std::vector<Word> bits;  // per rule, one bit per row of the current chunk

  explicit State(const Engine &e, int threads) : engine(e), nthread(threads), bundle(e.bundle()) {
    for (const Rule &r : bundle->rules().rules()) {
      index.push_back(rules.size());
      if (r.enabled) rules.push_back(&r);
    }
    hits.assign(rules.size(), 0);
    bad_hits.assign(rules.size(), 0);
    overlap.assign(rules.size() * rules.size(), 0);
  }
};

BacktestAccumulator::BacktestAccumulator(const Engine &engine, int nthread)
    : state_(std::make_unique<State>(engine, nthread)) {}

BacktestAccumulator::~BacktestAccumulator() = default;

void BacktestAccumulator::add(std::span<const Record> records, std::span<const std::uint8_t> labels) {
  if (records.size() != labels.size())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("backtest: {} records but {} labels", records.size(), labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 1)
      throw Error(ErrorCode::invalid_argument, fmt::format("backtest: label {} of row {} is not 0 or 1", labels[i], i));
  State &s = *state_;
  const std::size_t n = s.rules.size();
  for (std::size_t begin = 0; begin < records.size(); begin += kChunk) {
    const std::size_t m = std::min(kChunk, records.size() - begin);
    const std::size_t words = (m + 63) / 64;
    s.bits.assign((n + 2) * words, 0);  // n rules, then the bad rows, then the rejected rows
    Word *bad = &s.bits[n * words];
    Word *rejected = &s.bits[(n + 1) * words];
    run_chunk(records.subspan(begin, m), labels.subspan(begin, m), words, bad, rejected);
    const std::size_t rejected_rows = popcount_and(rejected, rejected, words);
    s.rejected += rejected_rows;
    s.rows += m - rejected_rows;
    s.bads += popcount_and(bad, bad, words);
    for (std::size_t i = 0; i < n; ++i) {
      const Word *a = &s.bits[i * words];
      s.bad_hits[i] += popcount_and(a, bad, words);
      for (std::size_t j = i; j < n; ++j) {
        const std::size_t both = popcount_and(a, &s.bits[j * words], words);
        s.overlap[i * n + j] += both;
        if (j != i) s.overlap[j * n + i] += both;
      }
      s.hits[i] = s.overlap[i * n + i];
    }
  }
}

// Each thread takes whole 64-row words, so no two threads write the same word.
void BacktestAccumulator::run_chunk(std::span<const Record> records, std::span<const std::uint8_t> labels,
                                    std::size_t words, Word *bad, Word *rejected) {
  State &s = *state_;
  detail::for_each_chunk(words, s.nthread, 1, [&](std::size_t first_word, std::size_t end_word) {
    std::vector<std::size_t> hits;
    const std::size_t last = std::min(records.size(), end_word * 64);
    for (std::size_t r = first_word * 64; r < last; ++r) {
      const Word bit = Word{1} << (r % 64);
      hits.clear();
      try {
        s.engine.rule_hits(*s.bundle, records[r], hits);
      } catch (const Error &e) {
        if (e.code() != ErrorCode::invalid_record) throw;  // rethrown on the calling thread
        rejected[r / 64] |= bit;
        continue;
      }
      if (labels[r]) bad[r / 64] |= bit;
      for (const std::size_t h : hits) s.bits[s.index[h] * words + r / 64] |= bit;
    }
  });
}

BacktestReport BacktestAccumulator::report() const {
  const State &s = *state_;
  BacktestReport out;
  out.rows = s.rows;
  out.bads = s.bads;
  out.rejected = s.rejected;
  out.bad_rate = ratio(s.bads, s.rows);
  out.overlap = s.overlap;
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    const Rule &r = *s.rules[i];
    RuleBacktest b;
    b.rule_id = r.id;
    b.action = r.action;
    b.mode = r.mode;
    b.tags = r.tags;
    b.hits = s.hits[i];
    b.bad_hits = s.bad_hits[i];
    b.hit_rate = ratio(b.hits, s.rows);
    b.bad_rate = ratio(b.bad_hits, b.hits);
    b.recall = ratio(b.bad_hits, s.bads);
    b.lift = out.bad_rate > 0 ? b.bad_rate / out.bad_rate : kNaN;
    out.rules.push_back(std::move(b));
  }
  return out;
}

BacktestReport backtest(const Engine &engine, std::span<const Record> records, std::span<const std::uint8_t> labels,
                        int nthread) {
  BacktestAccumulator acc(engine, nthread);
  acc.add(records, labels);
  return acc.report();
}

}  // namespace riskkit
