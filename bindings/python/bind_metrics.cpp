/// \file
/// riskkit._core metrics: AUC, Gini, KS, PSI/CSI, score bands and decision rates over numpy
/// float64 arrays (read in place, computed without the GIL).

#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riskkit/metrics/metrics.hpp"
#include "riskkit/metrics/monitoring.hpp"

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

py::list psi_rows(const metrics::PsiResult &r) {
  py::list rows;
  for (const auto &b : r.bins)
    rows.append(py::dict(py::arg("bin") = b.label, py::arg("expected_count") = b.expected_count,
                         py::arg("actual_count") = b.actual_count, py::arg("expected_share") = b.expected_share,
                         py::arg("actual_share") = b.actual_share, py::arg("contribution") = b.contribution));
  return rows;
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
        return py::make_tuple(r.psi, psi_rows(r));
      },
      py::arg("expected"), py::arg("actual"), py::arg("edges"), py::arg("bins"), py::arg("floor"),
      "PSI and its bins (see riskkit.metrics.psi).");
  metrics.def(
      "csi",
      [](const Column &expected, const Column &actual, const Column &edges, const Column &special, double floor) {
        const auto e = span_of(expected), a = span_of(actual), cuts = span_of(edges), sv = span_of(special);
        metrics::PsiResult r;
        {
          py::gil_scoped_release release;
          r = metrics::csi(e, a, cuts, sv, floor);
        }
        return py::make_tuple(r.psi, psi_rows(r));
      },
      py::arg("expected"), py::arg("actual"), py::arg("edges"), py::arg("special"), py::arg("floor"),
      "CSI over training bins (see riskkit.metrics.csi).");
  metrics.def(
      "score_bands",
      [](const Column &scores, const Column &labels, const Column &edges, std::size_t bands) {
        const auto s = span_of(scores), y = span_of(labels), cuts = span_of(edges);
        std::vector<metrics::ScoreBand> r;
        {
          py::gil_scoped_release release;
          r = metrics::score_bands(s, y, cuts, bands);
        }
        py::list rows;
        for (const auto &b : r)
          rows.append(py::dict(py::arg("band") = b.label, py::arg("lower") = b.lower, py::arg("upper") = b.upper,
                               py::arg("count") = b.count, py::arg("bads") = b.bads, py::arg("bad_rate") = b.bad_rate,
                               py::arg("share") = b.share, py::arg("cumulative_share") = b.cumulative_share,
                               py::arg("cumulative_bads") = b.cumulative_bads,
                               py::arg("cumulative_goods") = b.cumulative_goods, py::arg("ks") = b.ks));
        return rows;
      },
      py::arg("scores"), py::arg("labels"), py::arg("edges"), py::arg("bands"),
      "Score-band table rows (see riskkit.metrics.score_bands).");
  metrics.def(
      "decision_rates",
      [](const std::vector<std::string> &outcomes) {
        const metrics::DecisionRates r = metrics::decision_rates(outcomes);
        return py::dict(py::arg("total") = r.total, py::arg("approve") = r.approve, py::arg("review") = r.review,
                        py::arg("decline") = r.decline, py::arg("error") = r.error, py::arg("other") = r.other,
                        py::arg("approve_rate") = r.approve_rate, py::arg("review_rate") = r.review_rate,
                        py::arg("decline_rate") = r.decline_rate, py::arg("error_rate") = r.error_rate,
                        py::arg("automated_rate") = r.automated_rate);
      },
      py::arg("outcomes"), "Outcome counts and rates (see riskkit.metrics.decision_rates).");
}

}  // namespace riskkit::python
