#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/error.hpp"

namespace riskkit::cli {

int run_sign(const SignArgs &args) {
  std::ifstream in(args.key_file, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, fmt::format("{}: cannot open the key file", args.key_file));
  std::string key{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // As RISKKIT_BUNDLE_KEY_FILE is read at load: trailing whitespace (a final newline) is not key.
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  const std::string digest = sign_bundle(args.bundle, key);
  std::cout << fmt::format("{}: wrote bundle.sig (hmac-sha256) over digest {}\n", args.bundle, digest);
  return 0;
}

}  // namespace riskkit::cli
