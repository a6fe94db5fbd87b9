// riskkit: decide, validate, predict and version from the command line.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "riskkit/error.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/version.hpp"

int main(int argc, char **argv) {
  using namespace riskkit::cli;
  CLI::App app{"riskkit: risk decisions from a bundle (features, rules, models, policy)"};
  app.require_subcommand(1);

  DecideArgs decide;
  auto *decide_cmd = app.add_subcommand("decide", "Decide records (CSV or JSONL) with a bundle");
  decide_cmd->add_option("--bundle,-b", decide.bundle, "Bundle directory")->required();
  decide_cmd->add_option("--input,-i", decide.input, "Records: .csv or .jsonl, '-' for stdin");
  decide_cmd->add_option("--output,-o", decide.output, "Decisions: .csv or .jsonl, '-' for stdout");
  decide_cmd->add_option("--input-format", decide.input_format, "csv or jsonl (default: by extension)");
  decide_cmd->add_option("--output-format", decide.output_format, "csv or jsonl (default: by extension)");
  decide_cmd->add_option("--threads,-t", decide.threads, "Threads (0 = all cores)");
  decide_cmd->add_option("--audit", decide.audit, "Append one audit line (JSONL) per decision to this file");

  ReplayArgs replay;
  auto *replay_cmd = app.add_subcommand("replay", "Recompute the decisions of an audit log; report every difference");
  replay_cmd->add_option("audit", replay.audit, "Audit log (JSONL, from decide --audit)")->required();
  replay_cmd->add_option("--bundle,-b", replay.bundle, "Bundle directory to replay with")->required();
  replay_cmd->add_option("--max-shown", replay.max_shown, "Differences printed (-1 = all)");

  SignArgs sign;
  auto *sign_cmd = app.add_subcommand("sign", "Write bundle.sig: an Ed25519 or HMAC-SHA-256 signature of the bundle digest");
  sign_cmd->add_option("bundle", sign.bundle, "Bundle directory")->required();
  sign_cmd->add_option("--key-file,-k", sign.key_file,
                       "PEM Ed25519 private key (riskkit keygen), else an HMAC key of at least 32 bytes")
      ->required();

  KeygenArgs keygen;
  auto *keygen_cmd = app.add_subcommand("keygen", "Create an Ed25519 key pair for signing bundles (PEM files)");
  keygen_cmd->add_option("private_key", keygen.private_key, "Private key file to create (mode 0600)")->required();
  keygen_cmd->add_option("public_key", keygen.public_key, "Public key file to create")->required();

  std::string validate_dir;
  auto *validate_cmd = app.add_subcommand("validate", "Load and verify a bundle; print every problem");
  validate_cmd->add_option("bundle", validate_dir, "Bundle directory")->required();

  PredictArgs predict;
  auto *predict_cmd = app.add_subcommand("predict", "Score a CSV of features with a model file");
  predict_cmd->add_option("--model,-m", predict.model, "Model file (XGBoost JSON/UBJSON, riskkit logistic/scorecard)")
      ->required();
  predict_cmd->add_option("--input,-i", predict.input, "CSV with a header row, '-' for stdin");
  predict_cmd->add_option("--output,-o", predict.output, "CSV of predictions, '-' for stdout");
  predict_cmd->add_flag("--margin", predict.margin, "Write margins (log-odds) instead of values");
  predict_cmd->add_flag("--contributions", predict.contributions, "Write per-feature contributions (bias last)");
  predict_cmd->add_flag("--reference", predict.reference_backend, "Use the XGBoost C API instead of the native engine");

  ExplainArgs explain;
  auto *explain_cmd = app.add_subcommand("explain", "The largest contributions of each row, with feature names");
  explain_cmd->add_option("--model,-m", explain.model, "Model file (XGBoost JSON/UBJSON, riskkit logistic/scorecard)")
      ->required();
  explain_cmd->add_option("--input,-i", explain.input, "CSV with a header row, '-' for stdin");
  explain_cmd->add_option("--output,-o", explain.output, "CSV: row,class,rank,feature,value,contribution; '-' for stdout");
  explain_cmd->add_option("--top,-n", explain.top, "Contributions per row and class, largest |contribution| first")
      ->check(CLI::PositiveNumber);

  BacktestArgs backtest;
  auto *backtest_cmd = app.add_subcommand("backtest", "Rule hit, bad and recall rates, lift and overlap on labelled history");
  backtest_cmd->add_option("--bundle,-b", backtest.bundle, "Bundle directory")->required();
  backtest_cmd->add_option("--input,-i", backtest.input, "Labelled records: .csv or .jsonl, '-' for stdin");
  backtest_cmd->add_option("--input-format", backtest.input_format, "csv or jsonl (default: by extension)");
  backtest_cmd->add_option("--label,-l", backtest.label, "Column holding 1 (bad) or 0 (good)");
  backtest_cmd->add_option("--output,-o", backtest.output, "Per-rule report as CSV (default: a table on stdout)");
  backtest_cmd->add_option("--overlap", backtest.overlap, "Pairwise rule overlap as CSV");
  backtest_cmd->add_option("--threads,-t", backtest.threads, "Threads (0 = all cores)");

  app.add_subcommand("version", "Print the library version and the tree kernel in use");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*decide_cmd) return run_decide(decide);
    if (*validate_cmd) return run_validate(validate_dir);
    if (*replay_cmd) return run_replay(replay);
    if (*sign_cmd) return run_sign(sign);
    if (*keygen_cmd) return run_keygen(keygen);
    if (*predict_cmd) return run_predict(predict);
    if (*explain_cmd) return run_explain(explain);
    if (*backtest_cmd) return run_backtest(backtest);
    std::cout << "riskkit " << riskkit::version() << "\ntree kernel: " << riskkit::tree_kernel() << '\n';
    return 0;
  } catch (const riskkit::Error &e) {
    std::cerr << "riskkit: error (" << riskkit::to_string(e.code()) << "): " << e.what() << '\n';
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "riskkit: error: " << e.what() << '\n';
    return 1;
  }
}
