#include "core/sha256.hpp"

#include <openssl/evp.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {

struct Sha256::Impl {
  EVP_MD_CTX *ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error(ErrorCode::internal, "SHA-256: OpenSSL could not initialise a digest");
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) != 1)
    throw Error(ErrorCode::internal, "SHA-256: OpenSSL digest update failed");
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1) throw Error(ErrorCode::internal, "SHA-256: OpenSSL digest failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

}  // namespace riskkit::detail
