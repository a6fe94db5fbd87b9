#pragma once
// Reading the feature-side sections of bundle.json: "features" entries, "lists", and the
// schema's personal-data fields. Problems go to the ManifestReader with their JSON path.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/manifest_reader.hpp"
#include "riskkit/core/schema.hpp"
#include "riskkit/features/feature_pipeline.hpp"
#include "riskkit/privacy/pii.hpp"

namespace riskkit::detail {

/// A schema field whose values are pseudonymized on entry.
struct PiiField {
  std::size_t slot = 0;
  privacy::PiiKind kind = privacy::PiiKind::device;
};

/// A schema field filled from a part of a personal-data field before that field is
/// pseudonymized (`"from": {"field", "part"}`).
struct DerivedField {
  std::size_t slot = 0;
  std::size_t source = 0;
  privacy::PiiKind kind = privacy::PiiKind::email;
  privacy::PiiPart part = privacy::PiiPart::length;
};

/// Reads one entry of "features" (docs/bundle-format.md#features).
FeatureDefinition read_feature(ManifestReader &reader, const Json &node, const std::string &path);

/// Reads a file referenced by the manifest and checks its SHA-256 (the loader's
/// read_verified): path, file, sha256, size limit → bytes, or nullopt after a problem.
using VerifiedReader = std::function<std::optional<std::string>(const std::string &, const std::string &,
                                                                const std::optional<std::string> &, std::size_t)>;

/// Reads "lists" (docs/bundle-format.md#lists), loading and verifying each file.
std::vector<ListSpec> read_lists(ManifestReader &reader, const Json &doc, const VerifiedReader &read_verified);

/// The schema's pii fields, each kind checked (known kind, string field), and its derived
/// fields (`from`), read from `schema_json` ("schema" of bundle.json) into `derived`.
std::vector<PiiField> read_pii_fields(ManifestReader &reader, const Json &schema_json, const Schema &schema,
                                      std::vector<DerivedField> &derived);

}  // namespace riskkit::detail
