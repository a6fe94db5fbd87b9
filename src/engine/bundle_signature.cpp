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
#include "riskkit/error.hpp"

namespace riskkit {
namespace detail {
namespace {

constexpr std::size_t kMinKeyBytes = 32;

std::string hmac_hex(const std::string &key, const std::string &message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(message.data()),
       message.size(), mac, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", mac[i]);
  return hex;
}

// The key's bytes: options.key, else the file RISKKIT_BUNDLE_KEY_FILE names (trailing
// whitespace dropped); "" when neither is set.
std::string key_of(const SignatureOptions &options) {
  if (!options.key.empty()) return options.key;
  const char *file = std::getenv("RISKKIT_BUNDLE_KEY_FILE");
  if (!file || !*file) return {};
  return read_signing_key(file);
}

bool required(const SignatureOptions &options) {
  const char *env = std::getenv("RISKKIT_REQUIRE_SIGNATURE");
  return options.required || (env && std::string_view(env) == "1");
}

}  // namespace

std::string signature_text(const std::string &digest, const std::string &key) {
  const Json j = {{"format", 1}, {"algorithm", "hmac-sha256"}, {"digest", digest}, {"signature", hmac_hex(key, digest)}};
  return j.dump(2) + "\n";
}

void check_signature(const std::string &dir, const std::string &digest, const SignatureOptions &options) {
  const std::string path = (std::filesystem::path(dir) / kSignatureFile).string();
  const bool must = required(options);
  const std::string key = key_of(options);
  if (!std::filesystem::exists(path)) {
    if (must)
      throw Error(ErrorCode::digest_mismatch,
                  fmt::format("{}: the bundle is unsigned and a signature is required (riskkit sign)", path));
    return;
  }
  if (key.empty()) {
    if (must)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a signature is required but no key is set (SignatureOptions::key or "
                              "RISKKIT_BUNDLE_KEY_FILE)", path));
    return;  // nothing to verify with; the digest checks still hold
  }
  Json sig;
  try {
    sig = parse_json(read_file(path, 64 * 1024), path);
  } catch (const Error &e) {
    throw Error(ErrorCode::digest_mismatch, fmt::format("{}: unreadable signature: {}", path, e.what()));
  }
  const std::string signed_digest = sig.value("digest", "");
  const std::string mac = sig.value("signature", "");
  if (sig.value("algorithm", "") != "hmac-sha256")
    throw Error(ErrorCode::digest_mismatch, fmt::format("{}: unknown algorithm (hmac-sha256 expected)", path));
  if (signed_digest != digest)
    throw Error(ErrorCode::digest_mismatch,
                fmt::format("{}: signed digest {} but the bundle's is {}: the bundle changed since it was signed", path,
                            signed_digest, digest));
  const std::string expected = hmac_hex(key, digest);
  if (mac.size() != expected.size() || CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0)
    throw Error(ErrorCode::digest_mismatch, fmt::format("{}: the signature does not verify with this key", path));
}

}  // namespace detail

std::string read_signing_key(const std::string &path) {
  std::string key = detail::read_file(path, 4096);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  return key;
}

std::string sign_bundle(const std::string &dir, const std::string &key) {
  if (key.size() < detail::kMinKeyBytes)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("a signing key needs at least {} bytes, got {}", detail::kMinKeyBytes, key.size()));
  const std::string digest = detail::load_bundle(dir, nullptr)->digest();
  const std::string path = (std::filesystem::path(dir) / detail::kSignatureFile).string();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << detail::signature_text(digest, key);
    if (!out.flush()) throw Error(ErrorCode::io, fmt::format("{}: cannot write", tmp));
  }
  std::filesystem::rename(tmp, path);
  return digest;
}

}  // namespace riskkit
