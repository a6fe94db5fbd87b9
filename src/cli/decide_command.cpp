#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/record_io.hpp"
#include "riskkit/engine/engine.hpp"

namespace riskkit::cli {

int run_decide(const DecideArgs &args) {
  constexpr std::size_t kChunk = 8192;
  constexpr std::size_t kProgressEvery = 100000;
  EngineOptions options;
  options.audit.path = args.audit;
  const Engine engine = Engine::open(args.bundle, options);
  const auto bundle = engine.bundle();
  Input input(args.input);
  Output output(args.output);
  RecordReader reader(input.stream(), format_of(args.input, args.input_format), args.input == "-" ? "stdin" : args.input);
  DecisionWriter writer(output.stream(), format_of(args.output, args.output_format), bundle->model_names());

  std::vector<InputRecord> chunk;
  std::vector<Record> records;
  std::vector<std::size_t> positions;
  std::size_t decided = 0, rejected = 0, reviewed = 0, next_progress = kProgressEvery;
  while (reader.read(kChunk, chunk)) {
    records.clear();
    positions.clear();
    for (std::size_t i = 0; i < chunk.size(); ++i)
      if (chunk[i].error.empty()) {
        records.push_back(std::move(chunk[i].record));
        positions.push_back(i);
      }
    std::vector<std::pair<std::size_t, std::string>> errors;
    const std::vector<Decision> decisions = engine.decide_batch(records, args.threads, &errors);
    // Write in input order: parse errors, rejections and decisions interleaved as read.
    std::vector<const std::string *> error_of(chunk.size(), nullptr);
    for (const auto &[index, message] : errors) error_of[positions[index]] = &message;
    for (std::size_t i = 0, next = 0; i < chunk.size(); ++i) {
      if (!chunk[i].error.empty()) {
        writer.write_error(chunk[i].line, chunk[i].error);
        ++rejected;
        continue;
      }
      const std::size_t k = next++;
      if (error_of[i]) {
        writer.write_error(chunk[i].line, *error_of[i]);
        ++rejected;
      } else {
        writer.write(chunk[i].line, decisions[k]);
        ++decided;
        if (decisions[k].outcome == Outcome::review) ++reviewed;
      }
    }
    if (decided + rejected >= next_progress) {
      std::cerr << fmt::format("riskkit decide: {} records\n", decided + rejected);
      next_progress += kProgressEvery;
    }
  }
  output.stream().flush();
  // The automated share: decisions made without sending the case to a person.
  const double automated = decided ? 100.0 * static_cast<double>(decided - reviewed) / static_cast<double>(decided) : 0.0;
  std::cerr << fmt::format("riskkit decide: {} decided ({:.1f}% automated, {} to review), {} rejected ({} {})\n", decided,
                           automated, reviewed, rejected, bundle->name(), bundle->version());
  return rejected ? 3 : 0;
}

}  // namespace riskkit::cli
