// Finds a peer's shared library inside its PyPI wheel, as installed in the project's venvs.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

/// The library named by the environment variable `env_var` when set; else
/// `<venv>/lib/python3*/site-packages/<package>/lib/<library>` in the project's .venv-bench,
/// then .venv, under `source_dir`. Empty when none is found.
/// Example: find_wheel_library(RK_SOURCE_DIR, "RK_LIGHTGBM_LIB", "lightgbm", "lib_lightgbm.so").
inline std::string find_wheel_library(const std::filesystem::path &source_dir, const char *env_var,
                                      const char *package, const char *library) {
  if (const char *path = std::getenv(env_var)) return path;
  for (const char *venv : {".venv-bench", ".venv"}) {
    std::error_code ec;
    for (const auto &python : std::filesystem::directory_iterator(source_dir / venv / "lib", ec)) {
      const auto lib = python.path() / "site-packages" / package / "lib" / library;
      if (python.path().filename().string().rfind("python3", 0) == 0 && std::filesystem::exists(lib))
        return lib.string();
    }
  }
  return {};
}
