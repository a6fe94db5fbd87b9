#include "engine/ed25519.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO *b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Refuses a passphrase: an encrypted key must not make OpenSSL prompt on the terminal.
int no_passphrase(char *, int, int, void *) { return 0; }

Pkey read_pem(const std::string &pem, bool is_private) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw Error(ErrorCode::internal, "Ed25519: cannot allocate a buffer");
  Pkey key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                      : PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  const char *what = is_private ? "private" : "public";
  if (!key)
    throw Error(ErrorCode::invalid_argument,
                std::string("not a PEM ") + what + " key (an unencrypted Ed25519 key, e.g. from riskkit keygen)");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    throw Error(ErrorCode::invalid_argument, std::string("the ") + what + " key is not an Ed25519 key");
  return key;
}

std::string pem_of(EVP_PKEY *key, bool is_private) {
  Bio bio(BIO_new(BIO_s_mem()));
  const int ok = bio && (is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                                    : PEM_write_bio_PUBKEY(bio.get(), key));
  if (!ok) throw Error(ErrorCode::internal, "Ed25519: cannot write a PEM key");
  char *data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

bool is_pem_private_key(std::string_view key) {
  return key.find("-----BEGIN PRIVATE KEY-----") != std::string_view::npos ||
         key.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos;
}

std::string ed25519_sign(const std::string &private_key_pem, std::string_view message) {
  const Pkey key = read_pem(private_key_pem, true);
  MdCtx ctx(EVP_MD_CTX_new());
  unsigned char signature[64];
  std::size_t length = sizeof signature;
  // Ed25519 hashes internally (PureEdDSA): no digest, one-shot EVP_DigestSign.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &length, reinterpret_cast<const unsigned char *>(message.data()),
                     message.size()) != 1)
    throw Error(ErrorCode::internal, "Ed25519: signing failed");
  return std::string(reinterpret_cast<const char *>(signature), length);
}

bool ed25519_verify(const std::string &public_key_pem, std::string_view message, std::string_view signature) {
  const Pkey key = read_pem(public_key_pem, false);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    throw Error(ErrorCode::internal, "Ed25519: cannot set up verification");
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char *>(message.data()), message.size()) == 1;
}

SigningKeyPair ed25519_generate() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw Error(ErrorCode::internal, "Ed25519: key generation failed");
  return {pem_of(key.get(), true), pem_of(key.get(), false)};
}

}  // namespace riskkit::detail
