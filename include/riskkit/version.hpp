#pragma once
/// \file
/// riskkit's version, as macros (compile time) and as a function (run time).
/// CMake reads RK_VERSION_MAJOR/MINOR/PATCH from this file; it is the one place the
/// version is written.

#define RK_VERSION_MAJOR 0
#define RK_VERSION_MINOR 1
#define RK_VERSION_PATCH 0

#include "riskkit/export.hpp"

namespace riskkit {
/// The library's version as "MAJOR.MINOR.PATCH", from the loaded shared library (which
/// may differ from the headers the caller compiled against).
RK_API const char *version() noexcept;
}  // namespace riskkit
