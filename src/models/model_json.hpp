#pragma once
// Typed, validated access to a model document: every accessor names the file and the
// JSON pointer of the value it rejects, e.g.
// `model.json: /learner/learner_model_param/num_class: expected an integer, got "x"`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_parse.hpp"

namespace riskkit::detail {

/// A JSON value inside a model document, with the origin (file name) and JSON pointer
/// needed to report a problem with it. Cheap to copy; borrows the document.
class ModelJson {
 public:
  ModelJson(const Json &value, const std::string &origin, std::string pointer = "")
      : value_(&value), origin_(&origin), pointer_(std::move(pointer)) {}

  const Json &raw() const noexcept { return *value_; }
  const std::string &pointer() const noexcept { return pointer_; }
  const std::string &origin() const noexcept { return *origin_; }

  /// Throws Error(invalid_model) "origin: pointer: message".
  [[noreturn]] void fail(const std::string &message) const;

  bool has(std::string_view key) const;
  /// The member `key` of this object; fails when this is not an object or lacks the key.
  ModelJson at(std::string_view key) const;
  /// The member `key`, or nullopt when absent.
  std::optional<ModelJson> find(std::string_view key) const;
  /// Element `index` of this array.
  ModelJson at(std::size_t index) const;
  /// Number of elements of this array; fails when it is not an array.
  std::size_t size() const;

  std::string string() const;
  /// A finite number, also accepted as a numeric string (XGBoost stores parameters as text).
  double number() const;
  /// An integer in [min, max], also accepted as a numeric string.
  std::int64_t integer(std::int64_t min, std::int64_t max) const;
  bool boolean() const;

  /// Arrays of numbers: finite, as float or as integers within [min, max].
  std::vector<float> floats() const;
  std::vector<double> doubles() const;
  std::vector<std::int64_t> integers(std::int64_t min, std::int64_t max) const;
  /// An array of booleans, also accepted as 0/1 (XGBoost's default_left).
  std::vector<bool> booleans() const;
  std::vector<std::string> strings() const;

 private:
  const Json *value_;
  const std::string *origin_;
  std::string pointer_;
};

}  // namespace riskkit::detail
