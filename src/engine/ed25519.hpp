#pragma once
// Ed25519 signatures over PEM keys (OpenSSL 3): the public-key variant of bundle.sig.

#include <string>
#include <string_view>

#include "riskkit/engine/bundle.hpp"

namespace riskkit::detail {

/// True when `key` holds PEM text of a private key ("-----BEGIN PRIVATE KEY-----").
bool is_pem_private_key(std::string_view key);

/// The 64-byte Ed25519 signature of `message` under `private_key_pem` (PKCS#8 PEM, not
/// encrypted). Throws Error(invalid_argument) when the key is not an Ed25519 private key.
std::string ed25519_sign(const std::string &private_key_pem, std::string_view message);

/// Whether `signature` (raw bytes) is an Ed25519 signature of `message` by the key whose
/// public half is `public_key_pem` ("-----BEGIN PUBLIC KEY-----"). Throws
/// Error(invalid_argument) when the text is not an Ed25519 public key.
bool ed25519_verify(const std::string &public_key_pem, std::string_view message, std::string_view signature);

/// A fresh Ed25519 key pair from OpenSSL's CSPRNG, as PEM.
SigningKeyPair ed25519_generate();

}  // namespace riskkit::detail
