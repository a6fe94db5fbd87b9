#pragma once
// The one try/catch every extern "C" body runs in: no exception crosses the ABI.

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "riskkit/error.hpp"
#include "riskkit/riskkit.h"

namespace riskkit::detail {

/// Sets this thread's rk_last_error() text.
void set_last_error(std::string message);
void clear_last_error();

/// Throws Error(invalid_argument, what) unless `condition` holds (argument checks).
inline void require(bool condition, const char *what) {
  if (!condition) throw Error(ErrorCode::invalid_argument, what);
}

/// Copies `s` into a malloc'd C string the caller frees with rk_string_free.
inline char *to_c_string(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size() + 1);
  return out;
}

/// The rk_status matching an ErrorCode (same numeric values).
inline rk_status status_of(ErrorCode code) { return static_cast<rk_status>(static_cast<int>(code)); }

/// Runs `body` (returning void); maps every exception to a status and a message.
template <class F>
rk_status guarded(F &&body) noexcept {
  try {
    clear_last_error();
    body();
    return RK_OK;
  } catch (const Error &e) {
    set_last_error(e.what());
    return status_of(e.code());
  } catch (const std::bad_alloc &) {
    set_last_error("out of memory");
    return RK_STATUS_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    set_last_error(std::string("internal error: ") + e.what());
    return RK_STATUS_INTERNAL;
  } catch (...) {
    set_last_error("internal error: unknown exception");
    return RK_STATUS_INTERNAL;
  }
}

}  // namespace riskkit::detail
