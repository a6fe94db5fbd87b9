// Bundle signing: `riskkit sign` / sign_bundle writes bundle.sig (HMAC-SHA-256 of the
// digest); a signed bundle loads when a signature is required, a tampered, unsigned or
// wrongly keyed one is refused (oracle: the HMAC recomputed with OpenSSL here).
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "engine_test_support.hpp"

using namespace riskkit;
using namespace rk_test;
using Json = nlohmann::json;

namespace {

const std::string kKey = "an example signing key of 32+ bytes, test only";

std::string hmac_hex(const std::string &key, const std::string &message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(message.data()),
       message.size(), mac, &n);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) std::snprintf(buf, sizeof buf, "%02x", mac[i]), hex += buf;
  return hex;
}

ErrorCode load_code(const std::string &dir, const SignatureOptions &options, std::string *message = nullptr) {
  try {
    Bundle::load(dir, options);
  } catch (const Error &e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::internal;  // "no error"
}

}  // namespace

TEST_CASE("a signed bundle loads when signatures are required; tampered, unsigned or wrong-key bundles do not") {
  BundleCopy b(RK_TEST_DATA "/bundles/basic", "signed");
  SignatureOptions required;
  required.required = true;
  required.key = kKey;

  std::string message;
  CHECK(load_code(b.path(), required, &message) == ErrorCode::digest_mismatch);  // unsigned
  CHECK(message.find("unsigned") != std::string::npos);

  CHECK_THROWS_AS(sign_bundle(b.path(), "short"), Error);
  const std::string digest = sign_bundle(b.path(), kKey);
  const Json sig = Json::parse(slurp(b.dir / "bundle.sig"));
  CHECK(sig["digest"] == digest);
  CHECK(sig["algorithm"] == "hmac-sha256");
  CHECK(sig["signature"] == hmac_hex(kKey, digest));
  CHECK(Bundle::load(b.path(), required)->digest() == digest);

  SignatureOptions wrong = required;
  wrong.key = kKey + "!";
  CHECK(load_code(b.path(), wrong, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("does not verify") != std::string::npos);

  SignatureOptions keyless;
  keyless.required = true;
  CHECK(load_code(b.path(), keyless) == ErrorCode::invalid_argument);

  // Tampering with any file changes the digest: the signature no longer covers the bundle.
  b.edit([](nlohmann::ordered_json &j) { j["policy"]["cutoffs"][0]["above"] = 0.9; });
  CHECK(load_code(b.path(), required, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("changed since it was signed") != std::string::npos);
  // Not required: a stale signature is still refused when a key can check it...
  SignatureOptions optional;
  optional.key = kKey;
  CHECK(load_code(b.path(), optional) == ErrorCode::digest_mismatch);
  // ...and the bundle loads when no key is configured and none is required.
  CHECK(Bundle::load(b.path(), SignatureOptions{})->name() == "basic-test");

  // An engine that requires signatures refuses to reload into the tampered bundle.
  BundleCopy good(RK_TEST_DATA "/bundles/basic", "signed_good");
  sign_bundle(good.path(), kKey);
  EngineOptions options;
  options.signature = required;
  Engine engine = Engine::open(good.path(), options);
  CHECK_THROWS_AS(engine.reload(b.path()), Error);
  CHECK(engine.bundle()->digest() == digest);
}
