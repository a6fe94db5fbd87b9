#pragma once
// A pull reader over UBJSON bytes (big-endian, optionally typed and counted containers, as
// XGBoost and nlohmann write them). Nothing is allocated per value: strings are views of
// the input and numbers are decoded in place. Every count and length is checked against
// the bytes left and ModelLimits before it is used, so a forged count (2^62 elements) is
// refused at once. Errors name the origin, the byte offset and the JSON pointer.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "models/pull_reader.hpp"

namespace riskkit::detail {

class UbjsonPullReader {
 public:
  /// Reads `bytes`; `origin` (the file name, for messages) must outlive the reader.
  UbjsonPullReader(std::string_view bytes, const std::string &origin, const ModelLimits &limits);

  /// Consumes the start of an object; then next_member() until it returns false.
  void enter_object();
  /// Moves to the next member of the innermost object, whose key is key(); false (and the
  /// object closed) after the last one.
  bool next_member();
  const std::string &key() const { return path_.key(); }
  /// Consumes the start of an array; then next_element() until it returns false.
  void enter_array();
  bool next_element();
  /// Elements left in the innermost array when its count is declared, else 0.
  std::size_t count_hint() const;
  /// After enter_array() on a counted array of a fixed-size number type (`[$<type>#<n>`
  /// with type i, U, I, l, L, d or D): passes each element's value, as the int8..int64,
  /// float or double it is stored as, to `accept(value, out[i])`. When all n are accepted
  /// the array is consumed and closed (the next next_element() returns false); when the
  /// array is of another kind or `accept` refuses one, `out` is left empty, nothing is
  /// consumed and false is returned, so the caller reads element by element (and reports
  /// the refused value exactly as it would have anyway).
  template <typename T, typename Accept>
  bool take_numbers(std::vector<T> &out, Accept accept);
  /// Consumes a scalar (fails on an array or object).
  Scalar scalar();
  /// Consumes any value.
  void skip();
  /// Checks that nothing follows the document.
  void finish();

  /// The JSON pointer of the value being read.
  std::string pointer() const { return path_.pointer(); }
  /// Throws Error(code) "origin: UBJSON byte N: pointer: message", N the start of the last value.
  [[noreturn]] void fail(ErrorCode code, std::string_view message) const;

 private:
  struct Container {
    std::uint64_t remaining;  // elements left when counted
    char type;                // element marker of a typed container, else 0
    bool counted;
  };

  [[noreturn]] void syntax(std::string_view message) const;  // at the current byte, Error(parse)
  std::size_t left() const noexcept { return bytes_.size() - pos_; }
  // The next value's marker: a typed container's type, else the next byte after no-ops.
  char peek_marker();
  char take_marker();
  std::uint64_t length();
  std::string_view take(std::uint64_t n);
  void open(char marker, bool object);
  bool next(char end);
  template <typename E, typename T, typename Accept>
  bool decode_all(std::vector<T> &out, std::size_t n, Accept &accept);
  template <typename E>
  static E from_big_endian(const char *p) noexcept {
    using U = std::conditional_t<sizeof(E) == 1, std::uint8_t,
                                 std::conditional_t<sizeof(E) == 2, std::uint16_t,
                                                    std::conditional_t<sizeof(E) == 4, std::uint32_t, std::uint64_t>>>;
    U u;
    std::memcpy(&u, p, sizeof u);
    if constexpr (sizeof(U) == 2) u = __builtin_bswap16(u);
    if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
    if constexpr (sizeof(U) == 8) u = __builtin_bswap64(u);
    E v;
    std::memcpy(&v, &u, sizeof v);
    return v;
  }
  template <typename T>
  T read_big_endian() {
    if (left() < sizeof(T)) syntax("unexpected end of input");
    const T v = from_big_endian<T>(bytes_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }

  std::string_view bytes_;
  const std::string &origin_;
  ModelLimits limits_;
  std::size_t pos_ = 0;
  std::size_t value_start_ = 0;
  PointerStack path_;
  std::vector<Container> containers_;
};

template <typename E, typename T, typename Accept>
bool UbjsonPullReader::decode_all(std::vector<T> &out, std::size_t n, Accept &accept) {
  out.resize(n);
  const char *p = bytes_.data() + pos_;
  T *dst = out.data();
  bool ok = true;
  for (std::size_t i = 0; i < n; ++i) ok &= accept(from_big_endian<E>(p + i * sizeof(E)), dst[i]);
  if (!ok) {
    out.clear();
    return false;
  }
  pos_ += n * sizeof(E);
  return true;
}

template <typename T, typename Accept>
bool UbjsonPullReader::take_numbers(std::vector<T> &out, Accept accept) {
  Container &c = containers_.back();
  if (!c.counted) return false;
  // The count was bounded by the bytes left and the array limit when the array was opened.
  const auto n = static_cast<std::size_t>(c.remaining);
  bool ok = false;
  switch (c.type) {
    case 'i': ok = decode_all<std::int8_t>(out, n, accept); break;
    case 'U': ok = decode_all<std::uint8_t>(out, n, accept); break;
    case 'I': ok = decode_all<std::int16_t>(out, n, accept); break;
    case 'l': ok = decode_all<std::int32_t>(out, n, accept); break;
    case 'L': ok = decode_all<std::int64_t>(out, n, accept); break;
    case 'd': ok = decode_all<float>(out, n, accept); break;
    case 'D': ok = decode_all<double>(out, n, accept); break;
    default: return false;
  }
  if (ok) c.remaining = 0;
  return ok;
}

}  // namespace riskkit::detail
