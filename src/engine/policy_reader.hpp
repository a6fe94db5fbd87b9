#pragma once
// Reads the `policy` section of bundle.json: outcomes, cutoffs, default, grades, tables,
// segments, the champion/challenger split and reasons (docs/bundle-format.md, docs/stages.md).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json_parse.hpp"
#include "engine/bundle_content.hpp"
#include "engine/manifest_reader.hpp"

namespace riskkit::detail {

/// What reading the policy needs from the bundle loader.
struct PolicyContext {
  ManifestReader &reader;
  BundleContent &content;  ///< models, features and schema already loaded; the policy is written here
  /// Reads a file of the bundle, checking its SHA-256 and adding it to the digest
  /// (records a problem and returns nullopt on failure).
  std::function<std::optional<std::string>(const std::string &path, const std::string &file,
                                           const std::optional<std::string> &sha256, std::size_t max_bytes)>
      read_verified;

  /// The score named by node[key] at `path`: a model's index, or models.size() for
  /// rule_score. Records a problem (and returns nullopt) for an unknown or shadow model.
  std::optional<std::size_t> score_ref(const Json &node, const std::string &path, std::string_view key = "score");
};

/// Reads doc["policy"] into ctx.content (policy, tables, segments, challenger, reasons).
void read_policy(PolicyContext &ctx, const Json &doc);

/// Reads policy.reasons (top, catalogue, baseline, reference): the reason units of every
/// model and, for the "cutoff" baseline, one baseline per cutoff in `cutoff_sets`.
/// Returns `top`.
std::size_t read_reasons(PolicyContext &ctx, const Json *reasons,
                         const std::vector<const std::vector<Cutoff> *> &cutoff_sets);

}  // namespace riskkit::detail
