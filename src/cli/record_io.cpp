#include "cli/record_io.hpp"

#include <cstring>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "riskkit/error.hpp"

namespace riskkit::cli {

Format format_of(const std::string &path, const std::string &flag) {
  if (flag == "csv") return Format::csv;
  if (flag == "jsonl") return Format::jsonl;
  if (!flag.empty()) throw Error(ErrorCode::invalid_argument, fmt::format("unknown format '{}' (csv, jsonl)", flag));
  const bool csv = path.size() >= 4 && (path.compare(path.size() - 4, 4, ".csv") == 0 ||
                                        path.compare(path.size() - 4, 4, ".CSV") == 0);
  return csv ? Format::csv : Format::jsonl;
}

Input::Input(const std::string &path) : in_(&std::cin) {
  if (path == "-") return;
  file_.open(path, std::ios::binary);
  if (!file_) throw Error(ErrorCode::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  in_ = &file_;
}

Output::Output(const std::string &path) : out_(&std::cout) {
  if (path == "-") return;
  file_.open(path, std::ios::binary | std::ios::trunc);
  if (!file_) throw Error(ErrorCode::io, fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  out_ = &file_;
}

RecordReader::RecordReader(std::istream &in, Format format, std::string origin)
    : in_(in), format_(format), origin_(std::move(origin)), csv_(in, origin_) {
  if (format_ == Format::csv) {
    if (!csv_.next(header_)) throw Error(ErrorCode::parse, fmt::format("{}: empty CSV: no header row", origin_));
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i].empty()) throw Error(ErrorCode::parse, fmt::format("{}:1: column {} has no name", origin_, i + 1));
      for (std::size_t j = 0; j < i; ++j)
        if (header_[j] == header_[i])
          throw Error(ErrorCode::parse, fmt::format("{}:1: column '{}' appears twice", origin_, header_[i]));
    }
  }
}

bool RecordReader::read(std::size_t max, std::vector<InputRecord> &out) {
  out.clear();
  std::vector<std::string> cells;
  std::string text;
  while (out.size() < max) {
    InputRecord r;
    if (format_ == Format::csv) {
      if (!csv_.next(cells)) break;
      r.line = csv_.line();
      if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
      if (cells.size() != header_.size()) {
        r.error = fmt::format("{}:{}: {} cells, the header has {}", origin_, r.line, cells.size(), header_.size());
      } else {
        for (std::size_t i = 0; i < cells.size(); ++i)
          r.record.set(header_[i], cells[i].empty() ? Value::missing() : Value::string(std::move(cells[i])));
      }
    } else {
      if (!std::getline(in_, text)) break;
      r.line = ++line_;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      try {
        r.record = Record::from_json(text);
      } catch (const Error &e) {
        r.error = fmt::format("{}:{}: {}", origin_, r.line, e.what());
      }
    }
    out.push_back(std::move(r));
  }
  return !out.empty();
}

DecisionWriter::DecisionWriter(std::ostream &out, Format format, std::vector<std::string> score_names)
    : out_(out), format_(format), score_names_(std::move(score_names)) {
  if (format_ != Format::csv) return;
  std::string header = "line,event_id,outcome,grade";
  for (const auto &s : score_names_) header += ",score_" + s;
  header += ",rule_hits,reasons,issues,error\n";
  out_ << header;
}

void DecisionWriter::write(std::size_t line, const Decision &d) {
  if (format_ == Format::jsonl) {
    out_ << d.to_json() << '\n';
    return;
  }
  std::string row = std::to_string(line) + ',';
  csv_append(row, d.event_id);
  row += fmt::format(",{},", to_string(d.outcome));
  csv_append(row, d.grade);
  for (const Score &s : d.scores) row += fmt::format(",{}", s.value);
  std::string hits, reasons, issues;
  for (const RuleHit &h : d.rule_hits) hits += (hits.empty() ? "" : ";") + h.rule_id;
  for (const Reason &r : d.reasons) reasons += (reasons.empty() ? "" : ";") + r.code;
  for (const FieldIssue &i : d.issues) issues += (issues.empty() ? "" : "; ") + i.field + ": " + i.message;
  row += ',';
  csv_append(row, hits);
  row += ',';
  csv_append(row, reasons);
  row += ',';
  csv_append(row, issues);
  row += ",\n";
  out_ << row;
}

void DecisionWriter::write_error(std::size_t line, const std::string &message) {
  if (format_ == Format::jsonl) {
    out_ << nlohmann::json{{"line", line}, {"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
         << '\n';
    return;
  }
  std::string row = std::to_string(line) + ",,error,";
  for (std::size_t i = 0; i < score_names_.size(); ++i) row += ',';
  row += ",,,,";  // rule_hits, reasons, issues, then error
  csv_append(row, message);
  out_ << row << '\n';
}

}  // namespace riskkit::cli
