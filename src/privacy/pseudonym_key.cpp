// Key text → key bytes (hex or base64), from text, a file or the environment.
#include <cstdlib>

#include <fmt/format.h>

#include "core/file.hpp"
#include "riskkit/error.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

namespace riskkit::privacy {
namespace {

constexpr std::size_t kMinKeyBytes = 16;
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> decode_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view s) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (char c : s) {
    const int d = base64_digit(c);
    if (d < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(d);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFFu));
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

PseudonymKey PseudonymKey::from_text(std::string_view text) {
  const std::string_view t = trim(text);
  constexpr std::string_view kBase64 = "base64:";
  const bool b64 = t.starts_with(kBase64);
  const auto bytes = b64 ? decode_base64(t.substr(kBase64.size())) : decode_hex(t);
  if (!bytes)
    throw Error(ErrorCode::invalid_argument,
                b64 ? "pseudonym key: not valid base64 after 'base64:'"
                    : "pseudonym key: expected an even number of hex digits, or 'base64:' followed by base64");
  if (bytes->size() < kMinKeyBytes)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("pseudonym key: {} bytes; at least {} are required", bytes->size(), kMinKeyBytes));
  return PseudonymKey(*bytes);
}

PseudonymKey PseudonymKey::from_file(const std::string &path) {
  const std::string text = detail::read_file(path, kMaxKeyFileBytes);
  try {
    return from_text(text);
  } catch (const Error &e) {
    throw Error(e.code(), fmt::format("{}: {}", path, e.what()));
  }
}

std::optional<PseudonymKey> PseudonymKey::from_environment() {
  if (const char *text = std::getenv(kKeyVariable); text && *text) {
    try {
      return from_text(text);
    } catch (const Error &e) {
      throw Error(e.code(), fmt::format("{}: {}", kKeyVariable, e.what()));
    }
  }
  if (const char *path = std::getenv(kKeyFileVariable); path && *path) return from_file(path);
  return std::nullopt;
}

}  // namespace riskkit::privacy
