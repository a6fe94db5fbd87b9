#include "riskkit/rules/string_list.hpp"

#include <algorithm>

namespace riskkit::rules {

StringList::StringList(std::vector<std::string> entries) : sorted_(std::move(entries)) {
  std::sort(sorted_.begin(), sorted_.end());
  sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
}

bool StringList::contains(std::string_view value) const noexcept {
  const auto it = std::lower_bound(sorted_.begin(), sorted_.end(), value,
                                   [](const std::string &a, std::string_view b) { return std::string_view(a) < b; });
  return it != sorted_.end() && *it == value;
}

}  // namespace riskkit::rules
