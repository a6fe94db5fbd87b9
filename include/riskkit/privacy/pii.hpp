#pragma once
/// \file
/// Kinds of personal data, how each is normalized before pseudonymization, and masked
/// display forms. Rules: docs/privacy.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "riskkit/export.hpp"

namespace riskkit::privacy {

/// The kind of personal data a schema field holds (`"pii"` in bundle.json). The kind
/// decides the normalization, so "  J.Doe@Example.COM " and "j.doe@example.com" get
/// the same pseudonym.
enum class PiiKind : std::uint8_t {
  email,        ///< trimmed, lower-cased
  phone,        ///< digits only, with the country code (see NormalizeOptions)
  id_number,    ///< national ID / passport: trimmed, inner spaces removed, upper-cased
  device,       ///< device fingerprint: trimmed
  customer_id,  ///< the lender's customer number: trimmed
  account,      ///< bank card / account number: digits and letters only, upper-cased
  ip,           ///< IP address: trimmed, lower-cased (IPv6 hex)
};

/// "email", "phone", "id_number", "device", "customer_id", "account", "ip".
RK_API const char *to_string(PiiKind kind) noexcept;

/// The kind named `name` (the spellings of to_string), or nullopt.
RK_API std::optional<PiiKind> parse_pii_kind(std::string_view name) noexcept;

/// How phone numbers are completed.
struct NormalizeOptions {
  /// Digits prepended to a phone number written without an international prefix
  /// (`+` or `00`), after dropping one national trunk `0`. "86" = China.
  std::string default_country_code = "86";
};

/// The canonical form of `raw` for `kind`; empty when nothing identifying is left
/// (e.g. a phone with no digits), which the engine treats as missing.
///
///     normalize(PiiKind::phone, "138-1234-5678", {})    == "8613812345678"
///     normalize(PiiKind::phone, "+44 (0)20 7946 0958", {}) == "4402079460958"
///     normalize(PiiKind::email, " J.Doe@Example.COM ", {}) == "j.doe@example.com"
RK_API std::string normalize(PiiKind kind, std::string_view raw, const NormalizeOptions &options = {});

/// A non-identifying part of a personal-data value, kept in a derived field of its own
/// (schema `"from": {"field": "email", "part": "domain"}`) before the value itself is
/// replaced by its pseudonym.
enum class PiiPart : std::uint8_t {
  domain,  ///< email: the text after the last '@' of the normalized address ("example.com")
  prefix,  ///< phone: the first (country code length + 3) digits of the normalized number ("86138")
  length,  ///< any kind: the number of characters of the normalized value
  digits,  ///< any kind: how many of those characters are ASCII digits
  letters, ///< any kind: how many are ASCII letters
  symbols, ///< any kind: how many are neither (punctuation, spaces, non-ASCII characters)
};

/// Whether a part is a count (a number field) rather than text (a string field).
RK_API bool is_count(PiiPart part) noexcept;

/// "domain", "prefix", "length", "digits", "letters", "symbols".
RK_API const char *to_string(PiiPart part) noexcept;
/// The part named `name`, or nullopt.
RK_API std::optional<PiiPart> parse_pii_part(std::string_view name) noexcept;
/// Whether `part` exists for `kind` (domain: email; prefix: phone; the counts: all).
RK_API bool has_part(PiiKind kind, PiiPart part) noexcept;

/// The part of `raw` (a string for domain and prefix, a decimal count for the counts);
/// "" when the value has no such part (no '@', too few digits, nothing left).
///
///     derive(PiiKind::email, PiiPart::domain, "Jane@Example.COM") == "example.com"
///     derive(PiiKind::phone, PiiPart::prefix, "138 1234 5678")    == "86138"
RK_API std::string derive(PiiKind kind, PiiPart part, std::string_view raw, const NormalizeOptions &options = {});

/// A display form that hides most of the value, computed from the normalized form:
/// phone `138****5678` (national part: first 3 and last 4 digits), e-mail
/// `j***@example.com`, id_number and account first 3 and last 4, other kinds last 4.
/// Values too short to mask meaningfully become all `*`. Empty input gives "".
RK_API std::string mask(PiiKind kind, std::string_view raw, const NormalizeOptions &options = {});

}  // namespace riskkit::privacy
