// Fuzz target: bundle.json. The input becomes the manifest of a copy of the basic test
// bundle (its model and catalogue files stay valid), then the bundle is loaded.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "riskkit/engine/bundle.hpp"
#include "riskkit/error.hpp"

#ifndef RK_SOURCE_DIR
#  define RK_SOURCE_DIR "."
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("riskkit_fuzz_bundle_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::copy(RK_SOURCE_DIR "/tests/data/bundles/basic", d, fs::copy_options::recursive);
    return d;
  }();
  std::ofstream(dir / "bundle.json", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  try {
    riskkit::Bundle::load(dir.string());
  } catch (const riskkit::Error &) {
  }
  return 0;
}
