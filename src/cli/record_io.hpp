#pragma once
// Records in (CSV or JSONL) and decisions out (CSV or JSONL) for the command-line tool.

#include <cstddef>
#include <fstream>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/csv.hpp"
#include "riskkit/core/record.hpp"
#include "riskkit/engine/decision.hpp"

namespace riskkit::cli {

enum class Format { csv, jsonl };

/// The format named by `flag` ("csv", "jsonl"), or else by the path's extension
/// (.csv → csv; anything else, and "-", → jsonl).
Format format_of(const std::string &path, const std::string &flag);

/// Opens `path` for reading ("-" = stdin); throws Error(io) naming it.
class Input {
 public:
  explicit Input(const std::string &path);
  std::istream &stream() noexcept { return *in_; }

 private:
  std::ifstream file_;
  std::istream *in_;
};

/// Opens `path` for writing ("-" = stdout); throws Error(io) naming it.
class Output {
 public:
  explicit Output(const std::string &path);
  std::ostream &stream() noexcept { return *out_; }

 private:
  std::ofstream file_;
  std::ostream *out_;
};

/// One input record, or why it could not be read.
struct InputRecord {
  std::size_t line = 0;
  Record record;
  std::string error;  // non-empty: the record could not be parsed
};

/// Reads records one by one. CSV: a header row of field names, then one record per row;
/// every non-empty cell is a string that the schema converts; empty cells are missing.
/// JSONL: one JSON object per line; blank lines are skipped.
class RecordReader {
 public:
  RecordReader(std::istream &in, Format format, std::string origin);
  /// Reads up to `max` records into `out` (cleared first); false when none were left.
  bool read(std::size_t max, std::vector<InputRecord> &out);

 private:
  std::istream &in_;
  Format format_;
  std::string origin_;
  CsvReader csv_;
  std::vector<std::string> header_;
  std::size_t line_ = 0;
};

/// Writes one line per decision (or per rejected record).
class DecisionWriter {
 public:
  DecisionWriter(std::ostream &out, Format format, std::vector<std::string> score_names);
  void write(std::size_t line, const Decision &d);
  void write_error(std::size_t line, const std::string &message);

 private:
  std::ostream &out_;
  Format format_;
  std::vector<std::string> score_names_;
};

}  // namespace riskkit::cli
