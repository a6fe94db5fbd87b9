// HMAC-SHA-256 (RFC 2104) with the key's inner and outer states computed once: each call
// copies two prepared OpenSSL digest contexts instead of re-keying, which keeps a
// pseudonym well under a microsecond.
#include "riskkit/privacy/pseudonymizer.hpp"

#include <openssl/evp.h>

#include "riskkit/error.hpp"

namespace riskkit::privacy {
namespace {

constexpr std::size_t kBlock = 64;  // SHA-256 block size
constexpr std::size_t kDigest = 32;

[[noreturn]] void openssl_failed() { throw Error(ErrorCode::internal, "pseudonymizer: OpenSSL SHA-256 failed"); }

void check(int rc) {
  if (rc != 1) openssl_failed();
}

struct DigestContext {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  DigestContext() {
    if (!ctx) openssl_failed();
  }
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  DigestContext(const DigestContext &) = delete;
  DigestContext &operator=(const DigestContext &) = delete;
};

// One scratch context per thread, reused across calls and pseudonymizers.
EVP_MD_CTX *scratch() {
  thread_local DigestContext s;
  return s.ctx;
}

}  // namespace

struct Pseudonymizer::Impl {
  DigestContext inner, outer;  // SHA-256 after absorbing key^ipad and key^opad
};

Pseudonymizer::Pseudonymizer(const PseudonymKey &key, NormalizeOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  unsigned char block[kBlock] = {};
  const std::string &k = key.bytes();
  if (k.size() > kBlock) {
    unsigned int len = 0;
    check(EVP_Digest(k.data(), k.size(), block, &len, EVP_sha256(), nullptr));
  } else {
    std::copy(k.begin(), k.end(), block);
  }
  unsigned char pad[kBlock];
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
  check(EVP_DigestInit_ex(impl_->inner.ctx, EVP_sha256(), nullptr));
  check(EVP_DigestUpdate(impl_->inner.ctx, pad, kBlock));
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  check(EVP_DigestInit_ex(impl_->outer.ctx, EVP_sha256(), nullptr));
  check(EVP_DigestUpdate(impl_->outer.ctx, pad, kBlock));
}

Pseudonymizer::~Pseudonymizer() = default;

std::string Pseudonymizer::hmac_hex(std::string_view bytes) const {
  EVP_MD_CTX *ctx = scratch();
  unsigned char inner[kDigest], mac[kDigest];
  unsigned int len = 0;
  check(EVP_MD_CTX_copy_ex(ctx, impl_->inner.ctx));
  check(EVP_DigestUpdate(ctx, bytes.data(), bytes.size()));
  check(EVP_DigestFinal_ex(ctx, inner, &len));
  check(EVP_MD_CTX_copy_ex(ctx, impl_->outer.ctx));
  check(EVP_DigestUpdate(ctx, inner, kDigest));
  check(EVP_DigestFinal_ex(ctx, mac, &len));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * kDigest, '0');
  for (std::size_t i = 0; i < kDigest; ++i) {
    out[2 * i] = kHex[mac[i] >> 4];
    out[2 * i + 1] = kHex[mac[i] & 15];
  }
  return out;
}

std::string Pseudonymizer::pseudonymize(PiiKind kind, std::string_view raw) const {
  const std::string n = normalize(kind, raw, options_);
  return n.empty() ? std::string() : hmac_hex(n);
}

}  // namespace riskkit::privacy
