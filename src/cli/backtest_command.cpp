// riskkit backtest: rule hit rates, bad rates, recall, lift and overlap on labelled history.
#include <chrono>
#include <cmath>
#include <future>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/record_io.hpp"
#include "riskkit/engine/backtest.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/error.hpp"

namespace riskkit::cli {
namespace {

/// 1/0 from a label cell: a number 0 or 1, a bool, or the strings "1"/"0"/"true"/"false".
/// Anything else (missing included) leaves the row out.
std::optional<std::uint8_t> label_of(const Record &record, const std::string &name) {
  const Value *v = record.find(name);
  if (!v) return std::nullopt;
  switch (v->type()) {
    case ValueType::number:
      if (v->as_number() == 0 || v->as_number() == 1) return static_cast<std::uint8_t>(v->as_number());
      return std::nullopt;
    case ValueType::boolean: return static_cast<std::uint8_t>(v->as_bool());
    case ValueType::string: {
      const std::string &s = v->as_string();
      if (s == "1" || s == "true") return 1;
      if (s == "0" || s == "false") return 0;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::string number(double x) { return std::isnan(x) ? "" : fmt::format("{:.6g}", x); }

std::string joined(const std::vector<std::string> &tags) {
  std::string out;
  for (const auto &t : tags) out += (out.empty() ? "" : ";") + t;
  return out;
}

void write_csv(std::ostream &out, const BacktestReport &r) {
  out << "rule_id,action,mode,tags,hits,hit_rate,bad_hits,bad_rate,recall,lift\n";
  for (const RuleBacktest &b : r.rules) {
    std::string line;
    csv_append(line, b.rule_id);
    line += fmt::format(",{},{},", to_string(b.action), to_string(b.mode));
    csv_append(line, joined(b.tags));
    line += fmt::format(",{},{},{},{},{},{}\n", b.hits, number(b.hit_rate), b.bad_hits, number(b.bad_rate),
                        number(b.recall), number(b.lift));
    out << line;
  }
}

void write_table(std::ostream &out, const BacktestReport &r) {
  out << fmt::format("{} rows, {} bad ({:.4g}%), {} rejected\n\n", r.rows, r.bads, 100 * r.bad_rate, r.rejected);
  out << fmt::format("{:<12} {:<8} {:<7} {:>9} {:>9} {:>9} {:>9} {:>7}\n", "rule", "action", "mode", "hits",
                     "hit rate", "bad rate", "recall", "lift");
  for (const RuleBacktest &b : r.rules)
    out << fmt::format("{:<12} {:<8} {:<7} {:>9} {:>8.3f}% {:>8.2f}% {:>8.2f}% {:>7.2f}\n", b.rule_id,
                       to_string(b.action), to_string(b.mode), b.hits, 100 * b.hit_rate, 100 * b.bad_rate,
                       100 * b.recall, b.lift);
}

void write_overlap(std::ostream &out, const BacktestReport &r) {
  out << "rule_a,rule_b,both,jaccard\n";
  for (std::size_t i = 0; i < r.rules.size(); ++i)
    for (std::size_t j = i + 1; j < r.rules.size(); ++j) {
      std::string line;
      csv_append(line, r.rules[i].rule_id);
      line += ',';
      csv_append(line, r.rules[j].rule_id);
      out << line << fmt::format(",{},{}\n", r.both(i, j), number(r.jaccard(i, j)));
    }
}

}  // namespace

int run_backtest(const BacktestArgs &args) {
  constexpr std::size_t kChunk = 65'536;
  const auto start = std::chrono::steady_clock::now();
  const Engine engine = Engine::open(args.bundle);
  Input input(args.input);
  RecordReader reader(input.stream(), format_of(args.input, args.input_format), args.input == "-" ? "stdin" : args.input);
  BacktestAccumulator acc(engine, args.threads);
  std::vector<InputRecord> chunk, next;
  std::vector<Record> records;
  std::vector<std::uint8_t> labels;
  std::size_t unreadable = 0, unlabelled = 0;
  // Parsing is serial; it reads the next chunk while the current one is evaluated.
  bool more = reader.read(kChunk, chunk);
  while (more) {
    auto reading = std::async(std::launch::async, [&] { return reader.read(kChunk, next); });
    records.clear();
    labels.clear();
    for (InputRecord &in : chunk) {
      if (!in.error.empty()) {
        ++unreadable;
        continue;
      }
      const auto label = label_of(in.record, args.label);
      if (!label) {
        ++unlabelled;
        continue;
      }
      labels.push_back(*label);
      records.push_back(std::move(in.record));
    }
    acc.add(records, labels);
    more = reading.get();
    std::swap(chunk, next);
  }
  const BacktestReport report = acc.report();
  if (report.rows == 0 && unlabelled > 0)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("no row has a 0/1 label in column '{}' ({} rows without one)", args.label, unlabelled));

  if (args.output.empty() || args.output == "-") {
    write_table(std::cout, report);
  } else {
    Output output(args.output);
    write_csv(output.stream(), report);
  }
  if (!args.overlap.empty()) {
    Output overlap(args.overlap);
    write_overlap(overlap.stream(), report);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format(
      "riskkit backtest: {} rows ({} bad) in {:.2f} s, {:.0f} rows/s; {} unreadable, {} without a label, {} rejected\n",
      report.rows, report.bads, seconds, static_cast<double>(report.rows) / seconds, unreadable, unlabelled,
      report.rejected);
  return 0;
}

}  // namespace riskkit::cli
