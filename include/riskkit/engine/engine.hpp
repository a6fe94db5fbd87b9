#pragma once
/// \file
/// Engine: decides records with a bundle, and swaps bundles without stopping.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/record.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/export.hpp"

namespace riskkit {

/// A decision engine serving one bundle at a time.
///
/// decide() and decide_batch() are thread-safe and may run while reload() swaps the
/// bundle: each call uses the bundle that was current when it started. reload() builds
/// the new bundle completely before publishing it, so a bundle that fails to load
/// leaves the old one serving.
///
///     auto engine = riskkit::Engine::open("examples/bundles/application");
///     riskkit::Decision d = engine.decide(riskkit::Record::from_json(R"({"monthly_income": 5200})"));
class RK_API Engine {
 public:
  /// Loads and verifies the bundle in `dir`. Throws Error on any problem with it.
  static Engine open(const std::string &dir);
  explicit Engine(std::shared_ptr<const Bundle> bundle);
  Engine(Engine &&) noexcept;
  Engine &operator=(Engine &&) noexcept;
  ~Engine();

  /// Decides one record. Data problems become missing values and Decision::issues;
  /// only a record missing a required field throws, Error(invalid_record) naming it.
  Decision decide(const Record &record) const;

  /// Decides many records on `nthread` threads (0 = all cores). Records that are
  /// rejected yield an entry in `errors` (index, message) instead of a decision; the
  /// decision at that index is default-constructed.
  std::vector<Decision> decide_batch(std::span<const Record> records, int nthread,
                                     std::vector<std::pair<std::size_t, std::string>> *errors = nullptr) const;

  /// Loads `dir` and, only if it loads cleanly, makes it the current bundle.
  void reload(const std::string &dir);

  /// The bundle decisions currently use.
  std::shared_ptr<const Bundle> bundle() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace riskkit
