/// \file
/// riskkit._core.scorecard: binning, the IRLS logistic fit and points scaling over numpy
/// float64 columns (read in place, computed without the GIL). riskkit/scorecard.py wraps it.

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riskkit/scorecard/binning.hpp"
#include "riskkit/scorecard/logistic.hpp"
#include "riskkit/scorecard/scorecard.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

using namespace riskkit::scorecard;
using Column = py::array_t<double, py::array::c_style>;

std::span<const double> span_of(const Column &x) {
  if (x.ndim() != 1) throw Error(ErrorCode::invalid_argument, "scorecard: columns must be 1-D arrays");
  return {x.data(), static_cast<std::size_t>(x.shape(0))};
}

std::vector<std::span<const double>> spans_of(const std::vector<Column> &columns) {
  std::vector<std::span<const double>> out;
  for (const Column &c : columns) out.push_back(span_of(c));
  return out;
}

Monotonic monotonic_of(const std::string &s) {
  if (s == "none") return Monotonic::none;
  if (s == "ascending") return Monotonic::ascending;
  if (s == "descending") return Monotonic::descending;
  if (s == "auto") return Monotonic::automatic;
  throw Error(ErrorCode::invalid_argument, "monotonic must be \"auto\", \"ascending\", \"descending\" or \"none\", not \"" + s + "\"");
}

const char *monotonic_name(Monotonic m) {
  switch (m) {
    case Monotonic::ascending: return "ascending";
    case Monotonic::descending: return "descending";
    case Monotonic::automatic: return "auto";
    case Monotonic::none: break;
  }
  return "none";
}

BinningMethod method_of(const std::string &s) {
  if (s == "quantile") return BinningMethod::quantile;
  if (s == "chimerge") return BinningMethod::chimerge;
  if (s == "fixed") return BinningMethod::fixed;
  throw Error(ErrorCode::invalid_argument, "method must be \"chimerge\", \"quantile\" or \"fixed\", not \"" + s + "\"");
}

const char *kind_name(BinKind k) {
  switch (k) {
    case BinKind::special: return "special";
    case BinKind::missing: return "missing";
    case BinKind::numeric: break;
  }
  return "numeric";
}

py::list bins_of(const Binning &b) {
  py::list rows;
  for (const Bin &bin : b.bins)
    rows.append(py::dict(py::arg("bin") = bin.label(), py::arg("kind") = kind_name(bin.kind),
                         py::arg("lower") = bin.lower, py::arg("upper") = bin.upper, py::arg("value") = bin.value,
                         py::arg("count") = bin.count, py::arg("bads") = bin.bads, py::arg("woe") = bin.woe,
                         py::arg("iv") = bin.iv));
  return rows;
}

// Pickle state: everything a Binning holds, as plain Python values.
py::tuple binning_state(const Binning &b) {
  std::vector<std::tuple<int, double, double, double, std::size_t, std::size_t, double, double>> bins;
  for (const Bin &x : b.bins)
    bins.emplace_back(static_cast<int>(x.kind), x.lower, x.upper, x.value, x.count, x.bads, x.woe, x.iv);
  return py::make_tuple(b.edges, b.special, bins, b.iv, static_cast<int>(b.direction));
}

Binning binning_from_state(const py::tuple &t) {
  if (t.size() != 5) throw Error(ErrorCode::invalid_argument, "Binning: bad pickle state");
  Binning b;
  b.edges = t[0].cast<std::vector<double>>();
  b.special = t[1].cast<std::vector<double>>();
  for (const auto &[kind, lower, upper, value, count, bads, woe, iv] :
       t[2].cast<std::vector<std::tuple<int, double, double, double, std::size_t, std::size_t, double, double>>>())
    b.bins.push_back(Bin{static_cast<BinKind>(kind), lower, upper, value, count, bads, woe, iv});
  b.iv = t[3].cast<double>();
  b.direction = static_cast<Monotonic>(t[4].cast<int>());
  if (b.bins.size() != b.edges.size() + b.special.size() + 2)
    throw Error(ErrorCode::invalid_argument, "Binning: bad pickle state");
  return b;
}

py::array_t<double> transform(const Binning &b, const Column &x) {
  const auto in = span_of(x);
  py::array_t<double> out(static_cast<py::ssize_t>(in.size()));
  std::span<double> o(out.mutable_data(), in.size());
  py::gil_scoped_release release;
  b.transform(in, o);
  return out;
}

py::array_t<std::int64_t> indices(const Binning &b, const Column &x) {
  const auto in = span_of(x);
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(in.size()));
  std::int64_t *o = out.mutable_data();
  py::gil_scoped_release release;
  for (std::size_t i = 0; i < in.size(); ++i) o[i] = static_cast<std::int64_t>(b.bin_index(in[i]));
  return out;
}

py::dict fit_dict(const LogisticFit &f) {
  return py::dict(py::arg("intercept") = f.intercept, py::arg("coefficients") = f.coefficients,
                  py::arg("std_errors") = f.std_errors, py::arg("z_values") = f.z_values,
                  py::arg("p_values") = f.p_values, py::arg("log_likelihood") = f.log_likelihood,
                  py::arg("iterations") = f.iterations, py::arg("converged") = f.converged);
}

}  // namespace

void init_scorecard(py::module_ &m) {
  auto sc = m.def_submodule("scorecard", "Scorecard development: binning, WOE/IV, IRLS logistic fit, points.");

  py::class_<Binning>(sc, "Binning", "A fitted binning (immutable); see riskkit.scorecard.Binning.")
      .def_property_readonly("edges", [](const Binning &b) { return b.edges; })
      .def_property_readonly("special", [](const Binning &b) { return b.special; })
      .def_property_readonly("iv", [](const Binning &b) { return b.iv; })
      .def_property_readonly("direction", [](const Binning &b) { return monotonic_name(b.direction); })
      .def_property_readonly("bins", &bins_of)
      .def("transform", &transform, py::arg("x"), "WOE of each value (float32 binning).")
      .def("indices", &indices, py::arg("x"), "Bin index of each value (numeric, then special, then missing).")
      .def(py::pickle(&binning_state, &binning_from_state));

  sc.def(
      "fit_binnings",
      [](const std::vector<Column> &columns, const Column &y, const std::string &method, std::size_t max_bins,
         std::size_t initial_bins, double min_bin_share, double chi2_threshold, const std::string &monotonic,
         const std::vector<double> &edges, const std::vector<double> &special, double smoothing, int nthread) {
        BinningOptions o;
        o.method = method_of(method);
        o.max_bins = max_bins;
        o.initial_bins = initial_bins;
        o.min_bin_share = min_bin_share;
        o.chi2_threshold = chi2_threshold;
        o.monotonic = monotonic_of(monotonic);
        o.edges = edges;
        o.special = special;
        o.smoothing = smoothing;
        const auto cols = spans_of(columns);
        const auto labels = span_of(y);
        py::gil_scoped_release release;
        return fit_binnings(cols, labels, o, nthread);
      },
      py::arg("columns"), py::arg("y"), py::arg("method"), py::arg("max_bins"), py::arg("initial_bins"),
      py::arg("min_bin_share"), py::arg("chi2_threshold"), py::arg("monotonic"), py::arg("edges"), py::arg("special"),
      py::arg("smoothing"), py::arg("nthread"), "Bins each column against y on threads.");

  sc.def(
      "fit_logistic",
      [](const py::array_t<double, py::array::f_style> &x, const Column &y, double l2, bool fit_intercept,
         int max_iter, double tol, int nthread) {
        if (x.ndim() != 2) throw Error(ErrorCode::invalid_argument, "fit_logistic: X must be 2-D");
        const auto nrow = static_cast<std::size_t>(x.shape(0)), ncol = static_cast<std::size_t>(x.shape(1));
        const std::span<const double> values(x.data(), nrow * ncol);
        const auto labels = span_of(y);
        LogisticOptions o{l2, fit_intercept, max_iter, tol, nthread};
        LogisticFit fit;
        {
          py::gil_scoped_release release;
          fit = fit_logistic(values, nrow, ncol, labels, o);
        }
        return fit_dict(fit);
      },
      py::arg("x"), py::arg("y"), py::arg("l2"), py::arg("fit_intercept"), py::arg("max_iter"), py::arg("tol"),
      py::arg("nthread"), "IRLS logistic regression on a Fortran-ordered float64 matrix.");

  py::class_<Scorecard>(sc, "Scorecard", "A points scorecard (immutable); see riskkit.scorecard.Scorecard.")
      .def(py::init([](const std::vector<std::string> &names, const std::vector<Binning> &binnings, double intercept,
                       const std::vector<double> &coefficients, double base_points, double base_odds, double pdo,
                       bool round_points) {
             LogisticFit fit;
             fit.intercept = intercept;
             fit.coefficients = coefficients;
             return make_scorecard(names, binnings, fit, Scaling{base_points, base_odds, pdo}, round_points);
           }),
           py::arg("names"), py::arg("binnings"), py::arg("intercept"), py::arg("coefficients"),
           py::arg("base_points"), py::arg("base_odds"), py::arg("pdo"), py::arg("round_points"))
      .def_property_readonly("intercept_points", [](const Scorecard &s) { return s.intercept_points; })
      .def_property_readonly("characteristics",
                             [](const Scorecard &s) {
                               py::list out;
                               for (const auto &c : s.characteristics)
                                 out.append(py::dict(py::arg("name") = c.name, py::arg("coefficient") = c.coefficient,
                                                     py::arg("points") = c.points,
                                                     py::arg("expected_points") = c.expected_points,
                                                     py::arg("binning") = c.binning));
                               return out;
                             })
      .def("score",
           [](const Scorecard &s, const std::vector<Column> &columns) {
             const auto cols = spans_of(columns);
             const std::size_t n = cols.empty() ? 0 : cols[0].size();
             py::array_t<double> out(static_cast<py::ssize_t>(n));
             std::span<double> o(out.mutable_data(), n);
             py::gil_scoped_release release;
             s.score(cols, o);
             return out;
           },
           py::arg("columns"), "Total points of each row (columns in characteristic order).")
      .def("probability_of_bad", &Scorecard::probability_of_bad, py::arg("points"))
      .def("to_json", &Scorecard::to_json, "The riskkit scorecard model document.");
}

}  // namespace riskkit::python
