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

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "wheel_library.hpp"

// The C API functions the benchmarks call; the 1.7.4 header's signatures, unchanged since.
#define RK_XGBOOST_PEER_FUNCTIONS(X)                                                               \
  X(XGBoostVersion)                                                                                \
  X(XGBGetLastError)                                                                               \
  X(XGBoosterCreate)                                                                               \
  X(XGBoosterFree)                                                                                 \
  X(XGBoosterLoadModel)                                                                            \
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

/// Exits with XGBoost's message when a C API call of `xgb` failed.
inline void check(const XgboostPeer &xgb, int status) {
  if (status != 0) {
    std::fprintf(stderr, "XGBoost %s: %s\n", xgb.version.c_str(), xgb.XGBGetLastError());
    std::exit(1);
  }
}

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
  return find_wheel_library(source_dir, "RK_BENCH_XGBOOST_LIB", "xgboost", "libxgboost.so");
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

/// The releases to compare: the linked one, then the current release's wheel library when
/// it is found and opens. Prints one line naming them, or saying why the current-release
/// peer was skipped.
inline std::vector<XgboostPeer> xgboost_peers(const std::filesystem::path &source_dir) {
  std::vector<XgboostPeer> peers{linked_xgboost()};
  const std::string wheel = find_wheel_xgboost(source_dir);
  std::string why = "no xgboost wheel in .venv-bench or .venv (set RK_BENCH_XGBOOST_LIB=<libxgboost.so>)";
  if (auto current = wheel.empty() ? std::nullopt : open_xgboost(wheel, peers[0], why)) {
    peers.push_back(*current);
    std::printf("XGBoost peers: %s (linked), %s (%s)\n", peers[0].version.c_str(), current->version.c_str(),
                wheel.c_str());
  } else {
    std::printf("current-release XGBoost peer skipped: %s; comparing with the linked XGBoost %s only\n", why.c_str(),
                peers[0].version.c_str());
  }
  std::fflush(stdout);
  return peers;
}
