#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "riskkit/engine/bundle.hpp"
#include "riskkit/error.hpp"

namespace riskkit::cli {
namespace {

// Creates `path` holding `text`, readable by `permissions` only; never overwrites a key.
void write_new(const std::string &path, const std::string &text, std::filesystem::perms permissions) {
  if (std::filesystem::exists(path))
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: exists; riskkit keygen never overwrites a key", path));
  {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw Error(ErrorCode::io, fmt::format("{}: cannot create", path));
    std::filesystem::permissions(path, permissions);  // before the secret is written
    out << text;
    if (!out.flush()) throw Error(ErrorCode::io, fmt::format("{}: cannot write", path));
  }
}

}  // namespace

int run_keygen(const KeygenArgs &args) {
  using std::filesystem::perms;
  const SigningKeyPair pair = generate_signing_key();
  write_new(args.private_key, pair.private_key, perms::owner_read | perms::owner_write);
  write_new(args.public_key, pair.public_key, perms::owner_read | perms::owner_write | perms::group_read |
                                                  perms::others_read);
  std::cout << fmt::format("wrote {} (Ed25519 private key: riskkit sign --key-file) and {} (public key: "
                           "RISKKIT_BUNDLE_PUBLIC_KEY_FILE)\n",
                           args.private_key, args.public_key);
  return 0;
}

}  // namespace riskkit::cli
