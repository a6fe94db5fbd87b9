#include "models/ubjson_pull_reader.hpp"

#include <fmt/format.h>

namespace riskkit::detail {
namespace {

// Payload bytes of a fixed-size marker, or -1 for strings, containers and unknown bytes.
int payload_size(char marker) {
  switch (marker) {
    case 'Z': case 'T': case 'F': return 0;
    case 'i': case 'U': case 'C': return 1;
    case 'I': return 2;
    case 'l': case 'd': return 4;
    case 'L': case 'D': return 8;
    default: return -1;
  }
}

std::string describe_marker(char marker) {
  switch (marker) {
    case '[': return "an array";
    case '{': return "an object";
    case 'S': case 'C': return "a string";
    case 'Z': return "null";
    case 'T': case 'F': return "a boolean";
    default: return payload_size(marker) > 0 || marker == 'H' ? "a number" : "an unknown value";
  }
}

}  // namespace

UbjsonPullReader::UbjsonPullReader(std::string_view bytes, const std::string &origin, const ModelLimits &limits)
    : bytes_(bytes), origin_(origin), limits_(limits) {
  if (bytes.size() > limits.max_bytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, bytes.size(), limits.max_bytes));
  containers_.reserve(limits.max_nesting < 256 ? limits.max_nesting : 256);
}

void UbjsonPullReader::fail(ErrorCode code, std::string_view message) const {
  const std::string pointer = path_.pointer();
  throw Error(code, fmt::format("{}: UBJSON byte {}: {}{}{}", origin_, value_start_, pointer,
                                pointer.empty() ? "" : ": ", message));
}

void UbjsonPullReader::syntax(std::string_view message) const {
  const std::string pointer = path_.pointer();
  throw Error(ErrorCode::parse,
              fmt::format("{}: UBJSON byte {}: {}{}{}", origin_, pos_, pointer, pointer.empty() ? "" : ": ", message));
}

char UbjsonPullReader::peek_marker() {
  if (!containers_.empty() && containers_.back().type != 0) return containers_.back().type;
  while (pos_ < bytes_.size() && bytes_[pos_] == 'N') ++pos_;  // no-op markers
  if (pos_ >= bytes_.size()) syntax("unexpected end of input");
  return bytes_[pos_];
}

char UbjsonPullReader::take_marker() {
  const char marker = peek_marker();
  value_start_ = pos_;
  if (containers_.empty() || containers_.back().type == 0) ++pos_;
  return marker;
}

// A count or a length: an integer marker and a non-negative big-endian value.
std::uint64_t UbjsonPullReader::length() {
  while (pos_ < bytes_.size() && bytes_[pos_] == 'N') ++pos_;
  if (pos_ >= bytes_.size()) syntax("unexpected end of input");
  const char marker = bytes_[pos_++];
  std::int64_t v = 0;
  switch (marker) {
    case 'i': v = read_big_endian<std::int8_t>(); break;
    case 'U': v = read_big_endian<std::uint8_t>(); break;
    case 'I': v = read_big_endian<std::int16_t>(); break;
    case 'l': v = read_big_endian<std::int32_t>(); break;
    case 'L': v = read_big_endian<std::int64_t>(); break;
    default:
      --pos_;
      syntax(fmt::format("expected an integer length, got marker 0x{:02x}", static_cast<unsigned char>(marker)));
  }
  if (v < 0) syntax(fmt::format("negative length {}", v));
  return static_cast<std::uint64_t>(v);
}

std::string_view UbjsonPullReader::take(std::uint64_t n) {
  if (n > left()) syntax(fmt::format("{} bytes declared, {} left", n, left()));
  const std::string_view out = bytes_.substr(pos_, static_cast<std::size_t>(n));
  pos_ += static_cast<std::size_t>(n);
  return out;
}

void UbjsonPullReader::open(char marker, bool object) {
  if (marker != (object ? '{' : '['))
    fail(ErrorCode::invalid_model, fmt::format("expected {}, got {}", object ? "an object" : "an array",
                                               describe_marker(marker)));
  if (containers_.size() + 1 > limits_.max_nesting)
    fail(ErrorCode::limit_exceeded, fmt::format("nesting deeper than {}", limits_.max_nesting));
  Container c{0, 0, false};
  if (pos_ < bytes_.size() && bytes_[pos_] == '$') {
    ++pos_;
    if (pos_ >= bytes_.size()) syntax("unexpected end of input");
    c.type = bytes_[pos_++];
    // Containers may be typed too (nlohmann writes arrays of objects so): each element
    // then starts after its omitted marker.
    if (c.type != 'S' && c.type != 'H' && c.type != '[' && c.type != '{' && payload_size(c.type) < 0)
      syntax(fmt::format("unsupported container type 0x{:02x}", static_cast<unsigned char>(c.type)));
    if (pos_ >= bytes_.size() || bytes_[pos_] != '#') syntax("typed container without a count");
  }
  if (pos_ < bytes_.size() && bytes_[pos_] == '#') {
    ++pos_;
    c.counted = true;
    c.remaining = length();
    // Every element takes at least one byte, except payload-free typed ones (Z, T, F):
    // bounding those by the bytes left too keeps a forged count harmless.
    const int size = c.type != 0 ? payload_size(c.type) : -1;
    const std::uint64_t bound = size > 0 ? left() / static_cast<std::size_t>(size) : left();
    if (c.remaining > bound) syntax(fmt::format("count {} exceeds the {} bytes left", c.remaining, left()));
    if (!object && c.remaining > limits_.max_array_length)
      fail(ErrorCode::limit_exceeded,
           fmt::format("count {}: more than {} elements", c.remaining, limits_.max_array_length));
  }
  containers_.push_back(c);
  if (object) path_.push_object();
  else path_.push_array();
}

void UbjsonPullReader::enter_object() { open(take_marker(), true); }

void UbjsonPullReader::enter_array() { open(take_marker(), false); }

std::size_t UbjsonPullReader::count_hint() const {
  const Container &c = containers_.back();
  return c.counted ? static_cast<std::size_t>(c.remaining) : 0;
}

// Whether the innermost container has another element; closes it when not.
bool UbjsonPullReader::next(char end) {
  Container &c = containers_.back();
  if (c.counted) {
    if (c.remaining == 0) {
      containers_.pop_back();
      path_.pop();
      return false;
    }
    --c.remaining;
    return true;
  }
  while (pos_ < bytes_.size() && bytes_[pos_] == 'N') ++pos_;
  if (pos_ >= bytes_.size()) syntax("unexpected end of input");
  if (bytes_[pos_] == end) {
    ++pos_;
    containers_.pop_back();
    path_.pop();
    return false;
  }
  return true;
}

bool UbjsonPullReader::next_member() {
  if (!next('}')) return false;
  const std::size_t start = pos_;
  const std::string_view key = take(length());
  path_.set_key(key);
  value_start_ = start;
  return true;
}

bool UbjsonPullReader::next_element() {
  if (!next(']')) return false;
  if (path_.advance() >= limits_.max_array_length) {
    value_start_ = pos_;
    fail(ErrorCode::limit_exceeded, fmt::format("more than {} elements", limits_.max_array_length));
  }
  return true;
}

Scalar UbjsonPullReader::scalar() {
  const char marker = take_marker();
  Scalar s;
  switch (marker) {
    case 'Z': break;
    case 'T': case 'F': s.form = Scalar::Form::boolean; s.boolean = marker == 'T'; break;
    case 'i': s.form = Scalar::Form::integer; s.integer = read_big_endian<std::int8_t>(); break;
    case 'U': s.form = Scalar::Form::integer; s.integer = read_big_endian<std::uint8_t>(); break;
    case 'I': s.form = Scalar::Form::integer; s.integer = read_big_endian<std::int16_t>(); break;
    case 'l': s.form = Scalar::Form::integer; s.integer = read_big_endian<std::int32_t>(); break;
    case 'L': s.form = Scalar::Form::integer; s.integer = read_big_endian<std::int64_t>(); break;
    case 'd': {
      const auto bits = read_big_endian<std::uint32_t>();
      s.form = Scalar::Form::float32;
      std::memcpy(&s.float32, &bits, sizeof bits);
      break;
    }
    case 'D': {
      const auto bits = read_big_endian<std::uint64_t>();
      s.form = Scalar::Form::float64;
      std::memcpy(&s.float64, &bits, sizeof bits);
      break;
    }
    case 'C': s.form = Scalar::Form::string; s.text = take(1); break;
    case 'S': s.form = Scalar::Form::string; s.text = take(length()); break;
    case 'H': s.form = Scalar::Form::text_number; s.text = take(length()); break;
    case '[': case '{': fail(ErrorCode::invalid_model, "expected a scalar, got " + describe_marker(marker));
    default: syntax(fmt::format("unknown marker 0x{:02x}", static_cast<unsigned char>(marker)));
  }
  return s;
}

void UbjsonPullReader::skip() {
  switch (peek_marker()) {
    case '{':
      enter_object();
      while (next_member()) skip();
      return;
    case '[': {
      enter_array();
      Container &c = containers_.back();
      const int size = c.type != 0 ? payload_size(c.type) : -1;
      if (c.counted && size >= 0) {  // fixed-size elements: jump over them (count was bounded on entry)
        pos_ += static_cast<std::size_t>(c.remaining) * static_cast<std::size_t>(size);
        c.remaining = 0;
      }
      while (next_element()) skip();
      return;
    }
    default: scalar();
  }
}

void UbjsonPullReader::finish() {
  if (pos_ != bytes_.size()) syntax("trailing bytes after the document");
}

}  // namespace riskkit::detail
