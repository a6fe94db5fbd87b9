#pragma once
// The sink of an Engine's audit log, and the ids of audited decisions.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "riskkit/engine/audit.hpp"

namespace riskkit::detail {

/// Writes audit lines to a file and/or a callback. Thread-safe.
class AuditLog {
 public:
  /// Opens options.path for appending; throws Error(io) naming it.
  explicit AuditLog(const AuditOptions &options);
  ~AuditLog();
  AuditLog(const AuditLog &) = delete;
  AuditLog &operator=(const AuditLog &) = delete;

  /// Appends one line (file: with '\n', flushed, so a crash loses no decided line), then
  /// calls the callback. Throws Error(io) when the file cannot be written.
  void write(std::string_view line);
  /// A new id, unique across engines and runs: 16 random hex digits of this log, '-',
  /// a counter.
  std::string next_decision_id();

 private:
  std::mutex mutex_;
  std::FILE *file_ = nullptr;
  std::string path_;
  AuditOptions::Callback callback_;
  std::string nonce_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace riskkit::detail
