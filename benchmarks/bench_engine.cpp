// A whole decision (schema, 20 features, 19 rules, a 300-tree XGBoost model, policy,
// reasons) on the example application bundle, against the peer it replaces: XGBoost's
// C API scoring the same model for the same application, in the same process. Also: the
// single-decision latency distribution (median, p99) on one core, batch decisions per
// second on all cores, and, separately, the cost of reasons (the deciding model's
// TreeSHAP contributions) and of the audit log (a line per decision, to a callback and
// to a file).
//
//   build/bin/bench_engine [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "engine/bundle_content.hpp"
#include "riskkit/riskkit.h"
#include "riskkit/riskkit.hpp"

namespace {

const std::string kBundle = RK_SOURCE_DIR "/examples/bundles/application";

std::vector<riskkit::Record> applications() {
  std::vector<riskkit::Record> out;
  std::ifstream in(kBundle + "/applications.jsonl");
  for (std::string line; std::getline(in, line);) out.push_back(riskkit::Record::from_json(line));
  return out;
}

void BM_riskkit_decide(benchmark::State &state) {
  const riskkit::Engine engine = riskkit::Engine::open(kBundle);
  const auto records = applications();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine.decide(records[i]));
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_riskkit_decide);

// Each decision timed on its own, wall clock: the distribution the budget is about.
void BM_riskkit_decide_latency(benchmark::State &state) {
  const riskkit::Engine engine = riskkit::Engine::open(kBundle);
  const auto records = applications();
  std::vector<double> micros;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(engine.decide(records[i]));
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    i = (i + 1) % records.size();
  }
  std::sort(micros.begin(), micros.end());
  state.counters["median_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_riskkit_decide_latency)->Iterations(20000);

// Only the records the policy does not approve: these are the decisions that compute
// reasons. Compare with BM_reasons_contributions, the reasons' own cost.
void BM_riskkit_decide_adverse(benchmark::State &state) {
  const riskkit::Engine engine = riskkit::Engine::open(kBundle);
  std::vector<riskkit::Record> records;
  for (auto &r : applications())
    if (engine.decide(r).outcome != riskkit::Outcome::approve) records.push_back(std::move(r));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine.decide(records[i]));
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_riskkit_decide_adverse);

// What reasons add to an adverse decision: one row's exact contributions of the credit model.
void BM_reasons_contributions(benchmark::State &state) {
  const auto bundle = riskkit::Bundle::load(kBundle);
  const auto &m = bundle->content().models.at(0);
  std::vector<float> row(m.model->num_features(), 0.5f);
  std::vector<double> out(m.model->num_outputs() * (m.model->num_features() + 1));
  riskkit::PredictOptions single;
  single.nthread = 1;
  for (auto _ : state) {
    m.model->contributions(row.data(), 1, row.size(), single, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_reasons_contributions);

// The audit log's cost: building the line (callback that drops it), and writing it to a file.
void BM_riskkit_decide_audited(benchmark::State &state) {
  riskkit::EngineOptions options;
  const std::string path = "/tmp/riskkit_bench_audit.jsonl";
  if (state.range(0) == 0) options.audit.callback = [](std::string_view line) { benchmark::DoNotOptimize(line.data()); };
  else options.audit.path = path;
  {
    const riskkit::Engine engine = riskkit::Engine::open(kBundle, options);
    const auto records = applications();
    std::size_t i = 0;
    for (auto _ : state) {
      benchmark::DoNotOptimize(engine.decide(records[i]));
      i = (i + 1) % records.size();
    }
  }
  std::remove(path.c_str());
  state.SetLabel(state.range(0) == 0 ? "callback" : "file");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_riskkit_decide_audited)->Arg(0)->Arg(1);

// Batch decisions on all cores (decide_batch, nthread = 0), 10,000 applications per call.
void BM_riskkit_decide_batch_all_cores(benchmark::State &state) {
  const riskkit::Engine engine = riskkit::Engine::open(kBundle);
  const auto one = applications();
  std::vector<riskkit::Record> records;
  while (records.size() < 10000) records.push_back(one[records.size() % one.size()]);
  for (auto _ : state) benchmark::DoNotOptimize(engine.decide_batch(records, 0));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
}
BENCHMARK(BM_riskkit_decide_batch_all_cores)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_riskkit_decide_json(benchmark::State &state) {
  rk_engine *e = nullptr;
  rk_engine_open(kBundle.c_str(), &e);
  std::vector<std::string> lines;
  std::ifstream in(kBundle + "/applications.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::size_t i = 0;
  for (auto _ : state) {
    char *out = nullptr;
    rk_engine_decide_json(e, lines[i].data(), lines[i].size(), &out);
    rk_string_free(out);
    i = (i + 1) % lines.size();
  }
  rk_engine_free(e);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_riskkit_decide_json);

// The peer: only the model score, through XGBoost's C API with its fastest single-row
// setup (a proxy DMatrix reused across calls), on the same feature rows.
void BM_xgboost_predict_only(benchmark::State &state) {
  const auto bundle = riskkit::Bundle::load(kBundle);
  const auto &model = bundle->content().models.at(0);
  const auto records = applications();
  // The model's input rows, computed by riskkit's own pipeline once, outside the loop.
  const riskkit::Engine engine(bundle);
  std::vector<std::vector<float>> rows;
  {
    std::vector<riskkit::Value> slots;
    std::vector<riskkit::FieldIssue> issues;
    for (const auto &r : records) {
      bundle->schema().conform(r, slots, issues);
      slots.resize(bundle->content().features.num_slots());
      bundle->content().features.compute(slots);
      std::vector<float> row;
      for (std::size_t s : model.input_slots) row.push_back(static_cast<float>(slots[s].to_double()));
      rows.push_back(std::move(row));
    }
  }
  BoosterHandle booster = nullptr;
  XGBoosterCreate(nullptr, 0, &booster);
  XGBoosterLoadModel(booster, (kBundle + "/models/credit.json").c_str());
  DMatrixHandle proxy = nullptr;
  XGProxyDMatrixCreate(&proxy);
  const char *config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN})";
  const std::size_t ncol = rows[0].size();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string array = "{\"data\": [" + std::to_string(reinterpret_cast<std::uintptr_t>(rows[i].data())) +
                              ", true], \"shape\": [1, " + std::to_string(ncol) + "], \"typestr\": \"<f4\", \"version\": 3}";
    bst_ulong const *shape = nullptr;
    bst_ulong dim = 0;
    const float *result = nullptr;
    XGBoosterPredictFromDense(booster, array.c_str(), config, proxy, &shape, &dim, &result);
    benchmark::DoNotOptimize(result);
    i = (i + 1) % rows.size();
  }
  XGDMatrixFree(proxy);
  XGBoosterFree(booster);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_xgboost_predict_only);

}  // namespace

BENCHMARK_MAIN();
