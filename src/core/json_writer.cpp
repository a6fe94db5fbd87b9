#include "core/json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace riskkit::detail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The bytes a JSON string cannot hold as they are: control characters, '"', '\\', and
// every non-ASCII byte (checked as UTF-8).
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> special{};
  for (std::size_t c = 0; c < special.size(); ++c) special[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return special;
}();

// The length of the well-formed UTF-8 sequence (Unicode table 3-7) at the start of `s`
// (non-empty, first byte >= 0x80) when positive; otherwise minus the number of bytes an
// ill-formed one covers: its lead byte and the continuation bytes that fit it, so the byte
// that breaks it starts the next character (nlohmann's "replace" reads it again).
int utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  int need = 0;
  unsigned char low = 0x80, high = 0xBF;  // what the second byte may be
  if (lead >= 0xC2 && lead <= 0xDF) need = 2;
  else if (lead >= 0xE0 && lead <= 0xEF) need = 3;
  else if (lead >= 0xF0 && lead <= 0xF4) need = 4;
  else return -1;
  if (lead == 0xE0) low = 0xA0;
  else if (lead == 0xED) high = 0x9F;
  else if (lead == 0xF0) low = 0x90;
  else if (lead == 0xF4) high = 0x8F;
  int have = 1;
  for (; have < need && static_cast<std::size_t>(have) < s.size(); ++have) {
    const unsigned char c = byte(static_cast<std::size_t>(have));
    if (have == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) break;
  }
  return have == need ? need : -have;
}

void append_escaped_ascii(std::string &out, unsigned char c) {
  switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
  }
}

}  // namespace

void append_json_string(std::string &out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kSpecial[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const int n = utf8_sequence(s.substr(i));
      if (n > 0) {
        i += static_cast<std::size_t>(n);
        continue;
      }
      out.append(s.data() + run, i - run);
      out += kReplacement;
      i += static_cast<std::size_t>(-n);
    } else {
      out.append(s.data() + run, i - run);
      append_escaped_ascii(out, c);
      ++i;
    }
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_ += ':';
  need_comma_ = false;
}

void JsonWriter::string(std::string_view s) {
  separate();
  append_json_string(out_, s);
  need_comma_ = true;
}

void JsonWriter::number(double x) {
  if (!std::isfinite(x)) return null();
  // nlohmann's own shortest round-trip formatting (Grisu2 with its "1.0" / "1e+20" layout),
  // so a line reads the same whichever of the two wrote it.
  std::array<char, 64> buffer;
  char *end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  raw(std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())));
}

void JsonWriter::integer(std::int64_t n) {
  std::array<char, 24> buffer;
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), n);
  (void)ec;  // 24 bytes hold every int64
  raw(std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())));
}

}  // namespace riskkit::detail
