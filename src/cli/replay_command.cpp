#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "riskkit/engine/audit.hpp"

namespace riskkit::cli {

int run_replay(const ReplayArgs &args) {
  const ReplayReport report = replay(args.audit, args.bundle);
  std::size_t shown = 0;
  for (const ReplayDifference &d : report.differences) {
    if (args.max_shown >= 0 && shown++ >= static_cast<std::size_t>(args.max_shown)) break;
    std::cout << fmt::format("line {} ({}): {}: logged {}, replayed {}\n", d.line,
                             d.decision_id.empty() ? "?" : d.decision_id, d.path.empty() ? "/" : d.path,
                             d.logged.empty() ? "(absent)" : d.logged, d.replayed.empty() ? "(absent)" : d.replayed);
  }
  std::cerr << fmt::format("riskkit replay: {} decisions, {} identical, {} differ ({} differences)\n", report.decisions,
                           report.identical, report.decisions - report.identical, report.differences.size());
  return report.ok() ? 0 : 4;
}

}  // namespace riskkit::cli
