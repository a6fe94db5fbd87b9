// Drives a libFuzzer target without libFuzzer: runs every file of a seed corpus, then
// `iterations` deterministic mutations of them (byte flips, truncations, splices,
// duplications). This is the short form ctest runs; scripts/fuzz.sh runs real libFuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

void read_corpus(const std::filesystem::path &dir, std::vector<std::string> &seeds) {
  if (!std::filesystem::is_directory(dir)) return;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
}

std::string mutate(const std::vector<std::string> &seeds, std::mt19937_64 &rng) {
  std::string s = seeds[rng() % seeds.size()];
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    const std::size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 6) {
      case 0: if (!s.empty()) s[pos] = static_cast<char>(rng()); break;
      case 1: s.resize(pos); break;
      case 2: s.insert(pos, 1, static_cast<char>(rng())); break;
      case 3: { const auto &o = seeds[rng() % seeds.size()]; s.insert(pos, o.substr(0, rng() % (o.size() + 1))); break; }
      case 4: if (!s.empty()) s.erase(pos, 1 + rng() % 4); break;
      default: s.insert(pos, s.substr(pos, rng() % 16)); break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS [MORE_SEED_DIRS...]]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> seeds;
  read_corpus(argv[1], seeds);
  for (int i = 3; i < argc; ++i) read_corpus(argv[i], seeds);
  if (seeds.empty()) seeds.emplace_back();
  const long iterations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1000;
  for (const auto &s : seeds) LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(s.data()), s.size());
  std::mt19937_64 rng(20261125);
  for (long i = 0; i < iterations; ++i) {
    const std::string s = mutate(seeds, rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(s.data()), s.size());
  }
  std::printf("%zu seeds, %ld mutations: no crash\n", seeds.size(), iterations);
  return 0;
}
