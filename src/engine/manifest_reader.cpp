#include "engine/manifest_reader.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {

void ManifestReader::problem(const std::string &path, const std::string &message, ErrorCode code) {
  if (problems_.empty()) code_ = code;
  problems_.push_back(fmt::format("{}: {}: {}", file_, path.empty() ? "/" : path, message));
}

void ManifestReader::throw_if_problems() const {
  if (problems_.empty()) return;
  std::string text = problems_.front();
  for (std::size_t i = 1; i < problems_.size(); ++i) text += "\n" + problems_[i];
  throw Error(code_, text);
}

bool ManifestReader::expect_object(const Json &node, const std::string &path,
                                   std::initializer_list<std::string_view> allowed) {
  if (!node.is_object()) {
    problem(path, fmt::format("expected an object, got {}", node.type_name()));
    return false;
  }
  for (const auto &[key, value] : node.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      problem(json_path(path, key), "unknown key");
  return true;
}

const Json *ManifestReader::member(const Json &node, const std::string &path, std::string_view key, bool required) {
  const auto it = node.find(key);
  if (it == node.end()) {
    if (required) problem(json_path(path, key), "required key is missing");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> ManifestReader::string(const Json &node, const std::string &path, std::string_view key,
                                                  bool required) {
  const Json *m = member(node, path, key, required);
  if (!m) return std::nullopt;
  if (!m->is_string()) {
    problem(json_path(path, key), fmt::format("expected a string, got {}", m->type_name()));
    return std::nullopt;
  }
  return m->get<std::string>();
}

std::optional<double> ManifestReader::number(const Json &node, const std::string &path, std::string_view key,
                                             bool required) {
  const Json *m = member(node, path, key, required);
  if (!m) return std::nullopt;
  if (!m->is_number() || !std::isfinite(m->get<double>())) {
    problem(json_path(path, key), fmt::format("expected a finite number, got {}", m->type_name()));
    return std::nullopt;
  }
  return m->get<double>();
}

std::optional<bool> ManifestReader::boolean(const Json &node, const std::string &path, std::string_view key,
                                            bool required) {
  const Json *m = member(node, path, key, required);
  if (!m) return std::nullopt;
  if (!m->is_boolean()) {
    problem(json_path(path, key), fmt::format("expected true or false, got {}", m->type_name()));
    return std::nullopt;
  }
  return m->get<bool>();
}

}  // namespace riskkit::detail
