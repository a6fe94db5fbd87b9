// Bundle::load: bundle.json → a verified BundleContent (docs/bundle-format.md).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "core/file.hpp"
#include "core/json_parse.hpp"
#include "core/sha256.hpp"
#include "engine/bundle_content.hpp"
#include "engine/manifest_reader.hpp"
#include "engine/rule_reader.hpp"
#include "engine/policy_reader.hpp"
#include "engine/scorecard_points.hpp"
#include "engine/bundle_signature.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace {

using detail::Json;
using detail::json_path;
using detail::ManifestReader;

constexpr std::size_t kMaxManifestBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxModelBytes = std::size_t{1} << 30;

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 128 || (!std::isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

void check_name(ManifestReader &r, const std::string &path, const std::string &name) {
  if (!is_name(name)) r.problem(path, fmt::format("'{}' is not a valid name ([A-Za-z_][A-Za-z0-9_]*)", name));
}

// Everything the loader carries between sections.
struct Loader {
  std::string dir;
  ManifestReader reader{"bundle.json"};
  detail::Sha256 digest;
  detail::BundleContent content;

  std::string path_in_bundle(const std::string &relative) const {
    return (std::filesystem::path(dir) / relative).lexically_normal().string();
  }

  // Reads a referenced file, checks its SHA-256 against the manifest's, adds it to the digest.
  std::optional<std::string> read_verified(const std::string &path, const std::string &file,
                                           const std::optional<std::string> &sha256, std::size_t max_bytes) {
    if (file.empty() || std::filesystem::path(file).is_absolute() || file.find("..") != std::string::npos) {
      reader.problem(path + "/file", fmt::format("'{}' must be a relative path inside the bundle", file));
      return std::nullopt;
    }
    std::string bytes;
    try {
      bytes = detail::read_file(path_in_bundle(file), max_bytes);
    } catch (const Error &e) {
      reader.problem(path + "/file", e.what(), e.code());
      return std::nullopt;
    }
    digest.update(bytes);
    if (sha256) {
      const std::string actual = detail::sha256_hex(bytes);
      if (actual != *sha256) {
        reader.problem(path + "/sha256",
                       fmt::format("{}: SHA-256 is {}, the manifest says {}", file, actual, *sha256),
                       ErrorCode::digest_mismatch);
        return std::nullopt;
      }
    }
    return bytes;
  }

  void load_header(const Json &doc) {
    reader.expect_object(doc, "", {"format", "name", "version", "stage", "description", "schema", "features", "lists",
                                   "rules", "models", "policy"});
    if (auto f = reader.number(doc, "", "format", true); f && *f != 1)
      reader.problem("/format", fmt::format("format {} is not supported (this riskkit reads format 1)", *f));
    content.name = reader.string(doc, "", "name", true).value_or("");
    content.version = reader.string(doc, "", "version", true).value_or("");
    content.stage = reader.string(doc, "", "stage", true).value_or("");
    content.description = reader.string(doc, "", "description", false).value_or("");
    static constexpr std::string_view kStages[] = {"acquisition", "application", "behaviour", "collection"};
    if (doc.contains("stage") && doc["stage"].is_string() &&
        std::find(std::begin(kStages), std::end(kStages), content.stage) == std::end(kStages))
      reader.problem("/stage", fmt::format("unknown stage '{}' (acquisition, application, behaviour, collection)",
                                           content.stage));
  }

  void load_fields(const Json &schema) {
    std::vector<FieldSpec> fields;
    for (const auto &[name, node] : schema.items()) {
      const std::string path = json_path("/schema", name);
      check_name(reader, path, name);
      if (!reader.expect_object(node, path, {"type", "required", "role", "missing", "pii", "from", "description"}))
        continue;
      FieldSpec spec;
      spec.name = name;
      const std::string type = reader.string(node, path, "type", true).value_or("number");
      if (type == "number") spec.type = FieldType::number;
      else if (type == "string") spec.type = FieldType::string;
      else if (type == "bool") spec.type = FieldType::boolean;
      else if (type == "timestamp") spec.type = FieldType::timestamp;
      else reader.problem(path + "/type", fmt::format("unknown type '{}' (number, string, bool, timestamp)", type));
      spec.required = reader.boolean(node, path, "required", false).value_or(false);
      if (auto role = reader.string(node, path, "role", false)) {
        if (*role == "event_id") spec.role = FieldRole::event_id;
        else if (*role == "event_time") spec.role = FieldRole::event_time;
        else if (*role == "entity") spec.role = FieldRole::entity;
        else reader.problem(path + "/role", fmt::format("unknown role '{}' (event_id, event_time, entity)", *role));
      }
      if (const Json *missing = reader.member(node, path, "missing", false)) {
        if (spec.type != FieldType::number) reader.problem(path + "/missing", "only number fields have sentinels");
        else if (!missing->is_array()) reader.problem(path + "/missing", "expected an array of numbers");
        else
          for (std::size_t i = 0; i < missing->size(); ++i) {
            if ((*missing)[i].is_number()) spec.missing_values.push_back((*missing)[i].get<double>());
            else reader.problem(json_path(path + "/missing", i), "expected a number");
          }
      }
      spec.pii = reader.string(node, path, "pii", false).value_or("");
      reader.string(node, path, "description", false);
      fields.push_back(std::move(spec));
    }
    for (FieldRole role : {FieldRole::event_id, FieldRole::event_time}) {
      const auto n = std::count_if(fields.begin(), fields.end(), [&](const FieldSpec &f) { return f.role == role; });
      if (n > 1) reader.problem("/schema", fmt::format("{} fields have role '{}'; at most one may", n,
                                                       role == FieldRole::event_id ? "event_id" : "event_time"));
    }
    try {
      content.schema = Schema(std::move(fields));
    } catch (const Error &e) {
      reader.problem("/schema", e.what());
    }
    for (std::size_t i = 0; i < content.schema.size(); ++i)
      if (content.schema.fields()[i].role == FieldRole::event_id) content.event_id_field = i;
    content.pii_fields = detail::read_pii_fields(reader, schema, content.schema, content.derived_fields);
  }

  void load_lists(const Json &doc) {
    content.lists = detail::read_lists(reader, doc, [this](const std::string &path, const std::string &file,
                                                           const std::optional<std::string> &sha, std::size_t max) {
      return read_verified(path, file, sha, max);
    });
  }

  void load_features(const Json &doc) {
    std::vector<FeatureDefinition> defs;
    if (const Json *features = reader.member(doc, "", "features", false)) {
      if (!features->is_array()) {
        reader.problem("/features", "expected an array");
        return;
      }
      for (std::size_t i = 0; i < features->size(); ++i) {
        const std::string path = json_path("/features", i);
        FeatureDefinition def = detail::read_feature(reader, (*features)[i], path);
        check_name(reader, path + "/name", def.name);
        defs.push_back(std::move(def));
      }
    }
    if (!reader.ok()) return;
    try {
      content.features = FeaturePipeline(content.schema, defs, content.lists);
    } catch (const Error &e) {
      // The pipeline's messages already carry "bundle.json: /features/i"; record as is.
      reader.problem("/features", e.what());
    }
  }

  void load_rules(const Json &doc) {
    const Json *rules = reader.member(doc, "", "rules", false);
    if (!rules) return;
    if (!rules->is_array()) {
      reader.problem("/rules", "expected an array");
      return;
    }
    std::vector<Rule> compiled;
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string path = json_path("/rules", i);
      const Json &node = (*rules)[i];
      if (!reader.expect_object(node, path, {"id", "when", "action", "reason", "description", "score", "tags",
                                             "enabled", "mode"}))
        continue;
      const auto id = reader.string(node, path, "id", true);
      const auto when = reader.string(node, path, "when", true);
      const auto action_text = reader.string(node, path, "action", true);
      detail::RuleOptions options = detail::read_rule_options(reader, node, path);
      Action action = Action::flag;
      if (action_text && !parse_action(*action_text, action))
        reader.problem(path + "/action",
                       fmt::format("unknown action '{}' (flag, review, decline, allow)", *action_text));
      ReasonCode reason;
      if (const Json *r = reader.member(node, path, "reason", true);
          r && reader.expect_object(*r, path + "/reason", {"code", "text"})) {
        reason.code = reader.string(*r, path + "/reason", "code", true).value_or("");
        reason.text = reader.string(*r, path + "/reason", "text", true).value_or("");
      }
      if (!id || !when) continue;
      try {
        auto expr = rules::Expression::compile(*when, content.features.symbols());
        if (expr.type() != rules::Type::boolean) {
          reader.problem(path + "/when", fmt::format("expression is of type {}; a rule needs a bool",
                                                     rules::to_string(expr.type())));
          continue;
        }
        compiled.push_back(Rule{*id, std::move(expr), action, std::move(reason), options.score, std::move(options.tags),
                                options.mode, options.enabled, std::move(options.description)});
      } catch (const Error &e) {
        reader.problem(path + "/when", e.what());
      }
    }
    if (!reader.ok()) return;
    try {
      content.rules = RuleSet(std::move(compiled));
    } catch (const Error &e) {
      reader.problem("/rules", e.what());
    }
  }

  void load_models(const Json &doc) {
    const Json *models = reader.member(doc, "", "models", false);
    if (!models) return;
    if (!models->is_object()) {
      reader.problem("/models", "expected an object (model name → model)");
      return;
    }
    for (const auto &[name, node] : models->items()) {
      const std::string path = json_path("/models", name);
      check_name(reader, path, name);
      if (content.features.symbols().find(name))
        reader.problem(path, fmt::format("'{}' is already the name of a field or feature", name));
      if (name == "rule_score") reader.problem(path, "'rule_score' is reserved for the sum of the rule scores");
      if (!reader.expect_object(node, path,
                                {"kind", "file", "sha256", "inputs", "output", "backend", "mode", "description"}))
        continue;
      detail::BundleModel m;
      m.name = name;
      const std::string mode = reader.string(node, path, "mode", false).value_or("active");
      if (mode == "shadow") m.shadow = true;
      else if (mode != "active") reader.problem(path + "/mode", fmt::format("unknown mode '{}' (active, shadow)", mode));
      const auto kind = reader.string(node, path, "kind", true);
      const auto file = reader.string(node, path, "file", true);
      const auto sha = reader.string(node, path, "sha256", true);
      reader.string(node, path, "description", false);
      const std::string output = reader.string(node, path, "output", false).value_or("value");
      if (output == "margin") m.output = PredictOutput::margin;
      else if (output != "value") reader.problem(path + "/output", fmt::format("unknown output '{}' (value, margin)", output));
      ModelLoadOptions options;
      const std::string backend = reader.string(node, path, "backend", false).value_or("native");
      if (backend == "xgboost_c_api") options.backend = ModelBackend::xgboost_c_api;
      else if (backend != "native")
        reader.problem(path + "/backend", fmt::format("unknown backend '{}' (native, xgboost_c_api)", backend));
      if (const Json *inputs = reader.member(node, path, "inputs", true)) {
        if (!inputs->is_array()) reader.problem(path + "/inputs", "expected an array of names");
        else
          for (std::size_t i = 0; i < inputs->size(); ++i) {
            const Json &in = (*inputs)[i];
            const std::string ipath = json_path(path + "/inputs", i);
            if (!in.is_string()) {
              reader.problem(ipath, "expected a name");
              continue;
            }
            const rules::Symbol *sym = content.features.symbols().find(in.get<std::string>());
            if (!sym) reader.problem(ipath, fmt::format("unknown field or feature '{}'", in.get<std::string>()));
            else if (sym->type == rules::Type::string)
              reader.problem(ipath, fmt::format("'{}' is a string; model inputs are numbers", sym->name));
            else {
              m.inputs.push_back(sym->name);
              m.input_slots.push_back(sym->slot);
            }
          }
      }
      if (!kind || !file) continue;
      if (*kind != "xgboost" && *kind != "logistic" && *kind != "scorecard") {
        reader.problem(path + "/kind", fmt::format("unknown kind '{}' (xgboost, logistic, scorecard)", *kind));
        continue;
      }
      const auto bytes = read_verified(path, *file, sha, kMaxModelBytes);
      if (!bytes) continue;
      try {
        m.model = load_model_from_memory(bytes->data(), bytes->size(), *file, options);
      } catch (const Error &e) {
        reader.problem(path + "/file", e.what());
        continue;
      }
      const std::string_view loaded = m.model->kind();
      if ((*kind == "xgboost") != (loaded == "xgboost" || loaded == "xgboost-capi") ||
          (*kind != "xgboost" && loaded != *kind))
        reader.problem(path + "/kind", fmt::format("the manifest says '{}' but {} holds a '{}' model", *kind, *file, loaded));
      if (m.inputs.size() != m.model->num_features())
        reader.problem(path + "/inputs", fmt::format("{} inputs given, the model has {} features", m.inputs.size(),
                                                     m.model->num_features()));
      m.score_output = m.model->num_outputs() > 1 ? 1 : 0;
      if (loaded == "scorecard") m.best_points_offset = detail::scorecard_best_points_offset(*bytes, *file);
      content.models.push_back(std::move(m));
    }
  }

  void load_policy(const Json &doc) {
    detail::PolicyContext ctx{reader, content,
                              [this](const std::string &path, const std::string &file,
                                     const std::optional<std::string> &sha, std::size_t max) {
                                return read_verified(path, file, sha, max);
                              }};
    detail::read_policy(ctx, doc);
  }
};

}  // namespace

std::shared_ptr<const Bundle> Bundle::load(const std::string &dir) { return load(dir, SignatureOptions{}); }

std::shared_ptr<const Bundle> Bundle::load(const std::string &dir, const SignatureOptions &signature) {
  return detail::load_bundle(dir, &signature);
}

std::shared_ptr<const Bundle> detail::load_bundle(const std::string &dir, const SignatureOptions *signature) {
  Loader loader;
  loader.dir = dir;
  const std::string manifest_path = loader.path_in_bundle("bundle.json");
  const std::string text = detail::read_file(manifest_path, kMaxManifestBytes);
  loader.digest.update(text);
  const Json doc = detail::parse_json(text, manifest_path);
  if (!doc.is_object()) throw Error(ErrorCode::invalid_bundle, manifest_path + ": expected a JSON object");
  loader.content.directory = dir;
  loader.load_header(doc);
  if (const Json *schema = loader.reader.member(doc, "", "schema", true)) {
    if (schema->is_object()) loader.load_fields(*schema);
    else loader.reader.problem("/schema", "expected an object of fields");
  }
  // Later sections need the names of earlier ones; stop at the first broken section.
  loader.reader.throw_if_problems();
  loader.load_lists(doc);
  loader.reader.throw_if_problems();
  loader.load_features(doc);
  loader.reader.throw_if_problems();
  loader.load_rules(doc);
  loader.load_models(doc);
  loader.reader.throw_if_problems();
  loader.load_policy(doc);
  loader.reader.throw_if_problems();
  loader.content.digest = loader.digest.hex();
  if (signature) detail::check_signature(dir, loader.content.digest, *signature);
  return std::make_shared<const Bundle>(std::make_unique<detail::BundleContent>(std::move(loader.content)));
}

}  // namespace riskkit
