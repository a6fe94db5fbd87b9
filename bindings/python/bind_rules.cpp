/// \file
/// riskkit._core.rules: back-testing a bundle's rules on labelled history, behind
/// riskkit/rules.py. Records arrive as a list of dicts of None, bool, int, float and str
/// (rules.py normalizes DataFrame cells); labels as a uint8 array of 0/1. The back-test
/// itself runs with the GIL released, on all cores.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riskkit/engine/backtest.hpp"
#include "riskkit/engine/engine.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

Value cell_value(py::handle v, const std::string &field) {
  if (v.is_none()) return Value();
  if (PyBool_Check(v.ptr())) return Value::boolean(v.cast<bool>());
  if (PyLong_Check(v.ptr()) || PyFloat_Check(v.ptr())) return Value::number(v.cast<double>());
  if (PyUnicode_Check(v.ptr())) return Value::string(v.cast<std::string>());
  throw Error(ErrorCode::invalid_record,
              "field '" + field + "': unsupported value of type '" + std::string(py::str(v.get_type().attr("__name__"))) +
                  "' (expected None, bool, int, float or str)");
}

std::vector<Record> records_of(const py::list &rows) {
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const py::handle row : rows) {
    Record r;
    for (const auto &[key, value] : row.cast<py::dict>()) {
      std::string name = key.cast<std::string>();
      Value v = cell_value(value, name);
      r.set(std::move(name), std::move(v));
    }
    out.push_back(std::move(r));
  }
  return out;
}

py::dict report_dict(const BacktestReport &r) {
  py::list rules;
  for (const RuleBacktest &b : r.rules)
    rules.append(py::dict(py::arg("rule_id") = b.rule_id, py::arg("action") = to_string(b.action),
                          py::arg("mode") = to_string(b.mode), py::arg("tags") = b.tags, py::arg("hits") = b.hits,
                          py::arg("hit_rate") = b.hit_rate, py::arg("bad_hits") = b.bad_hits,
                          py::arg("bad_rate") = b.bad_rate, py::arg("recall") = b.recall, py::arg("lift") = b.lift));
  const std::size_t n = r.rules.size();
  py::array_t<std::uint64_t> overlap({n, n});
  auto o = overlap.mutable_unchecked<2>();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) o(i, j) = r.both(i, j);
  return py::dict(py::arg("rows") = r.rows, py::arg("bads") = r.bads, py::arg("rejected") = r.rejected,
                  py::arg("bad_rate") = r.bad_rate, py::arg("rules") = rules, py::arg("overlap") = overlap);
}

py::dict backtest(const Engine &engine, const py::list &rows,
                  const py::array_t<std::uint8_t, py::array::c_style> &labels, int nthread) {
  const std::vector<Record> records = records_of(rows);
  if (labels.ndim() != 1)
    throw Error(ErrorCode::invalid_argument, "backtest: labels must be a one-dimensional array of 0/1");
  const std::span<const std::uint8_t> view(labels.data(), static_cast<std::size_t>(labels.size()));
  BacktestReport report;
  {
    const py::gil_scoped_release release;
    report = riskkit::backtest(engine, records, view, nthread);
  }
  return report_dict(report);
}

}  // namespace

void init_rules(py::module_ &m) {
  py::module_ rules = m.def_submodule("rules", "Rule back-testing; use riskkit.rules.");
  rules.def("backtest", &backtest, py::arg("engine"), py::arg("records"), py::arg("labels"), py::kw_only(),
            py::arg("nthread") = 0,
            "Back-tests the engine's enabled rules on records (list of dicts) against labels (uint8 0/1): "
            "a dict with rows, bads, rejected, bad_rate, rules (one dict per rule) and overlap (counts).");
}

}  // namespace riskkit::python
