// Rules benchmark: a 50-rule fraud rule set evaluated by riskkit's bytecode VM, against
// a naive AST-walking interpreter over the same checked syntax trees (the design most
// embedded rule engines start from), in the same process on the same records.
// The real peer, GoRules ZEN (Rust, driven from Python), is a later task: see README.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "riskkit/rules/expression.hpp"
#include "riskkit/rules/rule_set.hpp"
#include "rules/ast.hpp"
#include "rules/checker.hpp"
#include "rules/parser.hpp"

namespace {

using riskkit::Timestamp;
using riskkit::Value;
using riskkit::ValueType;
using riskkit::rules::Node;
using riskkit::rules::NodeKind;
using riskkit::rules::Operator;
using riskkit::rules::Type;

struct Field {
  const char *name;
  Type type;
};

constexpr Field kFields[] = {
    {"amount", Type::number},           {"income", Type::number},          {"monthly_debt", Type::number},
    {"age", Type::number},              {"apps_device_1h", Type::number},  {"apps_phone_24h", Type::number},
    {"distinct_devices_7d", Type::number}, {"failed_logins_24h", Type::number}, {"card_attempts_1h", Type::number},
    {"bureau_score", Type::number},     {"account_age_days", Type::number}, {"email_age_days", Type::number},
    {"ip_distance_km", Type::number},   {"country", Type::string},         {"ip_country", Type::string},
    {"channel", Type::string},          {"email_domain", Type::string},    {"device_os", Type::string},
    {"product", Type::string},          {"phone_verified", Type::boolean}, {"email_verified", Type::boolean},
    {"is_vpn", Type::boolean},          {"on_watchlist", Type::boolean},   {"applied_at", Type::timestamp},
    {"account_opened_at", Type::timestamp},
};
constexpr std::size_t kFieldCount = sizeof kFields / sizeof kFields[0];

// Typical fraud and credit-policy checks: thresholds, ratios, lists, flags, functions.
const char *const kRules[] = {
    "apps_device_1h >= 3",
    "apps_phone_24h >= 5",
    "distinct_devices_7d > 4",
    "failed_logins_24h >= 5 and not phone_verified",
    "card_attempts_1h >= 10",
    "amount > 5000 and account_age_days < 30",
    "monthly_debt / income > 0.6",
    "is_missing(income) and amount > 1000",
    "age < 18",
    "age > 75 and amount > 2000",
    "country in [\"KP\", \"IR\", \"SY\", \"CU\"]",
    "ip_country != country and ip_distance_km > 1000",
    "email_domain in [\"mailinator.com\", \"guerrillamail.com\", \"10minutemail.com\", \"tempmail.net\"]",
    "is_vpn and channel == \"web\"",
    "on_watchlist",
    "bureau_score < 450",
    "bureau_score < 550 and amount > 3000",
    "email_age_days < 7 and not email_verified",
    "device_os not in [\"ios\", \"android\", \"windows\", \"macos\"]",
    "product == \"cash\" and amount > income * 3",
    "applied_at < account_opened_at",
    "amount % 1000 == 0 and amount >= 5000",
    "log(amount + 1) > 9",
    "max(apps_device_1h, apps_phone_24h) >= 8",
    "min(account_age_days, email_age_days) < 3",
    "abs(ip_distance_km) > 5000",
    "channel in [\"partner\", \"broker\"] and bureau_score < 600",
    "not phone_verified and not email_verified",
    "amount > 10000",
    "income < 1000 and amount > 500",
    "apps_device_1h >= 2 and is_vpn",
    "monthly_debt > income",
    "age >= 18 and age < 21 and amount > 3000",
    "country == \"NG\" and channel == \"web\" and amount > 800",
    "ip_country in [\"RU\", \"BY\", \"KP\"] and country not in [\"RU\", \"BY\"]",
    "card_attempts_1h >= 3 and failed_logins_24h >= 2",
    "bureau_score < 500 or is_missing(bureau_score)",
    "distinct_devices_7d >= 3 and account_age_days < 7",
    "email_domain == \"gmail.com\" and email_age_days < 1",
    "amount / max(income, 1) > 5",
    "product in [\"bnpl\", \"card\"] and age < 20",
    "device_os == \"linux\" and channel == \"app\"",
    "apps_phone_24h + apps_device_1h > 10",
    "account_age_days < 1 and amount > 200",
    "on_watchlist or (is_vpn and ip_distance_km > 3000)",
    "income > 0 and monthly_debt / income > 0.45 and bureau_score < 620",
    "amount >= 9000 and amount < 10000",
    "failed_logins_24h > 10",
    "not email_verified and channel in [\"web\", \"partner\"] and amount > 1500",
    "ip_distance_km > 8000 and not phone_verified",
};
constexpr std::size_t kRuleCount = sizeof kRules / sizeof kRules[0];
static_assert(kRuleCount == 50);

riskkit::rules::SymbolTable symbol_table() {
  riskkit::rules::SymbolTable t;
  for (std::size_t i = 0; i < kFieldCount; ++i) t.add(kFields[i].name, kFields[i].type, i);
  return t;
}

/// 64 synthetic applications; about one value in ten is missing.
std::vector<std::vector<Value>> records() {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  const char *countries[] = {"DE", "FR", "NG", "RU", "KP", "US"};
  const char *channels[] = {"web", "app", "partner", "broker"};
  const char *domains[] = {"gmail.com", "mailinator.com", "web.de", "yahoo.com"};
  const char *oses[] = {"ios", "android", "linux", "windows"};
  const char *products[] = {"cash", "bnpl", "card"};
  std::vector<std::vector<Value>> out;
  for (int r = 0; r < 64; ++r) {
    std::vector<Value> row;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      if (unit(rng) < 0.1) {
        row.emplace_back();
        continue;
      }
      const auto pick = [&](const auto &pool) { return Value::string(pool[rng() % std::size(pool)]); };
      switch (kFields[i].type) {
        case Type::number: row.push_back(Value::number(std::floor(unit(rng) * 12000))); break;
        case Type::boolean: row.push_back(Value::boolean(unit(rng) < 0.5)); break;
        case Type::timestamp:
          row.push_back(Value::timestamp(Timestamp{1'700'000'000'000'000 + static_cast<std::int64_t>(rng() % 1'000'000)}));
          break;
        case Type::string: {
          const std::string name = kFields[i].name;
          if (name == "country" || name == "ip_country") row.push_back(pick(countries));
          else if (name == "channel") row.push_back(pick(channels));
          else if (name == "email_domain") row.push_back(pick(domains));
          else if (name == "device_os") row.push_back(pick(oses));
          else row.push_back(pick(products));
          break;
        }
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

riskkit::RuleSet compiled_rules() {
  const auto table = symbol_table();
  std::vector<riskkit::Rule> rules;
  for (std::size_t i = 0; i < kRuleCount; ++i) {
    rules.push_back(riskkit::Rule{"R" + std::to_string(i), riskkit::rules::Expression::compile(kRules[i], table),
                                  riskkit::Action::review, {}});
  }
  return riskkit::RuleSet(std::move(rules));
}

// ---- the baseline: a recursive walk over the checked tree, values as riskkit::Value ----

Value walk(const Node &n, std::span<const Value> slots);

bool truthy(const Value &v) { return v.type() == ValueType::boolean && v.as_bool(); }

template <class T>
bool ordered(Operator op, const T &a, const T &b) {
  switch (op) {
    case Operator::eq: return a == b;
    case Operator::ne: return !(a == b);
    case Operator::lt: return a < b;
    case Operator::le: return !(b < a);
    case Operator::gt: return b < a;
    default: return !(a < b);
  }
}

Value compare(Operator op, const Value &a, const Value &b) {
  if (a.is_missing() || b.is_missing()) return Value::boolean(false);
  switch (a.type()) {
    case ValueType::number: return Value::boolean(ordered(op, a.as_number(), b.as_number()));
    case ValueType::string: return Value::boolean(ordered(op, a.as_string(), b.as_string()));
    case ValueType::timestamp: return Value::boolean(ordered(op, a.as_timestamp(), b.as_timestamp()));
    default: return Value::boolean(ordered(op, a.as_bool(), b.as_bool()));
  }
}

Value arithmetic(Operator op, const Value &a, const Value &b) {
  if (a.is_missing() || b.is_missing()) return Value();
  const double x = a.as_number(), y = b.as_number();
  switch (op) {
    case Operator::add: return Value::number(x + y);
    case Operator::subtract: return Value::number(x - y);
    case Operator::multiply: return Value::number(x * y);
    case Operator::divide: return y == 0 ? Value() : Value::number(x / y);
    default: return y == 0 ? Value() : Value::number(std::fmod(x, y));
  }
}

Value call(const Node &n, std::span<const Value> slots) {
  std::vector<Value> args;
  for (const auto &c : n.children) args.push_back(walk(*c, slots));
  if (n.name == "is_missing") return Value::boolean(args[0].is_missing());
  for (const auto &a : args) {
    if (a.is_missing()) return Value();
  }
  const double x = args[0].as_number();
  if (n.name == "abs") return Value::number(std::fabs(x));
  if (n.name == "log") return x > 0 ? Value::number(std::log(x)) : Value();
  double r = x;
  for (std::size_t i = 1; i < args.size(); ++i) {
    r = n.name == "min" ? std::min(r, args[i].as_number()) : std::max(r, args[i].as_number());
  }
  return Value::number(r);
}

Value walk(const Node &n, std::span<const Value> slots) {
  switch (n.kind) {
    case NodeKind::literal: return n.value;
    case NodeKind::name: {
      if (n.slot >= slots.size()) return Value();
      const Value &v = slots[n.slot];
      return static_cast<int>(v.type()) == static_cast<int>(n.type) ? v : Value();
    }
    case NodeKind::unary: {
      const Value v = walk(*n.children[0], slots);
      if (n.op == Operator::logical_not) return Value::boolean(!truthy(v));
      return v.is_missing() ? Value() : Value::number(-v.as_number());
    }
    case NodeKind::binary: {
      if (n.op == Operator::logical_and) {
        return Value::boolean(truthy(walk(*n.children[0], slots)) && truthy(walk(*n.children[1], slots)));
      }
      if (n.op == Operator::logical_or) {
        return Value::boolean(truthy(walk(*n.children[0], slots)) || truthy(walk(*n.children[1], slots)));
      }
      const Value a = walk(*n.children[0], slots), b = walk(*n.children[1], slots);
      return n.type == Type::number ? arithmetic(n.op, a, b) : compare(n.op, a, b);
    }
    case NodeKind::membership: {
      const Value v = walk(*n.children[0], slots);
      if (v.is_missing()) return Value::boolean(false);
      bool found = false;
      for (std::size_t i = 1; i < n.children.size() && !found; ++i) found = n.children[i]->value == v;
      return Value::boolean(found != n.negated);
    }
    case NodeKind::call: return call(n, slots);
  }
  return Value();
}

struct AstRuleSet {
  std::vector<riskkit::rules::NodePtr> trees;

  AstRuleSet() {
    const auto table = symbol_table();
    for (const char *source : kRules) {
      auto root = riskkit::rules::parse(source, riskkit::rules::Limits{});
      (void)riskkit::rules::check(*root, table);
      trees.push_back(std::move(root));
    }
  }

  void evaluate(std::span<const Value> slots, std::vector<std::size_t> &hits) const {
    for (std::size_t i = 0; i < trees.size(); ++i) {
      if (truthy(walk(*trees[i], slots))) hits.push_back(i);
    }
  }
};

template <class Rules>
void run_rules(benchmark::State &state, const Rules &rules) {
  const auto data = records();
  std::vector<std::size_t> hits;
  hits.reserve(kRuleCount);
  std::size_t r = 0;
  for (auto _ : state) {
    hits.clear();
    rules.evaluate(data[r++ & 63], hits);
    benchmark::DoNotOptimize(hits.data());
  }
  const auto evaluated = static_cast<double>(state.iterations()) * static_cast<double>(kRuleCount);
  state.SetItemsProcessed(static_cast<std::int64_t>(evaluated));
  // Seconds of CPU per rule, printed with an SI prefix (e.g. "14.2n" = 14.2 ns).
  state.counters["per_rule"] = benchmark::Counter(evaluated, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_RuleSet50_Bytecode(benchmark::State &state) { run_rules(state, compiled_rules()); }
void BM_RuleSet50_AstWalk(benchmark::State &state) { run_rules(state, AstRuleSet()); }

/// The reference rule of the performance budget: `a >= 3 and b in ["x", "y"]`.
void BM_TypicalRule(benchmark::State &state) {
  riskkit::rules::SymbolTable table;
  table.add("a", Type::number, 0);
  table.add("b", Type::string, 1);
  const auto e = riskkit::rules::Expression::compile("a >= 3 and b in [\"x\", \"y\"]", table);
  const std::vector<std::vector<Value>> rows{{Value::number(5), Value::string("y")},
                                             {Value::number(1), Value::string("x")},
                                             {Value::number(4), Value::string("z")},
                                             {Value(), Value::string("x")}};
  std::size_t r = 0;
  for (auto _ : state) benchmark::DoNotOptimize(e.test(rows[r++ & 3]));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RuleSet50_Bytecode);
BENCHMARK(BM_RuleSet50_AstWalk);
BENCHMARK(BM_TypicalRule);

/// Console output plus, at the end, the ratio of the two rule-set runs. CPU time, not
/// wall time, so that other processes on a shared machine do not skew the ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto &run : runs) {
      // One repetition, or the median of several (--benchmark_repetitions).
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        times_[run.run_name.function_name] = run.GetAdjustedCPUTime();
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const auto vm = times_.find("BM_RuleSet50_Bytecode"), walk = times_.find("BM_RuleSet50_AstWalk");
    if (vm != times_.end() && walk != times_.end() && vm->second > 0) {
      std::printf("\n50 rules (CPU time): bytecode %.1f ns/rule, AST walker %.1f ns/rule: bytecode is %.1fx faster\n",
                  vm->second / kRuleCount, walk->second / kRuleCount, walk->second / vm->second);
    }
  }

 private:
  std::map<std::string, double> times_;
};

/// Both interpreters must agree before their speeds are compared.
bool same_hits() {
  const auto rules = compiled_rules();
  const AstRuleSet baseline;
  for (const auto &row : records()) {
    std::vector<std::size_t> a, b;
    rules.evaluate(row, a);
    baseline.evaluate(row, b);
    if (a != b) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  if (!same_hits()) {
    std::fprintf(stderr, "bytecode and AST walker disagree; not benchmarking\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
