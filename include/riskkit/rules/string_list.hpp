#pragma once
/// \file
/// StringList: a named set of strings that expressions test with `in_list("name", x)`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit::rules {

/// An immutable set of strings (a bundle's block or allow list of pseudonyms).
/// contains() is a binary search, thread-safe, and never allocates.
class RK_API StringList {
 public:
  StringList() = default;
  /// Takes the entries in any order; duplicates are kept once.
  explicit StringList(std::vector<std::string> entries);
  bool contains(std::string_view value) const noexcept;
  std::size_t size() const noexcept { return sorted_.size(); }

 private:
  std::vector<std::string> sorted_;
};

}  // namespace riskkit::rules
