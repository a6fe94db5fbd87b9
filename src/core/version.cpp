#include "riskkit/version.hpp"

#define RK_STR2(x) #x
#define RK_STR(x) RK_STR2(x)

namespace riskkit {

const char *version() noexcept {
  return RK_STR(RK_VERSION_MAJOR) "." RK_STR(RK_VERSION_MINOR) "." RK_STR(RK_VERSION_PATCH);
}

}  // namespace riskkit
