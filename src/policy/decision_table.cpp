// DecisionTable: construction, the per-column bitset index, and lookups.
#include "riskkit/policy/decision_table.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit {

const char *to_string(HitPolicy policy) noexcept { return policy == HitPolicy::collect ? "collect" : "first"; }

bool parse_hit_policy(std::string_view text, HitPolicy &out) noexcept {
  if (text == "first") out = HitPolicy::first;
  else if (text == "collect") out = HitPolicy::collect;
  else return false;
  return true;
}

namespace {

using Word = std::uint64_t;
constexpr std::size_t kBits = 64;

void set_bit(Word *bits, std::size_t row) { bits[row / kBits] |= Word{1} << (row % kBits); }

}  // namespace

// A number column. Its bounds e[0] < ... < e[k-1] cut the line into 2k+1 pieces:
// (-inf, e0), [e0, e0], (e0, e1), [e1, e1], ..., (e[k-1], +inf). Every condition is
// constant on each piece, so one bitset per piece answers any lookup: piece 2i+1 is the
// point e[i], piece 2i the open stretch before it.
struct DecisionTable::NumberIndex {
  std::vector<double> bounds;
  std::vector<Word> pieces;  // (2k+1) x words
  std::vector<Word> missing;  // rows whose cell is "-"

  std::size_t piece_of(double x) const {
    const auto it = std::lower_bound(bounds.begin(), bounds.end(), x);
    const auto i = static_cast<std::size_t>(it - bounds.begin());
    return it != bounds.end() && *it == x ? 2 * i + 1 : 2 * i;
  }
};

// A string column: one bitset per string some cell lists; `other` for any other string
// and `missing` for a missing value hold the "-" rows.
struct DecisionTable::StringIndex {
  std::unordered_map<std::string, std::vector<Word>> by_value;
  std::vector<Word> other;
};

struct DecisionTable::Index {
  std::size_t words = 0;
  std::vector<Word> all;                // every row
  std::vector<NumberIndex> numbers;     // per input column (empty for string columns)
  std::vector<StringIndex> strings;     // per input column (empty for number columns)
  std::vector<bool> trivial;            // every cell of the column is "-": skipped
};

DecisionTable::DecisionTable(HitPolicy hit, std::vector<TableColumn> inputs, std::vector<std::string> output_names,
                             std::vector<std::vector<CellCondition>> conditions, std::vector<std::vector<Value>> outputs)
    : hit_(hit),
      inputs_(std::move(inputs)),
      output_names_(std::move(output_names)),
      conditions_(std::move(conditions)),
      outputs_(std::move(outputs)) {
  std::unordered_set<std::string_view> names;
  for (const auto &name : output_names_)
    if (!names.insert(name).second) throw Error(ErrorCode::invalid_argument, fmt::format("output '{}' repeats", name));
  if (outputs_.size() != conditions_.size())
    throw Error(ErrorCode::invalid_argument, "decision table: one output row is needed per condition row");
  for (std::size_t r = 0; r < conditions_.size(); ++r) {
    if (conditions_[r].size() != inputs_.size() || outputs_[r].size() != output_names_.size())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("decision table row {}: expected {} conditions and {} outputs", r, inputs_.size(),
                              output_names_.size()));
    for (std::size_t c = 0; c < inputs_.size(); ++c) {
      const CellCondition &cell = conditions_[r][c];
      using Kind = CellCondition::Kind;
      constexpr double kInf = std::numeric_limits<double>::infinity();
      if (cell.kind == Kind::interval && (inputs_[c].is_string || std::isnan(cell.lo) || std::isnan(cell.hi) ||
                                          cell.lo == kInf || cell.hi == -kInf))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("decision table row {}, input '{}': a range needs a number column, and bounds that "
                                "are numbers (-inf only below, +inf only above)",
                                r, inputs_[c].name));
      if (cell.kind == Kind::one_of && !inputs_[c].is_string)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("decision table row {}, input '{}': a list of strings needs a string column", r,
                                inputs_[c].name));
    }
  }

  auto index = std::make_shared<Index>();
  const std::size_t rows = conditions_.size();
  const std::size_t words = (rows + kBits - 1) / kBits;
  index->words = words;
  index->all.assign(words, 0);
  for (std::size_t r = 0; r < rows; ++r) set_bit(index->all.data(), r);
  index->numbers.resize(inputs_.size());
  index->strings.resize(inputs_.size());
  index->trivial.assign(inputs_.size(), true);

  for (std::size_t c = 0; c < inputs_.size(); ++c) {
    for (std::size_t r = 0; r < rows; ++r)
      if (conditions_[r][c].kind != CellCondition::Kind::any) index->trivial[c] = false;
    if (index->trivial[c]) continue;
    if (inputs_[c].is_string) {
      StringIndex &s = index->strings[c];
      s.other.assign(words, 0);
      for (std::size_t r = 0; r < rows; ++r)
        for (const std::string &v : conditions_[r][c].strings) s.by_value.emplace(v, std::vector<Word>(words, 0));
      for (std::size_t r = 0; r < rows; ++r) {
        const CellCondition &cell = conditions_[r][c];
        if (cell.kind == CellCondition::Kind::any) {
          set_bit(s.other.data(), r);
          for (auto &[value, bits] : s.by_value) set_bit(bits.data(), r);
        } else {
          for (const std::string &v : cell.strings) set_bit(s.by_value[v].data(), r);
        }
      }
      continue;
    }
    NumberIndex &n = index->numbers[c];
    for (std::size_t r = 0; r < rows; ++r) {
      const CellCondition &cell = conditions_[r][c];
      if (cell.kind != CellCondition::Kind::interval) continue;
      if (std::isfinite(cell.lo)) n.bounds.push_back(cell.lo);
      if (std::isfinite(cell.hi)) n.bounds.push_back(cell.hi);
    }
    std::sort(n.bounds.begin(), n.bounds.end());
    n.bounds.erase(std::unique(n.bounds.begin(), n.bounds.end()), n.bounds.end());
    const std::size_t pieces = 2 * n.bounds.size() + 1;
    n.pieces.assign(pieces * words, 0);
    n.missing.assign(words, 0);
    for (std::size_t r = 0; r < rows; ++r) {
      const CellCondition &cell = conditions_[r][c];
      if (cell.kind == CellCondition::Kind::any) {
        set_bit(n.missing.data(), r);
        for (std::size_t p = 0; p < pieces; ++p) set_bit(&n.pieces[p * words], r);
        continue;
      }
      // The pieces an interval covers are contiguous: from its lower bound's piece to its
      // upper bound's, the bound pieces themselves only when closed.
      const std::size_t first = std::isfinite(cell.lo) ? n.piece_of(cell.lo) + (cell.lo_closed ? 0 : 1) : 0;
      const std::size_t last = std::isfinite(cell.hi) ? n.piece_of(cell.hi) - (cell.hi_closed ? 0 : 1) : pieces - 1;
      for (std::size_t p = first; p <= last && p < pieces; ++p) set_bit(&n.pieces[p * words], r);
    }
  }
  index_ = std::move(index);
}

void DecisionTable::match(std::span<const Value> inputs, std::vector<std::size_t> &rows) const {
  if (!index_ || conditions_.empty()) return;
  const Index &ix = *index_;
  // Intersect the columns' row sets. Words are ANDed into a small stack buffer chunk by
  // chunk, so the lookup never allocates; `first` stops at the first chunk with a match.
  constexpr std::size_t kChunk = 64;  // words: 4,096 rows
  Word acc[kChunk];
  constexpr std::size_t kMaxColumns = 64;
  const Word *columns[kMaxColumns];
  std::size_t used = 0;
  static const Value kMissing;
  for (std::size_t c = 0; c < inputs_.size(); ++c) {
    if (ix.trivial[c]) continue;
    const Value &v = c < inputs.size() ? inputs[c] : kMissing;
    const Word *bits = nullptr;
    if (inputs_[c].is_string) {
      // A missing value, like a string no cell lists, meets only the "-" rows.
      const StringIndex &s = ix.strings[c];
      const auto it = v.type() == ValueType::string ? s.by_value.find(v.as_string()) : s.by_value.end();
      bits = it != s.by_value.end() ? it->second.data() : s.other.data();
    } else {
      const NumberIndex &num = ix.numbers[c];
      const double x = v.type() == ValueType::number ? v.as_number() : std::nan("");
      bits = std::isnan(x) ? num.missing.data() : &num.pieces[num.piece_of(x) * ix.words];
    }
    if (used == kMaxColumns) return match_by_scan(inputs, rows);  // wider than any real table
    columns[used++] = bits;
  }
  for (std::size_t base = 0; base < ix.words; base += kChunk) {
    const std::size_t len = std::min(kChunk, ix.words - base);
    std::copy_n(ix.all.data() + base, len, acc);
    for (std::size_t k = 0; k < used; ++k)
      for (std::size_t w = 0; w < len; ++w) acc[w] &= columns[k][base + w];
    for (std::size_t w = 0; w < len; ++w) {
      for (Word bits = acc[w]; bits != 0; bits &= bits - 1) {
        rows.push_back((base + w) * kBits + static_cast<std::size_t>(std::countr_zero(bits)));
        if (hit_ == HitPolicy::first) return;
      }
    }
  }
}

void DecisionTable::match_by_scan(std::span<const Value> inputs, std::vector<std::size_t> &rows) const {
  for (std::size_t r = 0; r < conditions_.size(); ++r) {
    bool all = true;
    for (std::size_t c = 0; c < inputs_.size() && all; ++c) {
      const CellCondition &cell = conditions_[r][c];
      static const Value kMissing;
      const Value &v = c < inputs.size() ? inputs[c] : kMissing;
      if (inputs_[c].is_string)
        all = v.type() == ValueType::string ? cell.matches(v.as_string()) : cell.kind == CellCondition::Kind::any;
      else all = cell.matches(v.type() == ValueType::number ? v.as_number() : std::nan(""));
    }
    if (!all) continue;
    rows.push_back(r);
    if (hit_ == HitPolicy::first) return;
  }
}

}  // namespace riskkit
