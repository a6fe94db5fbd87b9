#pragma once
// bundle.sig: an HMAC-SHA-256 or Ed25519 signature over a bundle's digest (docs/bundle-format.md, "Signing").

#include <memory>
#include <string>

#include "riskkit/engine/bundle.hpp"

namespace riskkit::detail {

/// The signature file's name inside a bundle directory.
inline constexpr const char *kSignatureFile = "bundle.sig";

/// Bundle::load, checking bundle.sig as `*signature` says; null = not at all (signing).
std::shared_ptr<const Bundle> load_bundle(const std::string &dir, const SignatureOptions *signature);

/// Checks `dir`/bundle.sig against `digest` as `options` (and the environment) say;
/// throws Error(digest_mismatch) for a signature that does not verify, whose algorithm is
/// not the configured key's or, when one is required, is absent, and Error(invalid_argument)
/// when one is required and no key is set.
void check_signature(const std::string &dir, const std::string &digest, const SignatureOptions &options);

}  // namespace riskkit::detail
