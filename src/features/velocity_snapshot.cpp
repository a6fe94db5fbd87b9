// Snapshot layout, little-endian: "RKVEL001", u64 entity count, then per entity
// u64 u64 key (hash of feature and entity), i64 span, i64 newest, u32 event count, events as
// (i64 time, u64 id, f64 value, u64 distinct); then the SHA-256 of all preceding bytes.
#include "features/velocity_snapshot.hpp"

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/file.hpp"
#include "core/sha256.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

static_assert(std::endian::native == std::endian::little, "snapshots are written in little-endian order");

constexpr char kMagic[8] = {'R', 'K', 'V', 'E', 'L', '0', '0', '1'};
constexpr std::size_t kMaxSnapshotBytes = std::size_t{64} << 30;

template <class T>
void put(std::string &out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

class Reader {
 public:
  Reader(std::string_view bytes, const std::string &path) : bytes_(bytes), path_(path) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) throw Error(ErrorCode::parse, fmt::format("{}: velocity snapshot is truncated", path_));
  }
  std::string_view bytes_;
  const std::string &path_;
  std::size_t pos_ = 0;
};

}  // namespace

void write_velocity_snapshot(const std::string &path, const std::vector<SnapshotEntity> &entities) {
  std::string out(kMagic, sizeof kMagic);
  put<std::uint64_t>(out, entities.size());
  for (const SnapshotEntity &e : entities) {
    put(out, e.key_a);
    put(out, e.key_b);
    put<std::int64_t>(out, e.span_us);
    put<std::int64_t>(out, e.newest);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(e.events.size()));
    for (const StoredEvent &s : e.events) {
      put(out, s.time_us);
      put(out, s.id);
      put(out, s.value);
      put(out, s.distinct);
    }
  }
  Sha256 sha;
  sha.update(out);
  out += sha.hex();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.flush();
    if (!f) throw Error(ErrorCode::io, fmt::format("{}: cannot write the velocity snapshot", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(ErrorCode::io, fmt::format("{}: cannot rename to {}: {}", tmp, path, ec.message()));
}

std::vector<SnapshotEntity> read_velocity_snapshot(const std::string &path) {
  const std::string bytes = read_file(path, kMaxSnapshotBytes);
  if (bytes.size() < sizeof kMagic + 64 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw Error(ErrorCode::parse, fmt::format("{}: not a riskkit velocity snapshot", path));
  const std::string_view body(bytes.data(), bytes.size() - 64);
  if (sha256_hex(body) != std::string_view(bytes).substr(body.size()))
    throw Error(ErrorCode::parse, fmt::format("{}: velocity snapshot is damaged (SHA-256 mismatch)", path));
  Reader r(body.substr(sizeof kMagic), path);
  const auto count = r.get<std::uint64_t>();
  std::vector<SnapshotEntity> entities;
  for (std::uint64_t i = 0; i < count; ++i) {
    SnapshotEntity e;
    e.key_a = r.get<std::uint64_t>();
    e.key_b = r.get<std::uint64_t>();
    e.span_us = r.get<std::int64_t>();
    e.newest = r.get<std::int64_t>();
    const auto events = r.get<std::uint32_t>();
    for (std::uint32_t j = 0; j < events; ++j) {
      StoredEvent s;
      s.time_us = r.get<std::int64_t>();
      s.id = r.get<std::uint64_t>();
      s.value = r.get<double>();
      s.distinct = r.get<std::uint64_t>();
      e.events.push_back(s);
    }
    entities.push_back(std::move(e));
  }
  if (!r.done()) throw Error(ErrorCode::parse, fmt::format("{}: velocity snapshot has trailing bytes", path));
  return entities;
}

}  // namespace riskkit::detail
