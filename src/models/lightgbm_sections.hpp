#pragma once
// The line structure of a LightGBM text model: a header of `key=value` lines, then one
// `Tree=N` section per tree, up to `end of trees`. Values stay views into the text; every
// accessor reports a problem as `origin:line: section: key: message`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace riskkit::detail {

/// One `key=value` line (a bare `key` line has an empty value).
struct LightGbmLine {
  const std::string *origin = nullptr;
  std::string_view section;  ///< "header" or "Tree=N"
  std::size_t line = 0;      ///< 1-based line number
  std::string_view key, value;

  /// Throws Error(invalid_model) "origin:line: section: key: message".
  [[noreturn]] void fail(const std::string &message) const;
  /// The value as an integer in [min, max].
  std::int64_t integer(std::int64_t min, std::int64_t max) const;
  /// The value as a finite number.
  double number() const;
  /// The value split at blanks.
  std::vector<std::string> words() const;
};

/// The lines of the header or of one tree.
struct LightGbmSection {
  const std::string *origin = nullptr;
  std::string_view name;   ///< "header" or "Tree=N"
  std::size_t line = 0;    ///< line of the section's first line
  std::vector<LightGbmLine> lines;

  const LightGbmLine *find(std::string_view key) const noexcept;
  /// The line of `key`; fails naming the section when it is absent.
  const LightGbmLine &at(std::string_view key) const;
  /// "origin:line: name", for messages.
  std::string location() const;
  [[noreturn]] void fail(const std::string &message) const;

  /// The blank-separated integers of `key`, each in [min, max], exactly `length` of them
  /// when given. A key whose expected length is 0 may be absent.
  std::vector<std::int64_t> integers(std::string_view key, std::optional<std::size_t> length, std::int64_t min,
                                     std::int64_t max) const;
  /// The blank-separated numbers of `key` (not checked for finiteness), `length` of them.
  std::vector<double> doubles(std::string_view key, std::size_t length) const;
};

/// A whole model file split into sections.
struct LightGbmSections {
  LightGbmSection header;
  std::vector<LightGbmSection> trees;
};

/// Splits `text` (first line `tree`) into its header and tree sections. Throws
/// Error(invalid_model) for a missing `tree` line or `end of trees`, trees out of order,
/// duplicate keys and lines without a key.
LightGbmSections split_lightgbm_sections(std::string_view text, const std::string &origin);

}  // namespace riskkit::detail
