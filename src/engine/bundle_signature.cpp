#include "engine/bundle_signature.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/file.hpp"
#include "core/json_parse.hpp"
#include "engine/ed25519.hpp"
#include "riskkit/error.hpp"

namespace riskkit {
namespace detail {
namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr const char *kHmac = "hmac-sha256";
constexpr const char *kEd25519 = "ed25519";

std::string hex_of(const unsigned char *bytes, std::size_t n) {
  std::string hex;
  for (std::size_t i = 0; i < n; ++i) hex += fmt::format("{:02x}", bytes[i]);
  return hex;
}

// The bytes `hex` spells; "" when it is not an even run of hex digits.
std::string bytes_of(const std::string &hex) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string bytes;
  if (hex.size() % 2) return {};
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    bytes += static_cast<char>(hi * 16 + lo);
  }
  return bytes;
}

std::string hmac_hex(const std::string &key, const std::string &message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(message.data()),
       message.size(), mac, &length);
  return hex_of(mac, length);
}

// `value` if set, else the key file the environment variable `variable` names (read by
// read_signing_key); "" when neither is set.
std::string key_of(const std::string &value, const char *variable) {
  if (!value.empty()) return value;
  const char *file = std::getenv(variable);
  if (!file || !*file) return {};
  return read_signing_key(file);
}

bool required(const SignatureOptions &options) {
  const char *env = std::getenv("RISKKIT_REQUIRE_SIGNATURE");
  return options.required || (env && std::string_view(env) == "1");
}

// bundle.sig's text: the digest and its signature under `key` (see sign_bundle).
std::string signature_text(const std::string &digest, const std::string &key) {
  const bool ed25519 = is_pem_private_key(key);
  std::string signature;
  if (ed25519) {
    const std::string raw = ed25519_sign(key, digest);
    signature = hex_of(reinterpret_cast<const unsigned char *>(raw.data()), raw.size());
  } else {
    signature = hmac_hex(key, digest);
  }
  const Json j = {
      {"format", 1}, {"algorithm", ed25519 ? kEd25519 : kHmac}, {"digest", digest}, {"signature", signature}};
  return j.dump(2) + "\n";
}

}  // namespace

void check_signature(const std::string &dir, const std::string &digest, const SignatureOptions &options) {
  const std::string path = (std::filesystem::path(dir) / kSignatureFile).string();
  const bool must = required(options);
  const std::string public_key = key_of(options.public_key, "RISKKIT_BUNDLE_PUBLIC_KEY_FILE");
  const std::string key = public_key.empty() ? key_of(options.key, "RISKKIT_BUNDLE_KEY_FILE") : std::string();
  if (!std::filesystem::exists(path)) {
    if (must)
      throw Error(ErrorCode::digest_mismatch,
                  fmt::format("{}: the bundle is unsigned and a signature is required (riskkit sign)", path));
    return;
  }
  if (public_key.empty() && key.empty()) {
    if (must)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a signature is required but no key is set (SignatureOptions::public_key or "
                              "RISKKIT_BUNDLE_PUBLIC_KEY_FILE for Ed25519, SignatureOptions::key or "
                              "RISKKIT_BUNDLE_KEY_FILE for HMAC)", path));
    return;  // nothing to verify with; the digest checks still hold
  }
  Json sig;
  try {
    sig = parse_json(read_file(path, 64 * 1024), path);
  } catch (const Error &e) {
    throw Error(ErrorCode::digest_mismatch, fmt::format("{}: unreadable signature: {}", path, e.what()));
  }
  if (!sig.is_object()) throw Error(ErrorCode::digest_mismatch, fmt::format("{}: not a JSON object", path));
  // The configured key decides the algorithm: never the file, which an attacker writes.
  const std::string expected_algorithm = public_key.empty() ? kHmac : kEd25519;
  const auto text = [&sig](const char *member) {  // "" for an absent or non-string member
    const auto it = sig.find(member);
    return it != sig.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string algorithm = text("algorithm"), signed_digest = text("digest"), signature = text("signature");
  if (algorithm != expected_algorithm)
    throw Error(ErrorCode::digest_mismatch,
                fmt::format("{}: /algorithm: the bundle is signed with \"{}\" but {} is configured, which accepts "
                            "only \"{}\"",
                            path, algorithm, public_key.empty() ? "an HMAC key" : "an Ed25519 public key",
                            expected_algorithm));
  if (signed_digest != digest)
    throw Error(ErrorCode::digest_mismatch,
                fmt::format("{}: signed digest {} but the bundle's is {}: the bundle changed since it was signed", path,
                            signed_digest, digest));
  bool valid = false;
  if (public_key.empty()) {
    const std::string expected = hmac_hex(key, digest);
    valid = signature.size() == expected.size() &&
            CRYPTO_memcmp(signature.data(), expected.data(), signature.size()) == 0;
  } else {
    try {
      valid = ed25519_verify(public_key, digest, bytes_of(signature));
    } catch (const Error &e) {
      throw Error(e.code(), fmt::format("{}: the configured public key: {}", path, e.what()));
    }
  }
  if (!valid)
    throw Error(ErrorCode::digest_mismatch,
                fmt::format("{}: the {} signature does not verify with this {}", path, algorithm,
                            public_key.empty() ? "key" : "public key: signed by another key, or altered"));
}

}  // namespace detail

std::string read_signing_key(const std::string &path) {
  std::string key = detail::read_file(path, 4096);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  return key;
}

std::string sign_bundle(const std::string &dir, const std::string &key) {
  // PEM text that is not a private key (a public key, a certificate) would otherwise make
  // a valid-looking HMAC key that no server expects.
  if (!detail::is_pem_private_key(key) && key.find("-----BEGIN ") != std::string::npos)
    throw Error(ErrorCode::invalid_argument,
                "a PEM signing key must be a PKCS#8 private key (-----BEGIN PRIVATE KEY-----): a public key only "
                "verifies; convert other formats with `openssl pkey`");
  if (!detail::is_pem_private_key(key) && key.size() < detail::kMinKeyBytes)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("a signing key needs at least {} bytes, got {}", detail::kMinKeyBytes, key.size()));
  const std::string digest = detail::load_bundle(dir, nullptr)->digest();
  const std::string text = detail::signature_text(digest, key);  // before writing: a bad key leaves no file
  const std::string path = (std::filesystem::path(dir) / detail::kSignatureFile).string();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error(ErrorCode::io, fmt::format("{}: cannot write", tmp));
  }
  std::filesystem::rename(tmp, path);
  return digest;
}

SigningKeyPair generate_signing_key() { return detail::ed25519_generate(); }

}  // namespace riskkit
