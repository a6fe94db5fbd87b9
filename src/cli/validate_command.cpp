#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "riskkit/engine/bundle.hpp"

namespace riskkit::cli {

int run_validate(const std::string &bundle_dir) {
  const auto bundle = Bundle::load(bundle_dir);  // throws with every problem found
  std::cout << fmt::format("{}: ok: {} {} (stage {}), {} fields, {} features, {} rules, {} models\ndigest {}\n",
                           bundle_dir, bundle->name(), bundle->version(), bundle->stage(), bundle->schema().size(),
                           bundle->feature_names().size(), bundle->rules().rules().size(),
                           bundle->model_names().size(), bundle->digest());
  return 0;
}

}  // namespace riskkit::cli
