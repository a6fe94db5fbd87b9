#pragma once
// Typed, path-aware access to a parsed manifest. Every problem is recorded with the file
// and JSON path it was found at ("bundle.json: /rules/3/action: ..."), so a bundle's
// author sees all of them at once rather than one per attempt.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_parse.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {

class ManifestReader {
 public:
  explicit ManifestReader(std::string file) : file_(std::move(file)) {}

  const std::string &file() const noexcept { return file_; }
  /// Records a problem; the error thrown later carries the code of the first one recorded.
  void problem(const std::string &path, const std::string &message, ErrorCode code = ErrorCode::invalid_bundle);
  bool ok() const noexcept { return problems_.empty(); }
  /// Throws Error(invalid_bundle) listing every recorded problem, one per line.
  void throw_if_problems() const;

  /// `node` must be an object whose keys are all in `allowed`; records a problem for each other key.
  bool expect_object(const Json &node, const std::string &path, std::initializer_list<std::string_view> allowed);
  /// The member `key` of object `node` if present (absent → nullopt; if `required`, also a problem).
  const Json *member(const Json &node, const std::string &path, std::string_view key, bool required);
  std::optional<std::string> string(const Json &node, const std::string &path, std::string_view key, bool required);
  std::optional<double> number(const Json &node, const std::string &path, std::string_view key, bool required);
  std::optional<bool> boolean(const Json &node, const std::string &path, std::string_view key, bool required);

 private:
  std::string file_;
  std::vector<std::string> problems_;
  ErrorCode code_ = ErrorCode::invalid_bundle;
};

}  // namespace riskkit::detail
