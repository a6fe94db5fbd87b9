#pragma once
// Principal reasons from a model's contributions.

#include <cstddef>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "riskkit/policy/policy.hpp"

namespace riskkit::detail {

/// Appends, until `reasons` holds `limit` entries, the catalogue reasons of the inputs
/// whose contributions push the score furthest in the adverse direction (`adverse_sign`
/// +1: positive contributions are adverse; -1: negative ones), largest first. Inputs with
/// no adverse contribution give no reason; a code already in `reasons` is not repeated.
/// `contributions` holds one entry per input (the bias excluded).
void add_model_reasons(std::span<const double> contributions, const std::vector<std::string> &inputs, int adverse_sign,
                       const std::unordered_map<std::string, ReasonCode> &catalogue, const std::string &model_name,
                       std::size_t limit, std::vector<Reason> &reasons);

}  // namespace riskkit::detail
