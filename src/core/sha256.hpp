#pragma once
// SHA-256 (OpenSSL), as lowercase hex.

#include <memory>
#include <string>
#include <string_view>

namespace riskkit::detail {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256 &) = delete;
  Sha256 &operator=(const Sha256 &) = delete;
  void update(std::string_view bytes);
  /// The digest of everything updated so far, as 64 lowercase hex digits.
  std::string hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace riskkit::detail
