#include "core/file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {

std::string read_file(const std::string &path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorCode::io, fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(ErrorCode::io, fmt::format("{}: cannot read (not a regular file?)", path));
  if (static_cast<std::size_t>(size) > max_bytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", path, size, max_bytes));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw Error(ErrorCode::io, fmt::format("{}: read failed", path));
  return bytes;
}

}  // namespace riskkit::detail
