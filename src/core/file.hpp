#pragma once
// Reading whole files with a size limit and errors that name the path.

#include <cstddef>
#include <string>

namespace riskkit::detail {

/// The bytes of `path`; throws Error(io) naming the path, or Error(limit_exceeded) when
/// the file is larger than `max_bytes`.
std::string read_file(const std::string &path, std::size_t max_bytes);

}  // namespace riskkit::detail
