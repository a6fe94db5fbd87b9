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

/// What loading requires of a bundle's signature file `bundle.sig` (an HMAC-SHA-256 or an
/// Ed25519 signature of the bundle digest, written by sign_bundle / `riskkit sign`;
/// docs/audit.md#signing).
struct SignatureOptions {
  /// The HMAC signing key's bytes. Empty: the file named by RISKKIT_BUNDLE_KEY_FILE, if set.
  std::string key;
  /// An Ed25519 public key as PEM text ("-----BEGIN PUBLIC KEY-----"). Empty: the file named
  /// by RISKKIT_BUNDLE_PUBLIC_KEY_FILE, if set. When set, only an Ed25519 bundle.sig that
  /// verifies with it is accepted (an HMAC one is refused, whatever `key` holds).
  std::string public_key;
  /// true: refuse a bundle whose bundle.sig is absent or does not verify (Error
  /// digest_mismatch). Also switched on by RISKKIT_REQUIRE_SIGNATURE=1. When false, a
  /// present bundle.sig is still verified whenever a key is available.
  bool required = false;
};

/// Writes `dir`/bundle.sig over the bundle's digest. `key` is either a PEM Ed25519 private
/// key ("-----BEGIN PRIVATE KEY-----", from generate_signing_key, `riskkit keygen` or
/// `openssl genpkey -algorithm ed25519`): algorithm "ed25519"; or any other bytes, at
/// least 32, an HMAC key: algorithm "hmac-sha256". Loads the bundle first, so only a
/// bundle that loads is signed. Returns the digest signed. Throws Error(invalid_argument)
/// for a short HMAC key, PEM text that is not an Ed25519 private key (e.g. the public key),
/// Error like Bundle::load otherwise.
RK_API std::string sign_bundle(const std::string &dir, const std::string &key);

/// The signing key held in a key file: its bytes (at most 4 KiB), trailing whitespace such
/// as a final newline dropped. Throws Error(io) naming the path. The same rule applies to
/// the files RISKKIT_BUNDLE_KEY_FILE and RISKKIT_BUNDLE_PUBLIC_KEY_FILE name.
RK_API std::string read_signing_key(const std::string &path);

/// An Ed25519 key pair as PEM text: the private key signs (keep it secret, with whoever
/// releases bundles), the public key verifies (SignatureOptions::public_key, on servers).
struct SigningKeyPair {
  std::string private_key;  ///< PKCS#8, "-----BEGIN PRIVATE KEY-----"
  std::string public_key;   ///< SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"
};

/// A fresh Ed25519 key pair from OpenSSL's random generator (`riskkit keygen`).
RK_API SigningKeyPair generate_signing_key();

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
