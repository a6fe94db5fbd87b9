#pragma once
// riskkit's own linear models, stored as JSON documents with a top-level
// "riskkit_model": "logistic" | "scorecard" (format in docs/models.md).

#include <memory>
#include <string>

#include "core/json_parse.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::detail {

/// Reads a logistic-regression document: intercept, named coefficients, per-feature means
/// (the baseline of contributions) and imputation values for missing inputs.
/// Throws Error(invalid_model) naming `origin` and the JSON path.
std::shared_ptr<const Model> read_logistic_model(const Json &doc, const std::string &origin);

/// Reads a scorecard document: intercept points, characteristics with bin edges, points per
/// bin, missing-bin points and expected points, and the PDO / base-odds scaling.
/// Throws Error(invalid_model) naming `origin` and the JSON path.
std::shared_ptr<const Model> read_scorecard_model(const Json &doc, const std::string &origin);

/// Checks the optional "format" member of a riskkit model document (only 1 exists).
void check_riskkit_format(const Json &doc, const std::string &origin);

}  // namespace riskkit::detail
