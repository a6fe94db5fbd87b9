#pragma once
// Helpers shared by the engine tests: private bundle copies with JSON edits, records.

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "riskkit/riskkit.hpp"

namespace rk_test {

namespace fs = std::filesystem;

inline const char *kTestKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

inline std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A private copy of a bundle directory whose bundle.json a test may edit; removed at the end.
struct BundleCopy {
  fs::path dir;
  explicit BundleCopy(const std::string &source, const std::string &tag = "copy") {
    dir = fs::temp_directory_path() / ("riskkit_" + tag + "_" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    fs::copy(source, dir, fs::copy_options::recursive);
  }
  ~BundleCopy() { fs::remove_all(dir); }
  BundleCopy(const BundleCopy &) = delete;
  BundleCopy &operator=(const BundleCopy &) = delete;
  void edit(const std::function<void(nlohmann::ordered_json &)> &change) const {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(std::ifstream(dir / "bundle.json"));
    change(j);
    std::ofstream(dir / "bundle.json", std::ios::binary | std::ios::trunc) << j.dump(2);
  }
  /// Replaces the first `from` in bundle.json's text with `to` (for edits JSON cannot express).
  void replace(const std::string &from, const std::string &to) const {
    std::string text = slurp(dir / "bundle.json");
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    std::ofstream(dir / "bundle.json", std::ios::binary | std::ios::trunc) << text.replace(at, from.size(), to);
  }
  std::string path() const { return dir.string(); }
  std::string load_error() const {
    try {
      riskkit::Bundle::load(dir.string());
    } catch (const riskkit::Error &e) {
      return e.what();
    }
    return "";
  }
};

/// A temporary file path, removed at the end.
struct TempFile {
  fs::path path;
  explicit TempFile(const std::string &tag) {
    path = fs::temp_directory_path() / ("riskkit_" + tag + "_" + std::to_string(std::random_device{}()));
  }
  ~TempFile() { fs::remove(path); }
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;
};

inline riskkit::EngineOptions keyed() {
  riskkit::EngineOptions o;
  o.pseudonym_key = riskkit::privacy::PseudonymKey::from_text(kTestKey);
  return o;
}

}  // namespace rk_test
