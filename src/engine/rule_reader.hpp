#pragma once
// The optional keys of a rule in bundle.json (description, score, tags, enabled, mode);
// the loader reads id, when, action and reason itself (docs/bundle-format.md, `rules`).

#include <string>
#include <vector>

#include "core/json_parse.hpp"
#include "engine/manifest_reader.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit::detail {

/// The optional part of a Rule, as read from the manifest (defaults as in Rule).
struct RuleOptions {
  std::string description;
  double score = 0;
  std::vector<std::string> tags;
  RuleMode mode = RuleMode::active;
  bool enabled = true;
};

/// Reads the optional keys of the rule object `node` at `path`, recording a problem for
/// each malformed one.
RuleOptions read_rule_options(ManifestReader &reader, const Json &node, const std::string &path);

}  // namespace riskkit::detail
