#pragma once
/// \file
/// What the files of the riskkit._core module share: one init function per area, called
/// by module.cpp, and the Python exception type riskkit.RiskkitError.

#include <string>

#include <pybind11/pybind11.h>

#include "riskkit/error.hpp"

namespace riskkit::python {

/// Adds RiskkitError to `m` and translates every riskkit::Error escaping a binding into it.
void init_errors(pybind11::module_ &m);
/// Adds Model (load, predict, contributions).
void init_models(pybind11::module_ &m);
/// Adds Engine and Decision.
void init_engine(pybind11::module_ &m);
/// Adds the metrics submodule (auc, gini, ks, psi, csi, score_bands, decision_rates).
void init_metrics(pybind11::module_ &m);
/// Adds the scorecard submodule (binning, logistic fit, points; riskkit/scorecard.py wraps it).
void init_scorecard(pybind11::module_ &m);
/// Adds the features submodule (offline feature generation; riskkit/features.py wraps it).
void init_features(pybind11::module_ &m);
/// Adds the privacy submodule (pseudonymize, normalize, mask; riskkit/privacy.py wraps it).
void init_privacy(pybind11::module_ &m);
/// Adds the rules submodule (back-testing; riskkit/rules.py wraps it).
void init_rules(pybind11::module_ &m);

/// A new RiskkitError instance (not raised) with `.code` set to the code's stable name,
/// e.g. "invalid_record". Requires the GIL and init_errors() to have run.
pybind11::object make_error(ErrorCode code, const std::string &message);

}  // namespace riskkit::python
