#include "models/model_document.hpp"

#include <fmt/format.h>

#include "models/ubjson_pull_reader.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

ModelFormat sniff_model_format(std::string_view bytes, const std::string &origin) {
  std::size_t i = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte-order mark before JSON
  while (i < bytes.size() && is_blank(bytes[i])) ++i;
  if (i >= bytes.size()) throw Error(ErrorCode::parse, fmt::format("{}: empty model file", origin));
  if (bytes[i] != '{')
    throw Error(ErrorCode::parse, fmt::format("{}: not a JSON or UBJSON model (first byte 0x{:02x})", origin,
                                              static_cast<unsigned char>(bytes[i])));
  if (i + 1 >= bytes.size()) throw Error(ErrorCode::parse, fmt::format("{}: truncated model file", origin));
  const char after = bytes[i + 1];
  return (is_blank(after) || after == '"' || after == '}') ? ModelFormat::json : ModelFormat::ubjson;
}

Json parse_model_document(std::string_view bytes, const std::string &origin) {
  if (bytes.size() > kMaxModelBytes)
    throw Error(ErrorCode::limit_exceeded,
                fmt::format("{}: {} bytes exceeds the limit of {} bytes", origin, bytes.size(), kMaxModelBytes));
  if (sniff_model_format(bytes, origin) == ModelFormat::json)
    return parse_json(bytes, origin, JsonLimits{kMaxModelDepth, kMaxModelBytes});
  UbjsonPullReader scan(bytes, origin, ModelLimits{});
  scan.skip();
  scan.finish();
  try {
    return Json::from_ubjson(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception &e) {
    throw Error(ErrorCode::parse, fmt::format("{}: UBJSON: {}", origin, e.what()));
  }
}

}  // namespace riskkit::detail
