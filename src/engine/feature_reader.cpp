#include "engine/feature_reader.hpp"

#include <fmt/format.h>

namespace riskkit::detail {
namespace {

constexpr std::size_t kMaxListBytes = std::size_t{256} << 20;

bool is_pseudonym(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::vector<std::string> string_array(ManifestReader &reader, const Json &node, const std::string &path) {
  std::vector<std::string> out;
  if (node.is_string()) return {node.get<std::string>()};
  if (!node.is_array()) {
    reader.problem(path, "expected a field name or an array of field names");
    return out;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (node[i].is_string()) out.push_back(node[i].get<std::string>());
    else reader.problem(json_path(path, i), "expected a field name");
  }
  return out;
}

VelocityDefinition read_velocity(ManifestReader &reader, const Json &node, const std::string &path) {
  VelocityDefinition v;
  if (!reader.expect_object(node, path, {"entity", "window", "lateness", "agg", "value", "filter", "record"})) return v;
  if (const Json *entity = reader.member(node, path, "entity", true)) v.entity = string_array(reader, *entity, path + "/entity");
  v.window = reader.string(node, path, "window", true).value_or("");
  v.lateness = reader.string(node, path, "lateness", false).value_or(v.lateness);
  if (auto agg = reader.string(node, path, "agg", true)) {
    if (auto a = parse_velocity_aggregation(*agg)) v.aggregation = *a;
    else reader.problem(path + "/agg", fmt::format("unknown aggregation '{}' (count, sum, min, max, mean, distinct_count)", *agg));
  }
  v.value = reader.string(node, path, "value", false).value_or("");
  v.filter = reader.string(node, path, "filter", false).value_or("");
  v.record = reader.boolean(node, path, "record", false).value_or(true);
  return v;
}

std::vector<double> number_array(ManifestReader &reader, const Json &node, const std::string &path, std::string_view key) {
  std::vector<double> out;
  const Json *array = reader.member(node, path, key, true);
  if (!array) return out;
  if (!array->is_array()) {
    reader.problem(json_path(path, key), "expected an array of numbers");
    return out;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    if ((*array)[i].is_number()) out.push_back((*array)[i].get<double>());
    else reader.problem(json_path(json_path(path, key), i), "expected a number");
  }
  return out;
}

BinsDefinition read_bins(ManifestReader &reader, const Json &node, const std::string &path) {
  BinsDefinition b;
  if (!reader.expect_object(node, path, {"input", "edges", "woe", "special", "missing"})) return b;
  b.input = reader.string(node, path, "input", true).value_or("");
  b.edges = number_array(reader, node, path, "edges");
  b.values = number_array(reader, node, path, "woe");
  b.missing = reader.number(node, path, "missing", false);
  if (const Json *special = reader.member(node, path, "special", false)) {
    if (!special->is_array()) reader.problem(path + "/special", "expected an array of {\"value\", \"woe\"}");
    else
      for (std::size_t i = 0; i < special->size(); ++i) {
        const std::string p = json_path(path + "/special", i);
        if (!reader.expect_object((*special)[i], p, {"value", "woe"})) continue;
        const auto value = reader.number((*special)[i], p, "value", true);
        const auto woe = reader.number((*special)[i], p, "woe", true);
        if (value && woe) b.special.emplace_back(*value, *woe);
      }
  }
  return b;
}

CategoryMapDefinition read_map(ManifestReader &reader, const Json &node, const std::string &path) {
  CategoryMapDefinition m;
  if (!reader.expect_object(node, path, {"input", "values", "other", "missing"})) return m;
  m.input = reader.string(node, path, "input", true).value_or("");
  if (const Json *values = reader.member(node, path, "values", true)) {
    if (!values->is_object()) reader.problem(path + "/values", "expected an object (category → number)");
    else
      for (const auto &[category, value] : values->items()) {
        if (value.is_number()) m.values.emplace_back(category, value.get<double>());
        else reader.problem(json_path(path + "/values", category), "expected a number");
      }
  }
  m.other = reader.number(node, path, "other", false);
  m.missing = reader.number(node, path, "missing", false);
  return m;
}

}  // namespace

FeatureDefinition read_feature(ManifestReader &reader, const Json &node, const std::string &path) {
  FeatureDefinition def;
  if (!reader.expect_object(node, path, {"name", "expr", "field", "velocity", "in_list", "bins", "map", "description"}))
    return def;
  def.name = reader.string(node, path, "name", true).value_or("");
  def.expr = reader.string(node, path, "expr", false).value_or("");
  def.field = reader.string(node, path, "field", false).value_or("");
  reader.string(node, path, "description", false);
  std::string where;
  if (const Json *v = reader.member(node, path, "velocity", false)) {
    def.velocity = read_velocity(reader, *v, path + "/velocity");
    where = "/velocity";
  }
  if (const Json *l = reader.member(node, path, "in_list", false);
      l && reader.expect_object(*l, path + "/in_list", {"list", "field"})) {
    def.in_list = ListMembershipDefinition{reader.string(*l, path + "/in_list", "list", true).value_or(""),
                                           reader.string(*l, path + "/in_list", "field", true).value_or("")};
    where = "/in_list";
  }
  if (const Json *b = reader.member(node, path, "bins", false)) {
    def.bins = read_bins(reader, *b, path + "/bins");
    where = "/bins";
  }
  if (const Json *m = reader.member(node, path, "map", false)) {
    def.map = read_map(reader, *m, path + "/map");
    where = "/map";
  }
  if (!def.expr.empty()) where = "/expr";
  def.origin = fmt::format("bundle.json: {}{}", path, where);
  return def;
}

std::vector<ListSpec> read_lists(ManifestReader &reader, const Json &doc, const VerifiedReader &read_verified) {
  std::vector<ListSpec> lists;
  const Json *node = reader.member(doc, "", "lists", false);
  if (!node) return lists;
  if (!node->is_object()) {
    reader.problem("/lists", "expected an object (list name → {file, sha256, kind})");
    return lists;
  }
  for (const auto &[name, spec] : node->items()) {
    const std::string path = json_path("/lists", name);
    if (!reader.expect_object(spec, path, {"file", "sha256", "kind", "description"})) continue;
    const auto file = reader.string(spec, path, "file", true);
    const auto sha = reader.string(spec, path, "sha256", true);
    const std::string kind = reader.string(spec, path, "kind", false).value_or("");
    reader.string(spec, path, "description", false);
    if (!kind.empty() && !privacy::parse_pii_kind(kind))
      reader.problem(path + "/kind", fmt::format("unknown kind '{}' (email, phone, id_number, device, customer_id, "
                                                 "account, ip)", kind));
    if (!file || !sha) continue;
    const auto bytes = read_verified(path, *file, sha, kMaxListBytes);
    if (!bytes) continue;
    // One entry per line; blank lines and lines starting with '#' are comments; CRLF is fine.
    std::vector<std::string> entries;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < bytes->size();) {
      std::size_t end = bytes->find('\n', pos);
      if (end == std::string::npos) end = bytes->size();
      std::string_view line(bytes->data() + pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.front() == '#') continue;
      if (!kind.empty() && !is_pseudonym(line)) {
        reader.problem(path + "/file", fmt::format("{}:{}: a '{}' list holds pseudonyms (64 lowercase hex digits, "
                                                   "riskkit.privacy.pseudonymize)", *file, line_no, kind));
        break;
      }
      entries.emplace_back(line);
    }
    lists.push_back(ListSpec{name, kind, std::make_shared<const rules::StringList>(std::move(entries))});
  }
  return lists;
}

namespace {

void read_derived(ManifestReader &reader, const Json &schema_json, const Schema &schema,
                  std::vector<DerivedField> &derived) {
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const FieldSpec &f = schema.fields()[i];
    const std::string path = json_path("/schema", f.name);
    const Json *from = schema_json.contains(f.name) ? reader.member(schema_json[f.name], path, "from", false) : nullptr;
    if (!from || !reader.expect_object(*from, path + "/from", {"field", "part"})) continue;
    const auto source = reader.string(*from, path + "/from", "field", true);
    const auto part_name = reader.string(*from, path + "/from", "part", true);
    if (!source || !part_name) continue;
    const auto part = privacy::parse_pii_part(*part_name);
    const auto source_slot = schema.index_of(*source);
    if (!part) {
      reader.problem(path + "/from/part", fmt::format("unknown part '{}' (domain, prefix, length, digits, letters, symbols)", *part_name));
    } else if (!source_slot || schema.fields()[*source_slot].pii.empty()) {
      reader.problem(path + "/from/field", fmt::format("'{}' is not a personal-data (pii) field", *source));
    } else if (const auto kind = privacy::parse_pii_kind(schema.fields()[*source_slot].pii);
               kind && !privacy::has_part(*kind, *part)) {
      reader.problem(path + "/from/part", fmt::format("a '{}' value has no part '{}'", privacy::to_string(*kind), *part_name));
    } else if (f.type != (privacy::is_count(*part) ? FieldType::number : FieldType::string)) {
      reader.problem(path + "/type", fmt::format("part '{}' is a {}", *part_name,
                                                 privacy::is_count(*part) ? "number" : "string"));
    } else if (f.required || !f.pii.empty()) {
      reader.problem(path, "a derived field can be neither required nor personal data itself");
    } else if (kind) {
      derived.push_back(DerivedField{i, *source_slot, *kind, *part});
    }
  }
}

}  // namespace

std::vector<PiiField> read_pii_fields(ManifestReader &reader, const Json &schema_json, const Schema &schema,
                                      std::vector<DerivedField> &derived) {
  read_derived(reader, schema_json, schema, derived);
  std::vector<PiiField> out;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const FieldSpec &f = schema.fields()[i];
    if (f.pii.empty()) continue;
    const std::string path = json_path("/schema", f.name) + "/pii";
    const auto kind = privacy::parse_pii_kind(f.pii);
    if (!kind)
      reader.problem(path, fmt::format("unknown kind '{}' (email, phone, id_number, device, customer_id, account, ip)",
                                       f.pii));
    else if (f.type != FieldType::string)
      reader.problem(path, "personal data fields must have type 'string'");
    else
      out.push_back(PiiField{i, *kind});
  }
  return out;
}

}  // namespace riskkit::detail
