// Names and durations of velocity definitions.
#include "riskkit/features/velocity.hpp"

#include <array>
#include <charconv>

namespace riskkit {
namespace {

constexpr std::array<std::pair<VelocityAggregation, const char *>, 6> kNames{{
    {VelocityAggregation::count, "count"},
    {VelocityAggregation::sum, "sum"},
    {VelocityAggregation::min, "min"},
    {VelocityAggregation::max, "max"},
    {VelocityAggregation::mean, "mean"},
    {VelocityAggregation::distinct_count, "distinct_count"},
}};

}  // namespace

const char *to_string(VelocityAggregation agg) noexcept {
  for (const auto &[a, name] : kNames)
    if (a == agg) return name;
  return "unknown";
}

std::optional<VelocityAggregation> parse_velocity_aggregation(std::string_view name) noexcept {
  for (const auto &[a, n] : kNames)
    if (name == n) return a;
  return std::nullopt;
}

std::optional<std::int64_t> parse_duration(std::string_view text) noexcept {
  if (text == "0") return 0;
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return std::nullopt;
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0 || n > 90 * 86400) return std::nullopt;
  const std::int64_t micros = n * unit * 1000000;
  if (micros > kMaxVelocityWindowMicros) return std::nullopt;
  return micros;
}

}  // namespace riskkit
