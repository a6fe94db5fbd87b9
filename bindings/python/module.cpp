/// \file
/// riskkit._core: the compiled half of the `riskkit` Python package. Each area binds
/// itself in its own bind_<area>.cpp; the pure-Python layer lives in riskkit/.

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "riskkit/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "riskkit's compiled core; import riskkit instead of this module.";
  m.def("version", &riskkit::version, "The version of the loaded riskkit library, \"MAJOR.MINOR.PATCH\".");
  riskkit::python::init_errors(m);
  riskkit::python::init_models(m);
  riskkit::python::init_engine(m);
  riskkit::python::init_metrics(m);
  riskkit::python::init_scorecard(m);
  riskkit::python::init_features(m);
  riskkit::python::init_privacy(m);
  riskkit::python::init_rules(m);
}
