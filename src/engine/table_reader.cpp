#include "engine/table_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

struct Column {
  TableColumn column;
  TableInputRef ref;
};

std::optional<Column> resolve_input(ManifestReader &reader, const std::string &path, const std::string &name,
                                    const rules::SymbolTable &symbols, const std::vector<std::string> &score_names) {
  if (const rules::Symbol *sym = symbols.find(name)) {
    if (sym->type != rules::Type::number && sym->type != rules::Type::string) {
      reader.problem(path, fmt::format("'{}' is a {}; table inputs are numbers or strings", name,
                                       rules::to_string(sym->type)));
      return std::nullopt;
    }
    return Column{{name, sym->type == rules::Type::string}, {TableInputRef::Source::slot, sym->slot}};
  }
  const auto score = std::find(score_names.begin(), score_names.end(), name);
  if (score != score_names.end())
    return Column{{name, false},
                  {TableInputRef::Source::score, static_cast<std::size_t>(score - score_names.begin())}};
  if (name == "grade") return Column{{name, true}, {TableInputRef::Source::grade, 0}};
  reader.problem(path, fmt::format("unknown input '{}' (a field, a feature, a score, rule_score or grade)", name));
  return std::nullopt;
}

std::optional<CellCondition> read_condition(ManifestReader &reader, const std::string &path, const Json &cell,
                                            const TableColumn &column) {
  if (column.is_string) {
    if (cell.is_string()) {
      const std::string s = cell.get<std::string>();
      return s == "-" ? CellCondition::any() : CellCondition::one_of({s});
    }
    if (cell.is_array() && std::all_of(cell.begin(), cell.end(), [](const Json &e) { return e.is_string(); }))
      return CellCondition::one_of(cell.get<std::vector<std::string>>());
    reader.problem(path, fmt::format("input '{}' is a string: expected \"-\", a string or an array of strings",
                                     column.name));
    return std::nullopt;
  }
  if (cell.is_number()) return CellCondition::equals(cell.get<double>());
  if (cell.is_string()) {
    try {
      return parse_number_condition(cell.get<std::string>());
    } catch (const Error &e) {
      reader.problem(path, e.what());
      return std::nullopt;
    }
  }
  reader.problem(path, fmt::format("input '{}' is a number: expected a number or a condition such as \"-\", "
                                   "\">= 3\" or \"[1, 5)\"",
                                   column.name));
  return std::nullopt;
}

std::optional<Value> read_output(ManifestReader &reader, const std::string &path, const Json &cell) {
  if (cell.is_number()) return Value::number(cell.get<double>());
  if (cell.is_string()) return Value::string(cell.get<std::string>());
  if (cell.is_null()) return Value();
  reader.problem(path, "an output is a number, a string or null");
  return std::nullopt;
}

std::vector<std::string> names_of(ManifestReader &reader, const Json &node, const std::string &path,
                                  std::string_view key) {
  std::vector<std::string> names;
  const Json *list = reader.member(node, path, key, true);
  if (!list) return names;
  if (!list->is_array() || list->empty()) {
    reader.problem(json_path(path, key), "expected a non-empty array of names");
    return names;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i].is_string()) names.push_back((*list)[i].get<std::string>());
    else reader.problem(json_path(json_path(path, key), i), "expected a name");
  }
  return names;
}

std::optional<BundleTable> read_table(ManifestReader &reader, const std::string &path, const std::string &name,
                                      const Json &node, const rules::SymbolTable &symbols,
                                      const std::vector<std::string> &score_names) {
  if (!reader.expect_object(node, path, {"hit", "inputs", "outputs", "rows", "description"})) return std::nullopt;
  reader.string(node, path, "description", false);
  HitPolicy hit = HitPolicy::first;
  if (auto h = reader.string(node, path, "hit", false); h && !parse_hit_policy(*h, hit))
    reader.problem(path + "/hit", fmt::format("unknown hit policy '{}' (first, collect)", *h));
  BundleTable table;
  table.name = name;
  std::vector<TableColumn> columns;
  const std::vector<std::string> inputs = names_of(reader, node, path, "inputs");
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (auto c = resolve_input(reader, json_path(path + "/inputs", i), inputs[i], symbols, score_names)) {
      columns.push_back(c->column);
      table.inputs.push_back(c->ref);
    }
  }
  const std::vector<std::string> outputs = names_of(reader, node, path, "outputs");
  const Json *rows = reader.member(node, path, "rows", true);
  if (!rows || columns.size() != inputs.size()) return std::nullopt;
  if (!rows->is_array()) {
    reader.problem(path + "/rows", "expected an array of rows");
    return std::nullopt;
  }
  if (rows->size() > kMaxTableRows) {
    reader.problem(path + "/rows", fmt::format("{} rows; a table has at most {}", rows->size(), kMaxTableRows));
    return std::nullopt;
  }
  std::vector<std::vector<CellCondition>> conditions;
  std::vector<std::vector<Value>> values;
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const std::string rpath = json_path(path + "/rows", r);
    const Json &row = (*rows)[r];
    if (!row.is_array() || row.size() != columns.size() + outputs.size()) {
      reader.problem(rpath, fmt::format("expected an array of {} conditions then {} outputs", columns.size(),
                                        outputs.size()));
      continue;
    }
    std::vector<CellCondition> cells;
    std::vector<Value> outs;
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (auto cond = read_condition(reader, json_path(rpath, c), row[c], columns[c])) cells.push_back(std::move(*cond));
    for (std::size_t o = 0; o < outputs.size(); ++o)
      if (auto v = read_output(reader, json_path(rpath, columns.size() + o), row[columns.size() + o]))
        outs.push_back(std::move(*v));
    conditions.push_back(std::move(cells));
    values.push_back(std::move(outs));
  }
  if (!reader.ok()) return std::nullopt;
  try {
    table.table = DecisionTable(hit, std::move(columns), outputs, std::move(conditions), std::move(values));
  } catch (const Error &e) {
    reader.problem(path, e.what());
    return std::nullopt;
  }
  return table;
}

}  // namespace

std::vector<BundleTable> read_tables(ManifestReader &reader, const Json &tables, const rules::SymbolTable &symbols,
                                     const std::vector<std::string> &score_names) {
  std::vector<BundleTable> out;
  if (!tables.is_object()) {
    reader.problem("/policy/tables", "expected an object (table name → table)");
    return out;
  }
  for (const auto &[name, node] : tables.items()) {
    const std::string path = json_path("/policy/tables", name);
    if (auto t = read_table(reader, path, name, node, symbols, score_names)) out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace riskkit::detail
