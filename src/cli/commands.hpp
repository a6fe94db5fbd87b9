#pragma once
// The riskkit command-line tool's subcommands. Each returns the process exit code:
// 0 success, 1 failure (message on stderr), 3 some records rejected (decide).

#include <string>

namespace riskkit::cli {

struct DecideArgs {
  std::string bundle, input = "-", output = "-", input_format, output_format;
  int threads = 0;
};
int run_decide(const DecideArgs &args);

int run_validate(const std::string &bundle_dir);

struct PredictArgs {
  std::string model, input = "-", output = "-";
  bool margin = false;
  bool contributions = false;
  bool reference_backend = false;
};
int run_predict(const PredictArgs &args);

}  // namespace riskkit::cli
