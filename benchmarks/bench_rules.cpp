// Rules benchmark, all comparisons in one process on the same records:
// - a 50-rule fraud rule set on riskkit's bytecode VM against a naive AST-walking
//   interpreter over the same checked syntax trees (where most embedded engines start);
// - 100 lending-fraud rules over a 100-field application (lending_rules.hpp) on the VM
//   against the same rules hand-written as straight-line C++;
// - a 3,000-row decision table matched near its end: the index against a row scan.
// The linked rule set is also timed rule by rule (each rule's own program, one VM entry
// per rule: how RuleSet evaluated before linking). GoRules ZEN runs from Python:
// bench_rules_zen.py (README.md).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "lending_rules.hpp"
#include "riskkit/policy/decision_table.hpp"
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

// ---- 100 lending-fraud rules: VM against hand-written C++ ---------------------------

/// 256 synthetic applications over lending::kFields with plausible ranges per field, so
/// each rule fires on some records and not others; ~5 % of values are missing.
std::vector<std::vector<Value>> lending_records() {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0, 1);
  auto one_of = [&](std::initializer_list<const char *> pool) {
    return Value::string(pool.begin()[rng() % pool.size()]);
  };
  const std::int64_t now = 1'795'000'000'000'000;  // 2026-11
  constexpr std::int64_t kDay = 86'400'000'000;
  std::vector<std::vector<Value>> out;
  for (int r = 0; r < 256; ++r) {
    std::vector<Value> row;
    for (const auto &f : lending::kFields) {
      const std::string_view name = f.name;
      if (unit(rng) < 0.05) {
        row.emplace_back();
        continue;
      }
      auto num = [&](double lo, double hi) { return Value::number(std::floor(lo + unit(rng) * (hi - lo))); };
      switch (f.type) {
        case Type::number:
          if (name.starts_with("apps_")) row.push_back(Value::number(std::floor(std::pow(unit(rng), 3) * 20)));
          else if (name.starts_with("distinct_")) row.push_back(num(0, 8));
          else if (name == "monthly_income") row.push_back(unit(rng) < 0.03 ? Value::number(0) : num(500, 12000));
          else if (name == "amount" || name == "requested_limit") row.push_back(num(300, 30000));
          else if (name == "bureau_score") row.push_back(num(300, 850));
          else if (name == "age") row.push_back(num(16, 85));
          else if (name == "utilization" || name.ends_with("match_score")) row.push_back(Value::number(unit(rng)));
          else if (name == "savings") row.push_back(num(-2000, 20000));
          else if (name == "term_months") row.push_back(num(3, 60));
          else row.push_back(num(0, name.ends_with("_days") ? 4000 : name == "ip_distance_km" ? 2000 : 12));
          break;
        case Type::boolean: row.push_back(Value::boolean(unit(rng) < (name == "is_vpn" ? 0.1 : 0.7))); break;
        case Type::timestamp:
          row.push_back(Value::timestamp(Timestamp{now - static_cast<std::int64_t>(unit(rng) * (name == "applied_at" ? 7 : 60) * kDay)}));
          break;
        case Type::string:
          if (name.ends_with("country")) row.push_back(one_of({"GB", "DE", "NG", "RU", "KP", "US"}));
          else if (name == "channel") row.push_back(one_of({"web", "app", "partner"}));
          else if (name == "product") row.push_back(one_of({"cash", "bnpl", "card"}));
          else if (name == "email_domain") row.push_back(one_of({"gmail.com", "mailinator.com", "Mail.RU", "bank.example"}));
          else if (name == "device_os") row.push_back(one_of({"ios", "android", "linux"}));
          else if (name == "browser") row.push_back(one_of({"chrome", "safari", "headless"}));
          else if (name == "employment_type") row.push_back(one_of({"salaried", "contract", "temporary", "self"}));
          else if (name == "housing") row.push_back(one_of({"own", "rent", "none"}));
          else if (name == "id_doc_type") row.push_back(one_of({"passport", "licence"}));
          else if (name == "bank_code") row.push_back(one_of({"2001", "9999", "4402"}));
          else if (name == "utm_source") row.push_back(one_of({"google", "affiliate_x", "unknown"}));
          else if (name == "device_model") row.push_back(one_of({"iPhone15", "generic-x86", "Pixel8"}));
          else row.push_back(one_of({"E1", "N15", "SW1", "M4"}));
          break;
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

riskkit::RuleSet lending_rule_set() {
  riskkit::rules::SymbolTable table;
  for (std::size_t i = 0; i < lending::kFieldCount; ++i) table.add(lending::kFields[i].name, lending::kFields[i].type, i);
  std::vector<riskkit::Rule> rules;
  for (std::size_t i = 0; i < lending::kRuleCount; ++i)
    rules.push_back(riskkit::Rule{"L" + std::to_string(i), riskkit::rules::Expression::compile(lending::kRules[i], table),
                                  riskkit::Action::review, {}});
  return riskkit::RuleSet(std::move(rules));
}

/// Each rule's own program, one VM entry per rule.
struct PerRule {
  riskkit::RuleSet set = lending_rule_set();
  void evaluate(const std::vector<Value> &slots, std::vector<std::size_t> &hits) const {
    for (std::size_t i = 0; i < set.rules().size(); ++i)
      if (set.rules()[i].when.test(slots)) hits.push_back(i);
  }
};

struct HandWritten {
  void evaluate(const std::vector<Value> &slots, std::vector<std::size_t> &hits) const {
    lending::hand::evaluate(slots, hits);
  }
};

template <class Rules>
void run_lending(benchmark::State &state, const Rules &rules) {
  const auto data = lending_records();
  std::vector<std::size_t> hits;
  hits.reserve(lending::kRuleCount);
  std::size_t r = 0, fired = 0;
  for (auto _ : state) {
    hits.clear();
    rules.evaluate(data[r++ & 255], hits);
    fired += hits.size();
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetItemsProcessed(state.iterations());  // records
  state.counters["hits_per_record"] = static_cast<double>(fired) / static_cast<double>(state.iterations());
}

void BM_Lending100_Bytecode(benchmark::State &state) { run_lending(state, lending_rule_set()); }
void BM_Lending100_PerRule(benchmark::State &state) { run_lending(state, PerRule{}); }
void BM_Lending100_HandWritten(benchmark::State &state) { run_lending(state, HandWritten{}); }
BENCHMARK(BM_Lending100_Bytecode);
BENCHMARK(BM_Lending100_PerRule);
BENCHMARK(BM_Lending100_HandWritten);

// ---- decision tables: index against row scan ------------------------------------------

/// 3,000 rows over (grade, income band, term): the kind of pricing grid ZEN scans row by
/// row (its issue #276: 2.6 ms when the match is at row ~1,400). The benchmark looks up
/// inputs that only the last rows match.
riskkit::DecisionTable pricing_table() {
  using riskkit::CellCondition;
  std::vector<std::vector<CellCondition>> cells;
  std::vector<std::vector<Value>> outputs;
  const char *grades[] = {"A", "B", "C", "D", "E", "F"};
  for (int r = 0; r < 3000; ++r) {
    const double lo = (r / 6) * 100.0;
    cells.push_back({CellCondition::one_of({grades[r % 6]}), CellCondition::between(lo, true, lo + 100, false),
                     r % 2 ? CellCondition::between(12, true, 36, true) : CellCondition::any()});
    outputs.push_back({Value::number(1000 + r), Value::number(0.05 + (r % 6) * 0.02)});
  }
  return riskkit::DecisionTable(riskkit::HitPolicy::first, {{"grade", true}, {"income", false}, {"term", false}},
                                {"limit", "apr"}, std::move(cells), std::move(outputs));
}

template <bool kIndexed>
void run_table(benchmark::State &state) {
  const auto table = pricing_table();
  // Rows 2,990-2,999 are the only matches for these inputs.
  const std::vector<std::vector<Value>> queries{
      {Value::string("E"), Value::number(49'950), Value::number(24)},
      {Value::string("F"), Value::number(49'901), Value::number(12)},
      {Value::string("C"), Value::number(49'999), Value::number(60)},
      {Value::string("A"), Value::number(49'900), Value()}};
  std::vector<std::size_t> rows;
  rows.reserve(8);
  std::size_t q = 0;
  for (auto _ : state) {
    rows.clear();
    if constexpr (kIndexed) table.match(queries[q++ & 3], rows);
    else table.match_by_scan(queries[q++ & 3], rows);
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Table3000_Indexed(benchmark::State &state) { run_table<true>(state); }
void BM_Table3000_Scan(benchmark::State &state) { run_table<false>(state); }
BENCHMARK(BM_Table3000_Indexed);
BENCHMARK(BM_Table3000_Scan);

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
    const auto lvm = times_.find("BM_Lending100_Bytecode"), hand = times_.find("BM_Lending100_HandWritten");
    if (lvm != times_.end() && hand != times_.end() && hand->second > 0) {
      std::printf("100 lending rules (CPU time): bytecode %.3f us/record (%.1f ns/rule), hand-written C++ %.3f "
                  "us/record: ratio %.2fx\n",
                  lvm->second / 1000, lvm->second / lending::kRuleCount, hand->second / 1000,
                  lvm->second / hand->second);
    }
    const auto per_rule = times_.find("BM_Lending100_PerRule");
    if (per_rule != times_.end() && lvm != times_.end() && lvm->second > 0) {
      std::printf("100 lending rules (CPU time): one VM entry per rule %.3f us/record: linked rule set is %.1fx faster\n",
                  per_rule->second / 1000, per_rule->second / lvm->second);
    }
    const auto idx = times_.find("BM_Table3000_Indexed"), scan = times_.find("BM_Table3000_Scan");
    if (idx != times_.end() && scan != times_.end() && idx->second > 0) {
      std::printf("3,000-row table, match near the end (CPU time): index %.0f ns, row scan %.0f ns: %.0fx faster\n",
                  idx->second, scan->second, scan->second / idx->second);
    }
  }

 private:
  std::map<std::string, double> times_;
};

/// Every pair compared must agree before their speeds are: the VM and the AST walker,
/// the VM and the hand-written lending rules, the table index and the row scan.
bool same_hits() {
  const auto rules = compiled_rules();
  const AstRuleSet baseline;
  for (const auto &row : records()) {
    std::vector<std::size_t> a, b;
    rules.evaluate(row, a);
    baseline.evaluate(row, b);
    if (a != b) return false;
  }
  const auto lending = lending_rule_set();
  const PerRule per_rule;
  std::vector<std::size_t> fired_somewhere(lending::kRuleCount, 0);
  for (const auto &row : lending_records()) {
    std::vector<std::size_t> a, b;
    lending.evaluate(row, a);
    lending::hand::evaluate(row, b);
    std::vector<std::size_t> c;
    per_rule.evaluate(row, c);
    if (a != b || a != c) {
      std::fprintf(stderr, "lending rules: linked VM, per-rule VM and hand-written C++ disagree\n");
      return false;
    }
    for (const std::size_t i : a) ++fired_somewhere[i];
  }
  for (std::size_t i = 0; i < lending::kRuleCount; ++i)
    if (fired_somewhere[i] == 0) std::fprintf(stderr, "note: lending rule %zu never fires: %s\n", i, lending::kRules[i]);
  const auto table = pricing_table();
  for (double income = 49'000; income < 50'100; income += 7.5) {
    const std::vector<Value> in{Value::string("D"), Value::number(income), Value::number(30)};
    std::vector<std::size_t> a, b;
    table.match(in, a);
    table.match_by_scan(in, b);
    if (a != b) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  if (!same_hits()) {
    std::fprintf(stderr, "the implementations compared disagree; not benchmarking\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
