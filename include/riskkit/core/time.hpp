#pragma once
/// \file
/// Parsing and formatting of timestamps (ISO-8601 / RFC 3339, UTC or with an offset).

#include <optional>
#include <string>
#include <string_view>

#include "riskkit/core/value.hpp"
#include "riskkit/export.hpp"

namespace riskkit {

/// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)" (a space may replace
/// the 'T'; no zone means UTC). Years 1970-9999. Returns nullopt when the whole text is
/// not such a timestamp.
RK_API std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

/// Formats as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z".
RK_API std::string format_timestamp(Timestamp t);

}  // namespace riskkit
