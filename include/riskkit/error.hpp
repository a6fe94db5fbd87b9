#pragma once
/// \file
/// riskkit::Error: what loading, compiling and validating throw.

#include <stdexcept>
#include <string>

#include "riskkit/export.hpp"

namespace riskkit {

/// Why something failed. Values match the C ABI's rk_status and are never renumbered.
enum class ErrorCode : int {
  invalid_argument = 1,  ///< a caller passed something unusable (null, wrong size)
  io = 2,                ///< a file could not be opened or read
  parse = 3,             ///< malformed JSON, UBJSON, CSV or expression syntax
  invalid_bundle = 4,    ///< a bundle is well-formed but wrong (unknown reference, bad value)
  digest_mismatch = 5,   ///< a file's SHA-256 differs from the manifest's
  invalid_model = 6,     ///< a model file is malformed or unsupported
  invalid_record = 7,    ///< a record breaks its schema (a required field is missing)
  limit_exceeded = 8,    ///< input beyond a documented limit (depth, size, steps)
  internal = 99,         ///< a bug in riskkit; please report it
};

/// The short stable name of a code, e.g. "invalid_bundle".
RK_API const char *to_string(ErrorCode code) noexcept;

/// The exception riskkit throws. what() names the file, JSON path, field or
/// line:column the problem was found at, e.g.
/// `bundle.json: /rules/3/when: 1:14: unknown name 'incme'`.
class RK_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string &message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace riskkit
