#include "models/lightgbm_sections.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// Calls `each(word, index)` for every blank-separated word of `value`.
template <typename Each>
std::size_t for_each_word(std::string_view value, Each each) {
  std::size_t count = 0;
  while (true) {
    const auto begin = value.find_first_not_of(' ');
    if (begin == std::string_view::npos) return count;
    value.remove_prefix(begin);
    const auto end = std::min(value.find(' '), value.size());
    each(value.substr(0, end), count++);
    value.remove_prefix(end);
  }
}

std::string preview(std::string_view word) {
  return word.size() > 40 ? std::string(word.substr(0, 37)) + "..." : std::string(word);
}

}  // namespace

void LightGbmLine::fail(const std::string &message) const {
  throw Error(ErrorCode::invalid_model, fmt::format("{}:{}: {}: {}: {}", *origin, line, section, key, message));
}

std::int64_t LightGbmLine::integer(std::int64_t min, std::int64_t max) const {
  std::int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size())
    fail(fmt::format("expected an integer, got \"{}\"", preview(value)));
  if (out < min || out > max) fail(fmt::format("{} out of range [{}, {}]", out, min, max));
  return out;
}

double LightGbmLine::number() const {
  double out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(out))
    fail(fmt::format("expected a finite number, got \"{}\"", preview(value)));
  return out;
}

std::vector<std::string> LightGbmLine::words() const {
  std::vector<std::string> out;
  for_each_word(value, [&](std::string_view word, std::size_t) { out.emplace_back(word); });
  return out;
}

const LightGbmLine *LightGbmSection::find(std::string_view key) const noexcept {
  for (const LightGbmLine &entry : lines)
    if (entry.key == key) return &entry;
  return nullptr;
}

const LightGbmLine &LightGbmSection::at(std::string_view key) const {
  const LightGbmLine *entry = find(key);
  if (entry == nullptr) fail(fmt::format("missing \"{}=\"", key));
  return *entry;
}

std::string LightGbmSection::location() const { return fmt::format("{}:{}: {}", *origin, line, name); }

void LightGbmSection::fail(const std::string &message) const {
  throw Error(ErrorCode::invalid_model, fmt::format("{}: {}", location(), message));
}

std::vector<std::int64_t> LightGbmSection::integers(std::string_view key, std::optional<std::size_t> length,
                                                    std::int64_t min, std::int64_t max) const {
  if (length == std::size_t{0} && find(key) == nullptr) return {};
  const LightGbmLine &entry = at(key);
  std::vector<std::int64_t> out;
  out.reserve(length.value_or(0));
  const std::size_t count = for_each_word(entry.value, [&](std::string_view word, std::size_t i) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec != std::errc() || ptr != word.data() + word.size())
      entry.fail(fmt::format("element {}: expected an integer, got \"{}\"", i, preview(word)));
    if (v < min || v > max) entry.fail(fmt::format("element {}: {} out of range [{}, {}]", i, v, min, max));
    if (!length || i < *length) out.push_back(v);
  });
  if (length && count != *length) entry.fail(fmt::format("{} elements, expected {}", count, *length));
  return out;
}

std::vector<double> LightGbmSection::doubles(std::string_view key, std::size_t length) const {
  if (length == 0 && find(key) == nullptr) return {};
  const LightGbmLine &entry = at(key);
  std::vector<double> out;
  out.reserve(length);
  const std::size_t count = for_each_word(entry.value, [&](std::string_view word, std::size_t i) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec != std::errc() || ptr != word.data() + word.size())
      entry.fail(fmt::format("element {}: expected a number, got \"{}\"", i, preview(word)));
    if (i < length) out.push_back(v);
  });
  if (count != length) entry.fail(fmt::format("{} elements, expected {}", count, length));
  return out;
}

LightGbmSections split_lightgbm_sections(std::string_view text, const std::string &origin) {
  LightGbmSections out;
  out.header = {&origin, "header", 1, {}};
  LightGbmSection *current = nullptr;
  bool ended = false;
  std::size_t number = 0;
  while (!text.empty() && !ended) {
    const auto eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (number == 1) {
      if (line != "tree")
        throw Error(ErrorCode::invalid_model, fmt::format("{}:1: expected \"tree\", not a LightGBM text model", origin));
      current = &out.header;
      continue;
    }
    if (line.empty()) continue;
    if (line == "end of trees") {
      ended = true;
      continue;
    }
    if (line.starts_with("Tree=")) {
      const std::string expected = fmt::format("Tree={}", out.trees.size());
      if (line != expected)
        throw Error(ErrorCode::invalid_model,
                    fmt::format("{}:{}: \"{}\" out of order, expected \"{}\"", origin, number, preview(line), expected));
      out.trees.push_back({&origin, line, number, {}});
      current = &out.trees.back();
      continue;
    }
    const auto equals = line.find('=');
    const std::string_view key = line.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? std::string_view() : line.substr(equals + 1);
    if (key.empty()) throw Error(ErrorCode::invalid_model, fmt::format("{}:{}: a line without a key", origin, number));
    if (const LightGbmLine *previous = current->find(key))
      throw Error(ErrorCode::invalid_model, fmt::format("{}:{}: {}: \"{}\" repeats line {}", origin, number,
                                                        current->name, preview(key), previous->line));
    current->lines.push_back({&origin, current->name, number, key, value});
  }
  if (number == 0) throw Error(ErrorCode::invalid_model, fmt::format("{}: empty model", origin));
  if (!ended)
    throw Error(ErrorCode::invalid_model, fmt::format("{}:{}: truncated: no \"end of trees\" line", origin, number));
  return out;
}

}  // namespace riskkit::detail
