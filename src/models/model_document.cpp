#include "models/model_document.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Walks a UBJSON document without building it, checking structure, nesting and that every
// count and length fits in the bytes that remain.
class UbjsonScan {
 public:
  UbjsonScan(std::string_view in, const std::string &origin) : in_(in), origin_(origin) {}

  void document() {
    value(next(), 0);
    if (pos_ != in_.size()) fail(ErrorCode::parse, "trailing bytes after the document");
  }

 private:
  [[noreturn]] void fail(ErrorCode code, const std::string &message) const {
    throw Error(code, fmt::format("{}: UBJSON byte {}: {}", origin_, pos_, message));
  }

  std::size_t remaining() const { return in_.size() - pos_; }
  char peek() const {
    if (pos_ >= in_.size()) fail(ErrorCode::parse, "unexpected end of input");
    return in_[pos_];
  }
  char next() {
    const char c = peek();
    ++pos_;
    return c;
  }
  void skip(std::uint64_t n) {
    if (n > remaining()) fail(ErrorCode::parse, fmt::format("{} bytes declared, {} left", n, remaining()));
    pos_ += static_cast<std::size_t>(n);
  }

  // Payload bytes of a scalar marker, or -1 for strings and containers.
  static int scalar_size(char marker) {
    switch (marker) {
      case 'Z': case 'N': case 'T': case 'F': return 0;
      case 'i': case 'U': case 'C': return 1;
      case 'I': return 2;
      case 'l': case 'd': return 4;
      case 'L': case 'D': return 8;
      default: return -1;
    }
  }

  // A non-negative integer with its marker (lengths and counts), big-endian.
  std::uint64_t length() {
    const char marker = next();
    const int size = marker == 'd' || marker == 'D' || marker == 'C' ? -1 : scalar_size(marker);
    if (size <= 0) fail(ErrorCode::parse, fmt::format("expected an integer length, got marker 0x{:02x}",
                                                      static_cast<unsigned char>(marker)));
    if (static_cast<std::size_t>(size) > remaining()) fail(ErrorCode::parse, "unexpected end of input");
    std::uint64_t v = 0;
    for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_ + static_cast<std::size_t>(i)]);
    const bool negative = marker != 'U' && (static_cast<unsigned char>(in_[pos_]) & 0x80) != 0;
    pos_ += static_cast<std::size_t>(size);
    if (negative) fail(ErrorCode::parse, "negative length");
    return v;
  }

  void value(char marker, std::size_t depth) {
    if (marker == '[' || marker == '{') return container(marker == '{', depth + 1);
    if (marker == 'S' || marker == 'H') return skip(length());
    const int size = scalar_size(marker);
    if (size < 0) fail(ErrorCode::parse, fmt::format("unknown marker 0x{:02x}", static_cast<unsigned char>(marker)));
    skip(static_cast<std::uint64_t>(size));
  }

  void container(bool object, std::size_t depth) {
    if (depth > kMaxModelDepth) fail(ErrorCode::limit_exceeded, fmt::format("nesting deeper than {}", kMaxModelDepth));
    char type = 0;
    if (peek() == '$') {
      ++pos_;
      type = next();
      if (peek() != '#') fail(ErrorCode::parse, "typed container without a count");
    }
    if (peek() == '#') {
      ++pos_;
      const std::uint64_t count = length();
      // Every element takes at least one byte, except payload-free typed ones (Z, T, F):
      // bounding those by the bytes left too keeps a forged count harmless.
      const int size = type != 0 ? scalar_size(type) : -1;
      const std::uint64_t bound = size > 0 ? remaining() / static_cast<std::size_t>(size) : remaining();
      if (count > bound) fail(ErrorCode::parse, fmt::format("count {} exceeds the {} bytes left", count, remaining()));
      for (std::uint64_t i = 0; i < count; ++i) {
        if (object) skip(length());
        value(type != 0 ? type : next(), depth);
      }
      return;
    }
    const char end = object ? '}' : ']';
    while (peek() != end) {
      if (object) skip(length());
      value(next(), depth);
    }
    ++pos_;
  }

  std::string_view in_;
  const std::string &origin_;
  std::size_t pos_ = 0;
};

}  // namespace

ModelFormat sniff_model_format(std::string_view bytes, const std::string &origin) {
  std::size_t i = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte-order mark before JSON
  while (i < bytes.size() && is_blank(bytes[i])) ++i;
  if (i >= bytes.size()) throw Error(ErrorCode::parse, fmt::format("{}: empty model file", origin));
  if (bytes[i] != '{')
    throw Error(ErrorCode::parse, fmt::format("{}: not a JSON or UBJSON model (first byte 0x{:02x})", origin,
                                              static_cast<unsigned char>(bytes[i])));
  if (i + 1 >= bytes.size()) throw Error(ErrorCode::parse, fmt::format("{}: truncated model file", origin));
  const char after = bytes[i + 1];
  return (is_blank(after) || after == '"' || after == '}') ? ModelFormat::json : ModelFormat::ubjson;
}

Json parse_model_document(std::string_view bytes, const std::string &origin) {
  if (bytes.size() > kMaxModelBytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, bytes.size(), kMaxModelBytes));
  if (sniff_model_format(bytes, origin) == ModelFormat::json)
    return parse_json(bytes, origin, JsonLimits{kMaxModelDepth, kMaxModelBytes});
  UbjsonScan(bytes, origin).document();
  try {
    return Json::from_ubjson(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception &e) {
    throw Error(ErrorCode::parse, fmt::format("{}: UBJSON: {}", origin, e.what()));
  }
}

}  // namespace riskkit::detail
