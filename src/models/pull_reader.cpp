#include "models/pull_reader.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/json_parse.hpp"

namespace riskkit::detail {

void throw_model_error(ErrorCode code, const std::string &origin, const std::string &pointer,
                       std::string_view message) {
  throw Error(code, fmt::format("{}: {}: {}", origin, pointer.empty() ? "/" : pointer, message));
}

namespace {

// Non-finite numbers spelled as in JSON (NaN, Infinity), so both formats read alike.
template <typename T>
std::string number_text(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", v);
}

}  // namespace

std::string preview(const Scalar &value) {
  switch (value.form) {
    case Scalar::Form::null: return "null";
    case Scalar::Form::boolean: return value.boolean ? "true" : "false";
    case Scalar::Form::integer: return std::to_string(value.integer);
    case Scalar::Form::float32: return number_text(value.float32);
    case Scalar::Form::float64: return number_text(value.float64);
    case Scalar::Form::text_number: break;
    case Scalar::Form::string: {
      std::string out = "\"";
      for (const char c : value.text.substr(0, 37)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') out += fmt::format("\\x{:02x}", u);
        else out += c;
      }
      return out + (value.text.size() > 37 ? "...\"" : "\"");
    }
  }
  return std::string(value.text.substr(0, 40));
}

std::string PointerStack::pointer() const {
  std::string out;
  for (const Frame &f : frames_) {
    if (f.index == kNoIndex) break;  // at the container itself
    out = f.object ? json_path(out, f.key) : json_path(out, f.index);
  }
  return out;
}

namespace pull_detail {
namespace {

// from_chars reports underflow and overflow alike; a negative exponent tells them apart.
bool is_underflow(std::string_view text) {
  const auto e = text.find_first_of("eE");
  return e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
}

template <typename T>
NumberStatus parse_float(std::string_view text, T &out) {
  const char *first = text.data(), *last = text.data() + text.size();
  if (first != last && *first == '+') return NumberStatus::not_a_number;
  const auto [ptr, ec] = std::from_chars(first, last, out);
  if (ptr != last || ec == std::errc::invalid_argument) return NumberStatus::not_a_number;
  if (ec == std::errc::result_out_of_range) {
    if (!is_underflow(text)) return NumberStatus::out_of_range;
    out = text.front() == '-' ? T(-0.0) : T(0.0);
  }
  return NumberStatus::ok;
}

}  // namespace

NumberStatus parse_text(std::string_view text, double &out) { return parse_float(text, out); }

NumberStatus parse_text(std::string_view text, float &out) { return parse_float(text, out); }

NumberStatus parse_text(std::string_view text, std::int64_t &out) {
  const char *last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, out);
  if (ptr != last || ec == std::errc::invalid_argument) return NumberStatus::not_a_number;
  return ec == std::errc::result_out_of_range ? NumberStatus::out_of_range : NumberStatus::ok;
}

}  // namespace pull_detail
}  // namespace riskkit::detail
