#include "engine/audit_log.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {

AuditLog::AuditLog(const AuditOptions &options) : path_(options.path), callback_(options.callback) {
  if (!path_.empty()) {
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) throw Error(ErrorCode::io, fmt::format("audit log {}: {}", path_, std::strerror(errno)));
  }
  std::random_device random;
  nonce_ = fmt::format("{:08x}{:08x}", random(), random());
}

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

void AuditLog::write(std::string_view line) {
  if (file_) {
    const std::lock_guard lock(mutex_);
    const bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fputc('\n', file_) != EOF &&
                    std::fflush(file_) == 0;
    if (!ok) throw Error(ErrorCode::io, fmt::format("audit log {}: write failed: {}", path_, std::strerror(errno)));
  }
  if (callback_) callback_(line);
}

std::string AuditLog::next_decision_id() {
  return fmt::format("{}-{:08x}", nonce_, counter_.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace riskkit::detail
