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
  template <typename T>
  T read_big_endian() {
    if (left() < sizeof(T)) syntax("unexpected end of input");
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    if constexpr (sizeof(T) == 2) v = static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
    if constexpr (sizeof(T) == 4) v = static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
    if constexpr (sizeof(T) == 8) v = static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(v)));
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

}  // namespace riskkit::detail
