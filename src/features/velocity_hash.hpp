#pragma once
// A stable 64-bit hash (the same in every build and on every machine), for event ids and
// distinct values kept by velocity stores and written to their snapshots.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace riskkit::detail {

inline std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t stable_hash(std::string_view s, std::uint64_t seed = 0x9e3779b97f4a7c15ULL) noexcept {
  std::uint64_t h = seed ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = mix64(h ^ chunk);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix64(h ^ tail ^ (std::uint64_t{s.size() - i} << 56));
}

}  // namespace riskkit::detail
