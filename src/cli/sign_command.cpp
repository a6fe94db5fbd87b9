#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "riskkit/engine/bundle.hpp"

namespace riskkit::cli {

int run_sign(const SignArgs &args) {
  const std::string digest = sign_bundle(args.bundle, read_signing_key(args.key_file));
  std::cout << fmt::format("{}: wrote bundle.sig (hmac-sha256) over digest {}\n", args.bundle, digest);
  return 0;
}

}  // namespace riskkit::cli
