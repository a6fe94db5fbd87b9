#pragma once
/// \file
/// Keyed pseudonyms: HMAC-SHA-256 over the normalized value, as 64 lowercase hex digits.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "riskkit/export.hpp"
#include "riskkit/privacy/pii.hpp"

namespace riskkit::privacy {

/// The environment variable holding the key text (hex, or `base64:` + base64).
inline constexpr const char *kKeyVariable = "RISKKIT_PSEUDONYM_KEY";
/// The environment variable naming a file that holds the key text.
inline constexpr const char *kKeyFileVariable = "RISKKIT_PSEUDONYM_KEY_FILE";

/// A secret HMAC key of at least 16 bytes. Never part of a bundle.
class RK_API PseudonymKey {
 public:
  /// Parses key text: an even number of hex digits, or `base64:` followed by standard
  /// base64. Surrounding whitespace is ignored. Throws Error(invalid_argument) when the
  /// text is malformed or decodes to fewer than 16 bytes; the message never echoes it.
  static PseudonymKey from_text(std::string_view text);
  /// Reads key text from `path`. Throws Error(io) or Error(invalid_argument).
  static PseudonymKey from_file(const std::string &path);
  /// RISKKIT_PSEUDONYM_KEY if set, else the file named by RISKKIT_PSEUDONYM_KEY_FILE if
  /// set, else nullopt. Throws as from_text/from_file when a variable is set but bad.
  static std::optional<PseudonymKey> from_environment();

  const std::string &bytes() const noexcept { return bytes_; }

 private:
  explicit PseudonymKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

/// Turns identifiers into pseudonyms: HMAC-SHA-256(key, normalize(kind, raw)) in
/// lowercase hex. The same key gives the same pseudonym in every process, online and
/// offline (riskkit.privacy.pseudonymize), so lists and joins work without raw values.
/// Immutable; pseudonymize() is thread-safe.
///
///     Pseudonymizer p(PseudonymKey::from_text("000102030405060708090a0b0c0d0e0f"));
///     std::string id = p.pseudonymize(PiiKind::phone, "138 1234 5678");  // 64 hex digits
class RK_API Pseudonymizer {
 public:
  explicit Pseudonymizer(const PseudonymKey &key, NormalizeOptions options = {});
  ~Pseudonymizer();
  Pseudonymizer(const Pseudonymizer &) = delete;
  Pseudonymizer &operator=(const Pseudonymizer &) = delete;

  /// The pseudonym of `raw`, or "" when its normalized form is empty.
  std::string pseudonymize(PiiKind kind, std::string_view raw) const;
  /// HMAC-SHA-256(key, bytes) in hex, without normalization.
  std::string hmac_hex(std::string_view bytes) const;
  const NormalizeOptions &options() const noexcept { return options_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  NormalizeOptions options_;
};

}  // namespace riskkit::privacy
