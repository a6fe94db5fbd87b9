// Normalization and masking of personal data, per kind (docs/privacy.md).
#include "riskkit/privacy/pii.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace riskkit::privacy {
namespace {

constexpr std::array<std::pair<PiiKind, const char *>, 7> kNames{{
    {PiiKind::email, "email"},
    {PiiKind::phone, "phone"},
    {PiiKind::id_number, "id_number"},
    {PiiKind::device, "device"},
    {PiiKind::customer_id, "customer_id"},
    {PiiKind::account, "account"},
    {PiiKind::ip, "ip"},
}};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A number written with `+` or `00` carries its country code; any other is national:
// one trunk `0` is dropped and the default country code prepended.
std::string normalize_phone(std::string_view s, const NormalizeOptions &options) {
  std::string digits;
  for (char c : s)
    if (is_digit(c)) digits.push_back(c);
  if (digits.empty()) return {};
  if (s.front() == '+') return digits;
  if (digits.starts_with("00")) return digits.substr(2);
  if (digits.front() == '0') digits.erase(0, 1);
  if (digits.empty()) return {};
  return options.default_country_code + digits;
}

// First `head` and last `tail` characters kept, the rest starred; short values fully starred.
std::string keep_ends(std::string_view s, std::size_t head, std::size_t tail) {
  if (s.size() <= head + tail) return std::string(s.size(), '*');
  return std::string(s.substr(0, head)) + std::string(s.size() - head - tail, '*') + std::string(s.substr(s.size() - tail));
}

std::string mask_tail(std::string_view s) { return s.size() > 4 ? keep_ends(s, 0, 4) : std::string(s.size(), '*'); }

}  // namespace

const char *to_string(PiiKind kind) noexcept {
  for (const auto &[k, name] : kNames)
    if (k == kind) return name;
  return "unknown";
}

std::optional<PiiKind> parse_pii_kind(std::string_view name) noexcept {
  for (const auto &[k, n] : kNames)
    if (name == n) return k;
  return std::nullopt;
}

std::string normalize(PiiKind kind, std::string_view raw, const NormalizeOptions &options) {
  const std::string_view s = trim(raw);
  std::string out;
  switch (kind) {
    case PiiKind::email:
    case PiiKind::ip:
      out.resize(s.size());
      std::transform(s.begin(), s.end(), out.begin(), lower);
      return out;
    case PiiKind::phone: return s.empty() ? std::string() : normalize_phone(s, options);
    case PiiKind::id_number:
      for (char c : s)
        if (!is_space(c)) out.push_back(upper(c));
      return out;
    case PiiKind::account:
      for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(upper(c));
      return out;
    case PiiKind::device:
    case PiiKind::customer_id: return std::string(s);
  }
  return std::string(s);
}

const char *to_string(PiiPart part) noexcept {
  switch (part) {
    case PiiPart::domain: return "domain";
    case PiiPart::prefix: return "prefix";
    case PiiPart::length: return "length";
    case PiiPart::digits: return "digits";
    case PiiPart::letters: return "letters";
    case PiiPart::symbols: return "symbols";
  }
  return "unknown";
}

bool is_count(PiiPart part) noexcept { return part != PiiPart::domain && part != PiiPart::prefix; }

std::optional<PiiPart> parse_pii_part(std::string_view name) noexcept {
  for (PiiPart p : {PiiPart::domain, PiiPart::prefix, PiiPart::length, PiiPart::digits, PiiPart::letters,
                    PiiPart::symbols})
    if (name == to_string(p)) return p;
  return std::nullopt;
}

bool has_part(PiiKind kind, PiiPart part) noexcept {
  switch (part) {
    case PiiPart::domain: return kind == PiiKind::email;
    case PiiPart::prefix: return kind == PiiKind::phone;
    default: return is_count(part);
  }
}

std::string derive(PiiKind kind, PiiPart part, std::string_view raw, const NormalizeOptions &options) {
  if (!has_part(kind, part)) return {};
  const std::string n = normalize(kind, raw, options);
  if (n.empty()) return {};
  switch (part) {
    case PiiPart::domain: {
      const auto at = n.rfind('@');
      return at == std::string::npos ? std::string() : n.substr(at + 1);
    }
    case PiiPart::prefix: {
      const std::size_t digits = options.default_country_code.size() + 3;
      return n.size() < digits ? std::string() : n.substr(0, digits);
    }
    case PiiPart::length: return std::to_string(n.size());
    case PiiPart::digits:
    case PiiPart::letters:
    case PiiPart::symbols: {
      std::size_t digits = 0, letters = 0, symbols = 0;
      for (const char c : n) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= '0' && b <= '9') ++digits;
        else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') ++letters;
        else if ((b & 0xC0) != 0x80) ++symbols;  // one per character: skip UTF-8 continuation bytes
      }
      return std::to_string(part == PiiPart::digits ? digits : part == PiiPart::letters ? letters : symbols);
    }
  }
  return {};
}

std::string mask(PiiKind kind, std::string_view raw, const NormalizeOptions &options) {
  const std::string n = normalize(kind, raw, options);
  if (n.empty()) return {};
  switch (kind) {
    case PiiKind::phone: {
      std::string_view national = n;
      if (!options.default_country_code.empty() && national.starts_with(options.default_country_code) &&
          national.size() > options.default_country_code.size() + 7)
        national.remove_prefix(options.default_country_code.size());
      return national.size() >= 8 ? keep_ends(national, 3, 4) : keep_ends(national, 0, 2);
    }
    case PiiKind::email: {
      const auto at = n.find('@');
      if (at == std::string::npos) return mask_tail(n);
      return (at > 0 ? n.substr(0, 1) : std::string()) + "***" + n.substr(at);
    }
    case PiiKind::id_number:
    case PiiKind::account: return n.size() >= 8 ? keep_ends(n, 3, 4) : mask_tail(n);
    default: return mask_tail(n);
  }
}

}  // namespace riskkit::privacy
