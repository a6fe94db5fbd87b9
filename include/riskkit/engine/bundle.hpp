#pragma once
/// \file
/// Bundle: a loaded, verified, immutable decision configuration (docs/bundle-format.md).

#include <memory>
#include <string>
#include <vector>

#include "riskkit/core/schema.hpp"
#include "riskkit/export.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit {

namespace detail {
struct BundleContent;
}

/// What loading requires of a bundle's signature file `bundle.sig` (an HMAC-SHA-256 of
/// the bundle digest, written by sign_bundle / `riskkit sign`; docs/bundle-format.md).
struct SignatureOptions {
  /// The signing key's bytes. Empty: the file named by RISKKIT_BUNDLE_KEY_FILE, if set.
  std::string key;
  /// true: refuse a bundle whose bundle.sig is absent or does not verify (Error
  /// digest_mismatch). Also switched on by RISKKIT_REQUIRE_SIGNATURE=1. When false, a
  /// present bundle.sig is still verified whenever a key is available.
  bool required = false;
};

/// Writes `dir`/bundle.sig: the bundle's digest and its HMAC-SHA-256 under `key` (at
/// least 32 bytes). Loads the bundle first, so only a bundle that loads is signed.
/// Returns the digest signed. Throws Error(invalid_argument) for a short key, Error like
/// Bundle::load otherwise.
RK_API std::string sign_bundle(const std::string &dir, const std::string &key);

/// The signing key held in a key file: its bytes (at most 4 KiB), trailing whitespace such
/// as a final newline dropped. Throws Error(io) naming the path. The same rule applies to
/// the file RISKKIT_BUNDLE_KEY_FILE names.
RK_API std::string read_signing_key(const std::string &path);

/// A bundle directory, loaded: schema, features, rules, models and policy, each
/// reference resolved, each expression compiled and each file's SHA-256 verified.
/// Immutable and shareable across threads.
class RK_API Bundle {
 public:
  /// Loads `dir`/bundle.json. Throws Error naming the file and JSON path of the first
  /// problem (and every further problem found, one per line).
  static std::shared_ptr<const Bundle> load(const std::string &dir);
  /// As load(dir), checking bundle.sig as `signature` says (after the digest is known).
  static std::shared_ptr<const Bundle> load(const std::string &dir, const SignatureOptions &signature);

  explicit Bundle(std::unique_ptr<detail::BundleContent> content);
  ~Bundle();

  const std::string &name() const noexcept;
  const std::string &version() const noexcept;
  const std::string &stage() const noexcept;
  /// Hex SHA-256 over bundle.json and every file it references, in manifest order.
  const std::string &digest() const noexcept;
  const std::string &directory() const noexcept;
  const Schema &schema() const noexcept;
  const RuleSet &rules() const noexcept;
  /// Feature names, in computation order.
  std::vector<std::string> feature_names() const;
  /// Names of the active models (the scores of Decision::scores), in bundle order.
  std::vector<std::string> model_names() const;
  /// Names of the shadow models (Decision::shadow_scores), in bundle order.
  std::vector<std::string> shadow_model_names() const;
  /// The policy's outcomes, least severe first (docs/stages.md).
  std::vector<std::string> outcome_names() const;

  const detail::BundleContent &content() const noexcept { return *content_; }

 private:
  std::unique_ptr<detail::BundleContent> content_;
};

}  // namespace riskkit
