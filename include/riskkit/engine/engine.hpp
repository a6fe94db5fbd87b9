#pragma once
/// \file
/// Engine: decides records with a bundle, and swaps bundles without stopping.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "riskkit/core/record.hpp"
#include "riskkit/engine/audit.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/engine/decision.hpp"
#include "riskkit/export.hpp"
#include "riskkit/features/velocity.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

namespace riskkit {

/// What a decision does when the velocity store cannot answer (e.g. Redis is down).
enum class VelocityFailurePolicy : std::uint8_t {
  fail_open,    ///< decide with the velocity features missing; an issue says so
  fail_closed,  ///< as fail_open, and the outcome is at least review, with reason RK_VELOCITY_UNAVAILABLE first
};

/// Deployment settings of an Engine: what never comes from a bundle.
struct EngineOptions {
  /// The key that pseudonymizes personal data fields. Unset: RISKKIT_PSEUDONYM_KEY, else
  /// the file named by RISKKIT_PSEUDONYM_KEY_FILE. A bundle with `pii` fields is refused
  /// when there is no key (docs/privacy.md).
  std::optional<privacy::PseudonymKey> pseudonym_key;
  privacy::NormalizeOptions normalize;  ///< e.g. the default phone country code
  /// Where velocity state lives, shared with whoever else holds it; null = a new
  /// InProcessVelocityStore owned by this engine. Kept across reload().
  std::shared_ptr<VelocityStore> velocity_store;
  VelocityFailurePolicy velocity_failure = VelocityFailurePolicy::fail_open;
  /// The audit log: one JSON line per decision, to a file and/or a callback
  /// (docs/audit.md). Default: none. When set, each Decision carries its decision_id, and
  /// decide() throws Error(io) if the line cannot be written.
  AuditOptions audit;
  /// Whether bundles (at open and at every reload) must carry a valid bundle.sig.
  SignatureOptions signature;
};

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
  /// As open(dir), with deployment settings (key, velocity store, failure policy).
  static Engine open(const std::string &dir, const EngineOptions &options);
  explicit Engine(std::shared_ptr<const Bundle> bundle);
  /// Throws Error(invalid_argument) if the bundle has pii fields and no key is configured.
  Engine(std::shared_ptr<const Bundle> bundle, const EngineOptions &options);
  Engine(Engine &&) noexcept;
  Engine &operator=(Engine &&) noexcept;
  ~Engine();

  /// Decides one record. Data problems become missing values and Decision::issues;
  /// only a record missing a required field throws, Error(invalid_record) naming it.
  Decision decide(const Record &record) const;

  /// Decides many records on `nthread` threads (0 = all cores). Records that are
  /// rejected yield an entry in `errors` (index, message) instead of a decision; the
  /// decision at that index is default-constructed. A bundle with velocity features is
  /// decided on one thread, in input order, so the batch equals one-by-one decisions.
  std::vector<Decision> decide_batch(std::span<const Record> records, int nthread,
                                     std::vector<std::pair<std::size_t, std::string>> *errors = nullptr) const;

  /// Loads `dir` and, only if it loads cleanly, makes it the current bundle.
  void reload(const std::string &dir);

  /// The bundle decisions currently use.
  std::shared_ptr<const Bundle> bundle() const;

  /// The features decide() would compute for `record` (fields pseudonymized, velocity
  /// state read and updated exactly as decide() does), in Bundle::feature_names() order,
  /// NaN for missing. Offline feature generation replays a history through this.
  /// Throws Error(invalid_record) like decide().
  std::vector<double> features(const Record &record) const;

  /// Only the rule stage of decide() for `record`, on `bundle` (take it from bundle()
  /// once and reuse it): fields conformed and pseudonymized, features computed (velocity
  /// state read and updated exactly as decide() does), then every enabled rule; no
  /// models, policy or Decision. Appends the indices of the rules that fired (into
  /// bundle.rules().rules()) to `hits`. Thread-safe. Back-tests run on this.
  /// Throws Error(invalid_record) like decide().
  void rule_hits(const Bundle &bundle, const Record &record, std::vector<std::size_t> &hits) const;

  /// The velocity store decisions read and update.
  std::shared_ptr<VelocityStore> velocity_store() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace riskkit
