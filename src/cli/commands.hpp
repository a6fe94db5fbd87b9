#pragma once
// The riskkit command-line tool's subcommands. Each returns the process exit code:
// 0 success, 1 failure (message on stderr), 3 some records rejected (decide).

#include <string>

namespace riskkit::cli {

struct DecideArgs {
  std::string bundle, input = "-", output = "-", input_format, output_format;
  std::string audit;  // append one audit line per decision to this file ("" = none)
  int threads = 0;
};
int run_decide(const DecideArgs &args);

int run_validate(const std::string &bundle_dir);

/// Exit code 4 when some decision replays differently.
struct ReplayArgs {
  std::string audit, bundle;
  int max_shown = 100;  // differences printed (-1 = all)
};
int run_replay(const ReplayArgs &args);

struct SignArgs {
  std::string bundle, key_file;
};
int run_sign(const SignArgs &args);

struct KeygenArgs {
  std::string private_key, public_key;  // PEM files to create
};
int run_keygen(const KeygenArgs &args);

struct BacktestArgs {
  std::string bundle, input = "-", input_format, label = "is_bad", output, overlap;
  int threads = 0;
};
int run_backtest(const BacktestArgs &args);

struct PredictArgs {
  std::string model, input = "-", output = "-";
  bool margin = false;
  bool contributions = false;
  bool reference_backend = false;
};
int run_predict(const PredictArgs &args);

struct ExplainArgs {
  std::string model, input = "-", output = "-";
  int top = 4;
};
int run_explain(const ExplainArgs &args);

}  // namespace riskkit::cli
