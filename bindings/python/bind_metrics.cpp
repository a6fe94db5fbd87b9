/// \file
/// riskkit._core metrics: AUC, Gini, KS and PSI over numpy float64 arrays (read in place,
/// computed without the GIL).

#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riskkit/metrics/metrics.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

using Column = py::array_t<double, py::array::c_style>;

std::span<const double> span_of(const Column &x) {
  if (x.ndim() != 1) throw Error(ErrorCode::invalid_argument, "metrics take 1-D arrays");
  return {x.data(), static_cast<std::size_t>(x.shape(0))};
}

template <double (*F)(std::span<const double>, std::span<const double>)>
double ranked(const Column &scores, const Column &labels) {
  const auto s = span_of(scores), y = span_of(labels);
  py::gil_scoped_release release;
  return F(s, y);
}

}  // namespace

void init_metrics(py::module_ &m) {
  auto metrics = m.def_submodule("metrics", "Model-monitoring metrics (labels: 1 = bad, 0 = good).");
  metrics.def("auc", &ranked<metrics::auc>, py::arg("scores"), py::arg("labels"),
              "Area under the ROC curve; tied scores count half; NaN scores are left out.");
  metrics.def("gini", &ranked<metrics::gini>, py::arg("scores"), py::arg("labels"), "2·AUC − 1.");
  metrics.def("ks", &ranked<metrics::ks>, py::arg("scores"), py::arg("labels"),
              "Largest gap between the cumulative score distributions of bads and goods.");
  metrics.def(
      "psi",
      [](const Column &expected, const Column &actual, const Column &edges, std::size_t bins, double floor) {
        const auto e = span_of(expected), a = span_of(actual), cuts = span_of(edges);
        metrics::PsiResult r;
        {
          py::gil_scoped_release release;
          r = metrics::psi(e, a, cuts, bins, floor);
        }
        py::list rows;
        for (const auto &b : r.bins)
          rows.append(py::dict(py::arg("bin") = b.label, py::arg("expected_count") = b.expected_count,
                               py::arg("actual_count") = b.actual_count, py::arg("expected_share") = b.expected_share,
                               py::arg("actual_share") = b.actual_share, py::arg("contribution") = b.contribution));
        return py::make_tuple(r.psi, rows);
      },
      py::arg("expected"), py::arg("actual"), py::arg("edges"), py::arg("bins"), py::arg("floor"),
      "PSI and its bins (see riskkit.metrics.psi).");
}

}  // namespace riskkit::python
