// Bundle signing: `riskkit sign` / sign_bundle writes bundle.sig (HMAC-SHA-256 or Ed25519
// of the digest); a signed bundle loads when a signature is required, a tampered, unsigned,
// wrongly keyed or wrong-algorithm one is refused (oracle: the HMAC recomputed and the
// Ed25519 signature verified and made with OpenSSL's EVP calls here).
#include <doctest/doctest.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>

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

// ---- Ed25519 ----------------------------------------------------------------------
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The oracle: OpenSSL's own Ed25519, called directly on the PEM text.
Pkey pem_key(const std::string &pem, bool is_private) {
  BIO *bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Pkey key(is_private ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                      : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  REQUIRE(key);
  return key;
}

std::string to_hex(const unsigned char *bytes, std::size_t n) {
  std::string hex;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) std::snprintf(buf, sizeof buf, "%02x", bytes[i]), hex += buf;
  return hex;
}

bool openssl_verifies(const std::string &public_pem, const std::string &message, const std::string &signature_hex) {
  std::vector<unsigned char> sig;
  for (std::size_t i = 0; i + 1 < signature_hex.size(); i += 2)
    sig.push_back(static_cast<unsigned char>(std::stoi(signature_hex.substr(i, 2), nullptr, 16)));
  const Pkey key = pem_key(public_pem, false);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key.get());
  const int ok = EVP_DigestVerify(ctx, sig.data(), sig.size(), reinterpret_cast<const unsigned char *>(message.data()),
                                  message.size());
  EVP_MD_CTX_free(ctx);
  return ok == 1;
}

std::string openssl_sign_hex(const std::string &private_pem, const std::string &message) {
  const Pkey key = pem_key(private_pem, true);
  unsigned char sig[64];
  std::size_t n = sizeof sig;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.get());
  REQUIRE(EVP_DigestSign(ctx, sig, &n, reinterpret_cast<const unsigned char *>(message.data()), message.size()) == 1);
  EVP_MD_CTX_free(ctx);
  return to_hex(sig, n);
}

}  // namespace

TEST_CASE("Ed25519: keygen, sign, verify with the public key; tampered, other-key, HMAC and unsigned refused") {
  const SigningKeyPair pair = generate_signing_key();
  CHECK(pair.private_key.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(pair.public_key.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
  CHECK(EVP_PKEY_get_id(pem_key(pair.private_key, true).get()) == EVP_PKEY_ED25519);
  const SigningKeyPair other = generate_signing_key();
  CHECK(other.public_key != pair.public_key);

  BundleCopy b(RK_TEST_DATA "/bundles/basic", "ed25519");
  SignatureOptions required;
  required.required = true;
  required.public_key = pair.public_key;
  std::string message;
  CHECK(load_code(b.path(), required, &message) == ErrorCode::digest_mismatch);  // unsigned
  CHECK(message.find("unsigned and a signature is required") != std::string::npos);

  const std::string digest = sign_bundle(b.path(), pair.private_key);
  const Json sig = Json::parse(slurp(b.dir / "bundle.sig"));
  CHECK(sig["algorithm"] == "ed25519");
  CHECK(sig["digest"] == digest);
  CHECK(sig["signature"].get<std::string>().size() == 128);
  CHECK(openssl_verifies(pair.public_key, digest, sig["signature"]));  // OpenSSL agrees
  CHECK(!openssl_verifies(other.public_key, digest, sig["signature"]));
  CHECK(Bundle::load(b.path(), required)->digest() == digest);
  // A key file's trailing newline is dropped (read_signing_key): the PEM still reads.
  CHECK(sign_bundle(b.path(), pair.private_key + "\n") == digest);

  SignatureOptions wrong = required;
  wrong.public_key = other.public_key;
  CHECK(load_code(b.path(), wrong, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("does not verify with this public key: signed by another key") != std::string::npos);

  // A public key configured: an HMAC signature is refused, even with the right HMAC key.
  sign_bundle(b.path(), kKey);
  SignatureOptions both = required;
  both.key = kKey;
  CHECK(load_code(b.path(), both, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("signed with \"hmac-sha256\" but an Ed25519 public key is configured") != std::string::npos);
  // ...and an HMAC key alone refuses an Ed25519 signature.
  sign_bundle(b.path(), pair.private_key);
  SignatureOptions hmac_only;
  hmac_only.required = true;
  hmac_only.key = kKey;
  CHECK(load_code(b.path(), hmac_only, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("signed with \"ed25519\" but an HMAC key is configured") != std::string::npos);

  // A signature file written by OpenSSL directly (not by sign_bundle) verifies too.
  const Json independent = {{"format", 1}, {"algorithm", "ed25519"}, {"digest", digest},
                            {"signature", openssl_sign_hex(pair.private_key, digest)}};
  std::ofstream(b.dir / "bundle.sig", std::ios::trunc) << independent.dump();
  CHECK(Bundle::load(b.path(), required)->digest() == digest);
  // One flipped bit of the signature: refused.
  Json flipped = independent;
  std::string s = flipped["signature"];
  s[0] = s[0] == '0' ? '1' : '0';
  flipped["signature"] = s;
  std::ofstream(b.dir / "bundle.sig", std::ios::trunc) << flipped.dump();
  CHECK(load_code(b.path(), required, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("does not verify") != std::string::npos);

  // Tampered after signing.
  sign_bundle(b.path(), pair.private_key);
  b.edit([](nlohmann::ordered_json &j) { j["version"] = "tampered"; });
  CHECK(load_code(b.path(), required, &message) == ErrorCode::digest_mismatch);
  CHECK(message.find("changed since it was signed") != std::string::npos);

  // Bad keys: broken PEM, the public half to sign, keys of another algorithm (EC P-256).
  CHECK_THROWS_WITH_AS(sign_bundle(b.path(), "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----"),
                       doctest::Contains("not a PEM private key"), Error);
  CHECK_THROWS_WITH_AS(sign_bundle(b.path(), pair.public_key), doctest::Contains("a public key only verifies"), Error);
  const Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(ec);
  const auto pem_text = [&](bool is_private) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (is_private) PEM_write_bio_PrivateKey(bio, ec.get(), nullptr, nullptr, 0, nullptr, nullptr);
    else PEM_write_bio_PUBKEY(bio, ec.get());
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return text;
  };
  CHECK_THROWS_WITH_AS(sign_bundle(b.path(), pem_text(true)),
                       doctest::Contains("the private key is not an Ed25519 key"), Error);
  BundleCopy c(RK_TEST_DATA "/bundles/basic", "ed25519_garbage");
  sign_bundle(c.path(), pair.private_key);
  SignatureOptions garbage = required;
  garbage.public_key = "not a key";
  CHECK(load_code(c.path(), garbage, &message) == ErrorCode::invalid_argument);
  CHECK(message.find("not a PEM public key") != std::string::npos);
  garbage.public_key = pem_text(false);
  CHECK(load_code(c.path(), garbage, &message) == ErrorCode::invalid_argument);
  CHECK(message.find("the public key is not an Ed25519 key") != std::string::npos);
}

TEST_CASE("Ed25519: the public key from RISKKIT_BUNDLE_PUBLIC_KEY_FILE; no reload into another key's bundle") {
  const SigningKeyPair pair = generate_signing_key(), other = generate_signing_key();
  BundleCopy good(RK_TEST_DATA "/bundles/basic", "ed25519_env");
  BundleCopy foreign(RK_TEST_DATA "/bundles/basic", "ed25519_foreign");
  good.edit([](nlohmann::ordered_json &j) { j["version"] = "2.0.0"; });
  const std::string digest = sign_bundle(good.path(), pair.private_key);
  sign_bundle(foreign.path(), other.private_key);
  const TempFile key_file("public_key");
  std::ofstream(key_file.path) << pair.public_key;
  setenv("RISKKIT_BUNDLE_PUBLIC_KEY_FILE", key_file.path.c_str(), 1);
  EngineOptions options;
  options.signature.required = true;
  Engine engine = Engine::open(good.path(), options);
  CHECK(engine.bundle()->digest() == digest);
  CHECK_THROWS_WITH_AS(engine.reload(foreign.path()), doctest::Contains("signed by another key"), Error);
  CHECK(engine.bundle()->digest() == digest);  // the good bundle still serves
  unsetenv("RISKKIT_BUNDLE_PUBLIC_KEY_FILE");
}
