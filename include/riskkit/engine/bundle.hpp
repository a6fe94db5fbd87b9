#pragma once
/// \file
/// Bundle: a loaded, verified, immutable decision configuration (docs/bundle-format.md).

#include <memory>
#include <string>
#include <vector>

#include "riskkit/core/schema.hpp"
#include "riskkit/export.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/rules/rule_set.hpp"

namespace riskkit {

namespace detail {
struct BundleContent;
}

/// A bundle directory, loaded: schema, features, rules, models and policy, each
/// reference resolved, each expression compiled and each file's SHA-256 verified.
/// Immutable and shareable across threads.
class RK_API Bundle {
 public:
  /// Loads `dir`/bundle.json. Throws Error naming the file and JSON path of the first
  /// problem (and every further problem found, one per line).
  static std::shared_ptr<const Bundle> load(const std::string &dir);

  explicit Bundle(std::unique_ptr<detail::BundleContent> content);
  ~Bundle();

  const std::string &name() const noexcept;
  const std::string &version() const noexcept;
  const std::string &stage() const noexcept;
  /// Hex SHA-256 over bundle.json and every file it references, in manifest order.
  const std::string &digest() const noexcept;
  const std::string &directory() const noexcept;
  const Schema &schema() const noexcept;
  const RuleSet &rules() const noexcept;
  /// Feature names, in computation order.
  std::vector<std::string> feature_names() const;
  /// Model names, in bundle order.
  std::vector<std::string> model_names() const;

  const detail::BundleContent &content() const noexcept { return *content_; }

 private:
  std::unique_ptr<detail::BundleContent> content_;
};

}  // namespace riskkit
