#pragma once
/// \file
/// The audit log (one JSON line per decision) and its replay (docs/audit.md).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit {

/// Where an Engine writes its audit log: one JSON line per decision with the decision id,
/// event time, the pseudonymized inputs, the velocity values read, every feature, and
/// the decision itself (docs/audit.md). Raw personal data never reaches it. Both empty =
/// no audit log.
struct AuditOptions {
  /// Append each line (and a '\n') to this file, created if absent; "" = no file.
  std::string path;
  /// Called with each line (no trailing '\n') on the deciding thread, possibly from many
  /// threads at once; an exception it throws propagates out of decide().
  using Callback = std::function<void(std::string_view line)>;
  Callback callback;

  bool enabled() const noexcept { return !path.empty() || static_cast<bool>(callback); }
};

/// One way a replayed decision differs from the logged one.
struct ReplayDifference {
  std::size_t line = 0;     ///< 1-based line of the audit log
  std::string decision_id;  ///< the logged decision's id ("" if the line could not be read)
  std::string path;         ///< JSON pointer into the audit line, e.g. "/decision/scores/credit"
  std::string logged;       ///< the logged value as JSON ("" when absent)
  std::string replayed;     ///< the replayed value as JSON ("" when absent)
};

/// What replay() found.
struct ReplayReport {
  std::size_t decisions = 0;  ///< audit lines read
  std::size_t identical = 0;  ///< of those, decisions (and features) replayed bit for bit
  std::vector<ReplayDifference> differences;

  /// Every logged decision replayed identically.
  bool ok() const noexcept { return decisions == identical; }
};

/// Recomputes every decision of the audit log at `audit_path` with the bundle in
/// `bundle_dir`, from the logged inputs (already pseudonymized, so no key is needed) and
/// the logged velocity values (no velocity store is read or written), and compares the
/// result — every key of the decision but its latency, and every feature — with what was
/// logged. Doubles are logged round-trip exact, so an unchanged bundle replays bit for
/// bit; a changed one shows each difference (the bundle digest among them). Throws
/// Error(io) when the log cannot be read, Error like Bundle::load for the bundle.
RK_API ReplayReport replay(const std::string &audit_path, const std::string &bundle_dir);

}  // namespace riskkit
