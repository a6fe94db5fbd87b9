#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "riskkit/rules/expression.hpp"

namespace riskkit::rules {

void SymbolTable::add(std::string name, Type type, std::size_t slot) {
  if (find(name) != nullptr) throw Error(ErrorCode::invalid_bundle, fmt::format("duplicate name '{}'", name));
  symbols_.push_back(Symbol{std::move(name), type, slot});
}

const Symbol *SymbolTable::find(std::string_view name) const noexcept {
  for (const auto &s : symbols_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void SymbolTable::add_list(std::string name, std::shared_ptr<const StringList> entries) {
  if (find_list(name) != nullptr) throw Error(ErrorCode::invalid_bundle, fmt::format("duplicate list '{}'", name));
  lists_.push_back(NamedList{std::move(name), std::move(entries)});
}

const NamedList *SymbolTable::find_list(std::string_view name) const noexcept {
  for (const auto &l : lists_) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

}  // namespace riskkit::rules
