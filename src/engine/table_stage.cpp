#include "engine/table_stage.hpp"

namespace riskkit::detail {

void run_tables(std::span<const BundleTable> tables, std::span<const Value> slots, std::span<const double> scores,
                const std::string &grade, Decision &d) {
  thread_local std::vector<Value> inputs;
  thread_local std::vector<std::size_t> rows;
  for (const BundleTable &t : tables) {
    inputs.clear();
    for (const TableInputRef &in : t.inputs) {
      switch (in.source) {
        case TableInputRef::Source::slot: inputs.push_back(slots[in.index]); break;
        case TableInputRef::Source::score: inputs.push_back(Value::number(scores[in.index])); break;
        case TableInputRef::Source::grade: inputs.push_back(grade.empty() ? Value() : Value::string(grade)); break;
      }
    }
    rows.clear();
    t.table.match(inputs, rows);
    const bool collect = t.table.hit_policy() == HitPolicy::collect;
    for (std::size_t o = 0; o < t.table.output_names().size(); ++o) {
      TableOutput out{t.name + "." + t.table.output_names()[o], {}, collect};
      for (const std::size_t r : rows) out.values.push_back(t.table.output(r, o));
      d.outputs.push_back(std::move(out));
    }
  }
}

}  // namespace riskkit::detail
