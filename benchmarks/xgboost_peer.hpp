// XGBoost's C API as a table of function pointers, so one benchmark can time two XGBoost
// releases in the same process: the library linked at build time (Debian's 1.7.4) and the
// current release's libxgboost.so from the PyPI wheel, opened with dlopen.
//
// The wheel's library exports the same C API names as the linked one and calls some of
// them itself through its PLT (XGBGetLastError, XGProxyDMatrixSetDataCSR, ...), as well as
// hundreds of std:: template instances; opened plainly, those calls would bind to the
// 1.7.4 already in the process. It is therefore opened RTLD_LOCAL | RTLD_DEEPBIND (its own
// definitions first, and none of them visible to the rest of the process), and a peer is
// only accepted when XGBoostVersion, called through the table, reports a version other
// than the linked one's. Its xgboost:: and dmlc:: internals are hidden, so no registry
// is shared; it brings its own libgomp.
#pragma once

#include <dlfcn.h>
#include <xgboost/c_api.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

// The C API functions the benchmarks call; the 1.7.4 header's signatures, unchanged since.
#define RK_XGBOOST_PEER_FUNCTIONS(X)                                                               \
  X(XGBoostVersion)                                                                                \
  X(XGBGetLastError)                                                                               \
  X(XGBoosterCreate)                                                                               \
  X(XGBoosterFree)                                                                                 \
  X(XGBoosterLoadModelFromBuffer)                                                                  \
  X(XGBoosterSetParam)                                                                             \
  X(XGBoosterPredictFromDense)                                                                     \
  X(XGBoosterPredictFromDMatrix)                                                                   \
  X(XGDMatrixCreateFromMat)                                                                        \
  X(XGDMatrixFree)                                                                                 \
  X(XGProxyDMatrixCreate)

/// One XGBoost library: its version and its C API, called as `peer.XGBoosterCreate(...)`.
struct XgboostPeer {
  std::string version;  // "1.7.4"
  int major = 0;
#define RK_XGBOOST_PEER_MEMBER(name) decltype(&::name) name = nullptr;
  RK_XGBOOST_PEER_FUNCTIONS(RK_XGBOOST_PEER_MEMBER)
#undef RK_XGBOOST_PEER_MEMBER

  void read_version() {
    int minor = 0, patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    version = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  }
};

/// The XGBoost linked into this program.
inline XgboostPeer linked_xgboost() {
  XgboostPeer peer;
#define RK_XGBOOST_PEER_LINKED(name) peer.name = &::name;
  RK_XGBOOST_PEER_FUNCTIONS(RK_XGBOOST_PEER_LINKED)
#undef RK_XGBOOST_PEER_LINKED
  peer.read_version();
  return peer;
}

/// The current release's libxgboost.so: $RK_BENCH_XGBOOST_LIB, else the xgboost wheel in
/// the project's .venv-bench, else in its .venv. Empty when none is found.
inline std::string find_wheel_xgboost(const std::filesystem::path &source_dir) {
  if (const char *path = std::getenv("RK_BENCH_XGBOOST_LIB")) return path;
  for (const char *venv : {".venv-bench", ".venv"}) {
    std::error_code ec;
    for (const auto &python : std::filesystem::directory_iterator(source_dir / venv / "lib", ec)) {
      const auto lib = python.path() / "site-packages" / "xgboost" / "lib" / "libxgboost.so";
      if (python.path().filename().string().rfind("python3", 0) == 0 && std::filesystem::exists(lib))
        return lib.string();
    }
  }
  return {};
}

/// Opens the libxgboost.so at `path` beside the linked one (see the top of this file). The
/// library stays open for the life of the process. On failure returns nothing and says
/// why in `why`.
inline std::optional<XgboostPeer> open_xgboost(const std::string &path, const XgboostPeer &linked, std::string &why) {
  void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib == nullptr) {
    why = dlerror();
    return std::nullopt;
  }
  XgboostPeer peer;
#define RK_XGBOOST_PEER_RESOLVE(name)                                        \
  peer.name = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));        \
  if (peer.name == nullptr) {                                                \
    why = path + " has no " #name;                                           \
    return std::nullopt;                                                     \
  }
  RK_XGBOOST_PEER_FUNCTIONS(RK_XGBOOST_PEER_RESOLVE)
#undef RK_XGBOOST_PEER_RESOLVE
  peer.read_version();
  if (peer.version == linked.version) {
    why = path + " reports XGBoost " + peer.version + ", the linked library's version";
    return std::nullopt;
  }
  return peer;
}
