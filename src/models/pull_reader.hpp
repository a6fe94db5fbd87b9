#pragma once
// What the streaming model readers (JsonPullReader, UbjsonPullReader) share: the limits
// they enforce, the JSON pointer of the value under the cursor, error formatting, and the
// typed reads (a finite float32, an integer in range, ...) built on each reader's scalar().
//
// A pull reader walks a document without building it: the caller asks for what it expects
// next (enter_object / next_member, enter_array / next_element, a scalar) and skips the
// rest. Both readers have the same member functions, so the XGBoost walker is one template.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/error.hpp"

namespace riskkit::detail {

/// Largest model file accepted.
inline constexpr std::size_t kMaxModelBytes = std::size_t{1} << 30;
/// Deepest nesting of arrays and objects accepted in a model document.
inline constexpr std::size_t kMaxModelDepth = 64;
/// Deepest tree accepted (root-to-leaf edges). Bounds TreeSHAP's recursion and scratch.
inline constexpr std::size_t kMaxTreeDepth = 256;

/// Bounds on a model document and the trees in it. The defaults are what load_model()
/// applies; tests lower them to check each limit at N and N + 1.
struct ModelLimits {
  std::size_t max_bytes = kMaxModelBytes;                 ///< file size
  std::size_t max_nesting = kMaxModelDepth;               ///< arrays and objects inside each other
  std::size_t max_array_length = std::size_t{1} << 28;    ///< elements of any one array
  std::size_t max_trees = std::size_t{1} << 20;           ///< trees in one model
  std::size_t max_nodes = std::size_t{1} << 24;           ///< nodes in one tree
  std::size_t max_depth = kMaxTreeDepth;                  ///< root-to-leaf edges in one tree
  std::size_t max_features = (std::size_t{1} << 28) - 1;  ///< num_feature (TreeNode::kFeatureMask)
  std::size_t max_classes = std::size_t{1} << 16;         ///< num_class
};

/// One scalar as a reader decoded it. Numbers keep their exact source form: JSON numbers
/// and numeric strings as text (parsed once into the type the caller asks for, as XGBoost
/// parses them), UBJSON numbers as the integer or float they were stored as.
struct Scalar {
  enum class Form : unsigned char { null, boolean, integer, float32, float64, text_number, string };
  Form form = Form::null;
  bool boolean = false;
  std::int64_t integer = 0;  ///< Form::integer (UBJSON uint64 beyond int64 saturates)
  float float32 = 0;         ///< Form::float32 (UBJSON 'd')
  double float64 = 0;        ///< Form::float64 (UBJSON 'D')
  std::string_view text;     ///< Form::text_number and Form::string; valid until the next read
};

/// "origin: pointer: message" as Error(code): the form of errors found after the value was
/// read (a cycle in a tree, a length that disagrees), which have a path but no position.
[[noreturn]] void throw_model_error(ErrorCode code, const std::string &origin, const std::string &pointer,
                                    std::string_view message);

/// A short rendering of a scalar for messages: strings quoted and cut to 40 characters.
std::string preview(const Scalar &value);

/// The JSON pointer of the cursor: one frame per open array or object.
class PointerStack {
 public:
  void push_object() { frames_.push_back({std::string(), kNoIndex, true}); }
  void push_array() { frames_.push_back({std::string(), kNoIndex, false}); }
  void pop() { frames_.pop_back(); }
  std::size_t depth() const noexcept { return frames_.size(); }
  /// Sets the key of the innermost object.
  void set_key(std::string_view key) {
    frames_.back().key.assign(key.data(), key.size());
    frames_.back().index = 0;
  }
  /// Moves the innermost array to its next element; returns the new index.
  std::size_t advance() { return ++frames_.back().index; }
  /// Whether the innermost container has not reached its first element yet.
  bool before_first() const { return frames_.back().index == kNoIndex; }
  const std::string &key() const { return frames_.back().key; }
  /// e.g. "/learner/gradient_booster/model/trees/3"; "" at the root.
  std::string pointer() const;

 private:
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  struct Frame {
    std::string key;
    std::size_t index;  // of the current element (0 in objects once a key is read); kNoIndex before
    bool object;
  };
  std::vector<Frame> frames_;
};

// Typed reads over any pull reader `R` (scalar(), fail()). Each consumes one value and
// accepts a number or a string holding one, as XGBoost stores parameters as text.

/// A finite number in double precision.
template <typename R>
double read_double(R &reader);
/// A number in float32, rounded once from its source as XGBoost's reader does; finite
/// unless `allow_non_finite` (a finite source beyond float32 is refused either way).
template <typename R>
float read_float(R &reader, bool allow_non_finite = false);
/// An integer in [min, max].
template <typename R>
std::int64_t read_integer(R &reader, std::int64_t min, std::int64_t max);
/// true/false, or 0/1 (XGBoost's default_left in some versions).
template <typename R>
bool read_boolean(R &reader);
/// A string.
template <typename R>
std::string read_string(R &reader);

namespace pull_detail {
enum class NumberStatus { ok, not_a_number, out_of_range };
NumberStatus parse_text(std::string_view text, double &out);
NumberStatus parse_text(std::string_view text, float &out);
NumberStatus parse_text(std::string_view text, std::int64_t &out);
}  // namespace pull_detail

template <typename R>
double read_double(R &reader) {
  const Scalar s = reader.scalar();
  double v = 0;
  switch (s.form) {
    case Scalar::Form::integer: return static_cast<double>(s.integer);
    case Scalar::Form::float32: v = s.float32; break;
    case Scalar::Form::float64: v = s.float64; break;
    case Scalar::Form::text_number:
    case Scalar::Form::string: {
      const auto status = pull_detail::parse_text(s.text, v);
      if (status == pull_detail::NumberStatus::out_of_range) v = HUGE_VAL;  // reported below
      if (status != pull_detail::NumberStatus::not_a_number) break;
      [[fallthrough]];
    }
    default: reader.fail(ErrorCode::invalid_model, "expected a number, got " + preview(s));
  }
  if (!(v - v == 0)) reader.fail(ErrorCode::invalid_model, "expected a finite number, got " + preview(s));
  return v;
}

template <typename R>
float read_float(R &reader, bool allow_non_finite) {
  const Scalar s = reader.scalar();
  float v = 0;
  switch (s.form) {
    case Scalar::Form::integer: return static_cast<float>(s.integer);
    case Scalar::Form::float32: v = s.float32; break;
    case Scalar::Form::float64: v = static_cast<float>(s.float64); break;
    case Scalar::Form::text_number:
    case Scalar::Form::string: {
      const auto status = pull_detail::parse_text(s.text, v);
      if (status == pull_detail::NumberStatus::out_of_range)
        reader.fail(ErrorCode::invalid_model, preview(s) + " overflows float32");
      if (status == pull_detail::NumberStatus::ok) break;
      [[fallthrough]];
    }
    default: reader.fail(ErrorCode::invalid_model, "expected a number, got " + preview(s));
  }
  if (!(v - v == 0)) {
    const bool source_finite = s.form == Scalar::Form::float64 && s.float64 - s.float64 == 0;
    if (source_finite) reader.fail(ErrorCode::invalid_model, preview(s) + " overflows float32");
    if (!allow_non_finite) reader.fail(ErrorCode::invalid_model, "expected a finite number, got " + preview(s));
  }
  return v;
}

template <typename R>
std::int64_t read_integer(R &reader, std::int64_t min, std::int64_t max) {
  const Scalar s = reader.scalar();
  std::int64_t v = 0;
  if (s.form == Scalar::Form::integer) {
    v = s.integer;
  } else if (s.form != Scalar::Form::text_number && s.form != Scalar::Form::string) {
    reader.fail(ErrorCode::invalid_model, "expected an integer, got " + preview(s));
  } else if (const auto status = pull_detail::parse_text(s.text, v); status != pull_detail::NumberStatus::ok) {
    reader.fail(ErrorCode::invalid_model, status == pull_detail::NumberStatus::out_of_range
                                              ? preview(s) + " out of range"
                                              : "expected an integer, got " + preview(s));
  }
  if (v < min || v > max)
    reader.fail(ErrorCode::invalid_model, std::to_string(v) + " out of range [" + std::to_string(min) + ", " +
                                              std::to_string(max) + "]");
  return v;
}

template <typename R>
bool read_boolean(R &reader) {
  const Scalar s = reader.scalar();
  if (s.form == Scalar::Form::boolean) return s.boolean;
  if (s.form == Scalar::Form::integer && (s.integer == 0 || s.integer == 1)) return s.integer == 1;
  if (s.form == Scalar::Form::text_number && (s.text == "0" || s.text == "1")) return s.text == "1";
  reader.fail(ErrorCode::invalid_model, "expected a boolean, got " + preview(s));
}

template <typename R>
std::string read_string(R &reader) {
  const Scalar s = reader.scalar();
  if (s.form != Scalar::Form::string) reader.fail(ErrorCode::invalid_model, "expected a string, got " + preview(s));
  return std::string(s.text);
}

}  // namespace riskkit::detail
