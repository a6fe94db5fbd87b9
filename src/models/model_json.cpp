#include "models/model_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// A short rendering of a rejected value for messages.
std::string preview(const Json &value) {
  // UBJSON strings are not checked for UTF-8: replace bad bytes rather than throw.
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// Parses a whole string as a double (XGBoost writes numbers such as "5E-1" as text).
std::optional<double> parse_double(const std::string &text) {
  double out = 0;
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return out;
}

// A number, or a string holding one; nullopt otherwise.
std::optional<double> as_double(const Json &value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) return parse_double(value.get_ref<const std::string &>());
  return std::nullopt;
}

// An integer (saturated to int64), or a string holding one; nullopt otherwise.
std::optional<std::int64_t> as_integer(const Json &value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    const auto &text = value.get_ref<const std::string &>();
    std::int64_t parsed = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && ptr == text.data() + text.size()) return parsed;
  }
  return std::nullopt;
}

}  // namespace

void ModelJson::fail(const std::string &message) const {
  throw Error(ErrorCode::invalid_model,
              fmt::format("{}: {}: {}", *origin_, pointer_.empty() ? "/" : pointer_, message));
}

bool ModelJson::has(std::string_view key) const {
  return value_->is_object() && value_->find(key) != value_->end();
}

ModelJson ModelJson::at(std::string_view key) const {
  auto found = find(key);
  if (!found) fail(fmt::format("missing member \"{}\"", key));
  return *found;
}

std::optional<ModelJson> ModelJson::find(std::string_view key) const {
  if (!value_->is_object()) fail(fmt::format("expected an object, got {}", preview(*value_)));
  const auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return ModelJson(*it, *origin_, json_path(pointer_, key));
}

ModelJson ModelJson::at(std::size_t index) const {
  if (index >= size()) fail(fmt::format("index {} out of range", index));
  return ModelJson((*value_)[index], *origin_, json_path(pointer_, index));
}

std::size_t ModelJson::size() const {
  if (!value_->is_array()) fail(fmt::format("expected an array, got {}", preview(*value_)));
  return value_->size();
}

std::string ModelJson::string() const {
  if (!value_->is_string()) fail(fmt::format("expected a string, got {}", preview(*value_)));
  return value_->get<std::string>();
}

double ModelJson::number() const {
  const auto out = as_double(*value_);
  if (!out) fail(fmt::format("expected a number, got {}", preview(*value_)));
  if (!std::isfinite(*out)) fail(fmt::format("expected a finite number, got {}", preview(*value_)));
  return *out;
}

std::int64_t ModelJson::integer(std::int64_t min, std::int64_t max) const {
  const auto out = as_integer(*value_);
  if (!out) fail(fmt::format("expected an integer, got {}", preview(*value_)));
  if (*out < min || *out > max) fail(fmt::format("{} out of range [{}, {}]", *out, min, max));
  return *out;
}

bool ModelJson::boolean() const {
  if (value_->is_boolean()) return value_->get<bool>();
  if (value_->is_number_integer()) {
    const auto v = value_->get<std::int64_t>();
    if (v == 0 || v == 1) return v == 1;
  }
  fail(fmt::format("expected a boolean, got {}", preview(*value_)));
}

std::vector<float> ModelJson::floats() const {
  std::vector<float> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto v = as_double((*value_)[i]);
    out[i] = v ? static_cast<float>(*v) : 0.0f;
    if (!v || !std::isfinite(out[i])) {
      const ModelJson element = at(i);
      element.number();  // reports a non-number or a non-finite value
      element.fail(fmt::format("{} overflows float32", *v));
    }
  }
  return out;
}

std::vector<double> ModelJson::doubles() const {
  std::vector<double> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto v = as_double((*value_)[i]);
    out[i] = v && std::isfinite(*v) ? *v : at(i).number();
  }
  return out;
}

std::vector<std::int64_t> ModelJson::integers(std::int64_t min, std::int64_t max) const {
  std::vector<std::int64_t> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto v = as_integer((*value_)[i]);
    out[i] = v && *v >= min && *v <= max ? *v : at(i).integer(min, max);
  }
  return out;
}

std::vector<bool> ModelJson::booleans() const {
  std::vector<bool> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Json &v = (*value_)[i];
    if (v.is_boolean()) out[i] = v.get<bool>();
    else if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1)) out[i] = v.get<std::int64_t>() == 1;
    else out[i] = at(i).boolean();
  }
  return out;
}

std::vector<std::string> ModelJson::strings() const {
  std::vector<std::string> out(size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = at(i).string();
  return out;
}

}  // namespace riskkit::detail
