#include "engine/rule_reader.hpp"

#include <cmath>

#include <fmt/format.h>

namespace riskkit::detail {

RuleOptions read_rule_options(ManifestReader &reader, const Json &node, const std::string &path) {
  RuleOptions rule;
  rule.description = reader.string(node, path, "description", false).value_or("");
  if (auto score = reader.number(node, path, "score", false)) {
    if (!std::isfinite(*score)) reader.problem(path + "/score", "expected a finite number");
    else rule.score = *score;
  }
  rule.enabled = reader.boolean(node, path, "enabled", false).value_or(true);
  if (auto mode = reader.string(node, path, "mode", false); mode && !parse_rule_mode(*mode, rule.mode))
    reader.problem(path + "/mode", fmt::format("unknown mode '{}' (active, shadow)", *mode));
  if (const Json *tags = reader.member(node, path, "tags", false)) {
    if (!tags->is_array()) {
      reader.problem(path + "/tags", "expected an array of strings");
      return rule;
    }
    for (std::size_t i = 0; i < tags->size(); ++i) {
      if ((*tags)[i].is_string()) rule.tags.push_back((*tags)[i].get<std::string>());
      else reader.problem(json_path(path + "/tags", i), "expected a string");
    }
  }
  return rule;
}

}  // namespace riskkit::detail
