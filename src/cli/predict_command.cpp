#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/record_io.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::cli {
namespace {

// Which input column feeds each model feature: by name when the header names every
// feature of a model that has names, else by position.
std::vector<std::size_t> column_map(const Model &model, const std::vector<std::string> &header, const std::string &origin) {
  const std::size_t n = model.num_features();
  std::vector<std::size_t> map(n);
  const auto &names = model.feature_names();
  bool by_name = !names.empty();
  for (std::size_t f = 0; by_name && f < n; ++f) {
    const auto it = std::find(header.begin(), header.end(), names[f]);
    if (it == header.end()) by_name = false;
    else map[f] = static_cast<std::size_t>(it - header.begin());
  }
  if (by_name) return map;
  if (header.size() != n)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}:1: {} columns, the model has {} features (and the header does not name them all)",
                            origin, header.size(), n));
  for (std::size_t f = 0; f < n; ++f) map[f] = f;
  return map;
}

float parse_cell(const std::string &cell, const std::string &origin, std::size_t line, std::size_t column) {
  if (cell.empty() || cell == "NaN" || cell == "nan" || cell == "NA") return std::numeric_limits<float>::quiet_NaN();
  double x = 0;
  const char *begin = cell.data() + (cell[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(begin, cell.data() + cell.size(), x);
  if (end != cell.data() + cell.size())
    throw Error(ErrorCode::parse, fmt::format("{}:{}: column {}: '{}' is not a number", origin, line, column + 1, cell));
  if (ec == std::errc::result_out_of_range) x = cell[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  return static_cast<float>(x);
}

}  // namespace

int run_predict(const PredictArgs &args) {
  ModelLoadOptions load;
  if (args.reference_backend) load.backend = ModelBackend::xgboost_c_api;
  const auto model = load_model(args.model, load);
  const std::string origin = args.input == "-" ? "stdin" : args.input;
  Input input(args.input);
  Output output(args.output);
  CsvReader csv(input.stream(), origin);
  std::vector<std::string> header;
  if (!csv.next(header)) throw Error(ErrorCode::parse, origin + ": empty CSV: no header row");
  const std::vector<std::size_t> map = column_map(*model, header, origin);

  const std::size_t nf = model->num_features(), nk = model->num_outputs();
  const std::size_t width = args.contributions ? nk * (nf + 1) : nk;
  std::string line;
  if (args.contributions) {
    for (std::size_t k = 0; k < nk; ++k)
      for (std::size_t f = 0; f <= nf; ++f) {
        const std::string name = f == nf ? "bias" : (model->feature_names().empty() ? fmt::format("f{}", f)
                                                                                     : model->feature_names()[f]);
        line += (line.empty() ? "" : ",") + (nk > 1 ? fmt::format("class{}_{}", k, name) : name);
      }
  } else {
    const char *what = args.margin ? "margin" : "value";
    for (std::size_t k = 0; k < nk; ++k) line += (k ? "," : "") + (nk > 1 ? fmt::format("{}_{}", what, k) : std::string(what));
  }
  output.stream() << line << '\n';

  PredictOptions options;
  options.output = args.margin ? PredictOutput::margin : PredictOutput::value;
  constexpr std::size_t kChunk = 4096;
  std::vector<float> rows;
  std::vector<double> out;
  std::vector<std::string> cells;
  bool more = true;
  while (more) {
    rows.clear();
    std::size_t n = 0;
    while (n < kChunk && (more = csv.next(cells))) {
      if (cells.size() == 1 && cells[0].empty()) continue;
      if (cells.size() != header.size())
        throw Error(ErrorCode::parse,
                    fmt::format("{}:{}: {} cells, the header has {}", origin, csv.line(), cells.size(), header.size()));
      for (std::size_t f = 0; f < nf; ++f) rows.push_back(parse_cell(cells[map[f]], origin, csv.line(), map[f]));
      ++n;
    }
    if (n == 0) break;
    out.resize(n * width);
    if (args.contributions) model->contributions(rows.data(), n, nf, options, out.data());
    else model->predict(rows.data(), n, nf, options, out.data());
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < width; ++k) {
        if (k) text += ',';
        text += fmt::format("{}", out[i * width + k]);
      }
      text += '\n';
    }
    output.stream() << text;
  }
  return 0;
}

}  // namespace riskkit::cli
