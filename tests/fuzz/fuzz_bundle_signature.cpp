// Fuzz target: bundle.sig. The input becomes the signature file of a copy of the basic test
// bundle, checked once against an Ed25519 public key and once against an HMAC key (the
// seeds are valid signatures under exactly these keys, so mutations reach verification).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "engine/bundle_signature.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/error.hpp"

#ifndef RK_SOURCE_DIR
#  define RK_SOURCE_DIR "."
#endif

namespace {

// Test keys for the seeds in corpus/fuzz_bundle_signature, not secrets.
const char *kPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAaqYUooSMz6K270THtWo8ivm7ElQg7SvNO7xlHSi39uM=\n"
    "-----END PUBLIC KEY-----\n";
const char *kHmacKey = "riskkit fuzz target HMAC key, not a secret";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("riskkit_fuzz_signature_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::copy(RK_SOURCE_DIR "/tests/data/bundles/basic", d, fs::copy_options::recursive);
    return d;
  }();
  static const std::string digest = riskkit::Bundle::load(dir.string())->digest();
  std::ofstream(dir / riskkit::detail::kSignatureFile, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  riskkit::SignatureOptions ed25519, hmac;
  ed25519.public_key = kPublicKey;
  hmac.key = kHmacKey;
  for (const riskkit::SignatureOptions *options : {&ed25519, &hmac}) {
    try {
      riskkit::detail::check_signature(dir.string(), digest, *options);
    } catch (const riskkit::Error &) {
    }
  }
  return 0;
}
