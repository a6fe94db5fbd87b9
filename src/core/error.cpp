#include "riskkit/error.hpp"

namespace riskkit {

const char *to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::io: return "io";
    case ErrorCode::parse: return "parse";
    case ErrorCode::invalid_bundle: return "invalid_bundle";
    case ErrorCode::digest_mismatch: return "digest_mismatch";
    case ErrorCode::invalid_model: return "invalid_model";
    case ErrorCode::invalid_record: return "invalid_record";
    case ErrorCode::limit_exceeded: return "limit_exceeded";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

}  // namespace riskkit
