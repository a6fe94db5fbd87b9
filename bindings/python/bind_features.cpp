/// \file
/// riskkit._core feature functions behind riskkit.features: offline feature generation
/// that replays a history through the same engine path as decide().
///
/// The frame arrives as columns prepared by riskkit/features.py (float64 numbers and
/// bools, int64 microseconds for times, Python objects otherwise); rows become Records with
/// the GIL held, and the replay runs without it.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "riskkit/engine/engine.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

Value object_value(py::handle v, const std::string &column) {
  if (v.is_none()) return Value::missing();
  if (PyBool_Check(v.ptr())) return Value::boolean(v.ptr() == Py_True);
  if (PyUnicode_Check(v.ptr())) return Value::string(v.cast<std::string>());
  if (PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr())) return Value::number(v.cast<double>());
  throw Error(ErrorCode::invalid_record, "column '" + column + "': unsupported value of type '" +
                                             std::string(Py_TYPE(v.ptr())->tp_name) + "'");
}

// columns: (name, kind, data) with kind "number" | "bool" (float64, NaN = missing),
// "time" (int64 microseconds, INT64_MIN = missing) or "object" (a list).
std::vector<Record> records_of(const py::list &columns, std::size_t rows) {
  std::vector<Record> records(rows);
  for (py::handle item : columns) {
    const auto column = item.cast<py::tuple>();
    const std::string name = column[0].cast<std::string>();
    const std::string kind = column[1].cast<std::string>();
    if (kind == "number" || kind == "bool") {
      const auto data = column[2].cast<py::array_t<double, py::array::c_style>>();
      if (static_cast<std::size_t>(data.size()) != rows) throw Error(ErrorCode::invalid_argument, "ragged columns");
      for (std::size_t r = 0; r < rows; ++r) {
        const double x = data.data()[r];
        records[r].set(name, std::isnan(x) ? Value::missing() : kind == "bool" ? Value::boolean(x != 0) : Value::number(x));
      }
    } else if (kind == "time") {
      const auto data = column[2].cast<py::array_t<std::int64_t, py::array::c_style>>();
      if (static_cast<std::size_t>(data.size()) != rows) throw Error(ErrorCode::invalid_argument, "ragged columns");
      for (std::size_t r = 0; r < rows; ++r) {
        const std::int64_t t = data.data()[r];
        records[r].set(name, t == kNoTime ? Value::missing() : Value::timestamp(Timestamp{t}));
      }
    } else {
      const auto data = column[2].cast<py::list>();
      if (data.size() != rows) throw Error(ErrorCode::invalid_argument, "ragged columns");
      for (std::size_t r = 0; r < rows; ++r) records[r].set(name, object_value(data[r], name));
    }
  }
  return records;
}

py::array_t<double> compute(const std::filesystem::path &dir, const py::list &columns, std::size_t rows,
                            const std::optional<std::string> &pseudonym_key, const std::string &country_code) {
  EngineOptions options;  // a fresh in-process velocity store: the replay starts from empty state
  if (pseudonym_key) options.pseudonym_key = privacy::PseudonymKey::from_text(*pseudonym_key);
  options.normalize.default_country_code = country_code;
  const std::vector<Record> records = records_of(columns, rows);
  std::optional<Engine> engine;
  {
    py::gil_scoped_release release;
    engine.emplace(Engine::open(dir.string(), options));
  }
  const std::size_t width = engine->bundle()->feature_names().size();
  py::array_t<double> out({rows, width});
  double *data = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::vector<double> features = engine->features(records[r]);
      std::copy(features.begin(), features.end(), data + r * width);
    }
  }
  return out;
}

py::dict info(const std::filesystem::path &dir) {
  std::shared_ptr<const Bundle> bundle;
  {
    py::gil_scoped_release release;
    bundle = Bundle::load(dir.string());
  }
  py::dict out;
  out["features"] = bundle->feature_names();
  py::object event_time = py::none();
  for (const FieldSpec &f : bundle->schema().fields())
    if (f.role == FieldRole::event_time) event_time = py::str(f.name);
  out["event_time"] = event_time;
  py::dict types;
  for (const FieldSpec &f : bundle->schema().fields()) types[py::str(f.name)] = to_string(f.type);
  out["field_types"] = types;
  return out;
}

}  // namespace

void init_features(py::module_ &m) {
  auto features = m.def_submodule("features", "Offline feature generation (riskkit.features).");
  features.def("compute", &compute, py::arg("bundle_dir"), py::arg("columns"), py::arg("rows"),
               py::arg("pseudonym_key") = py::none(), py::arg("country_code") = "86",
               "Replays `rows` records (given as prepared columns) through a fresh engine and returns "
               "their features, shape (rows, features). Use riskkit.features.compute instead.");
  features.def("info", &info, py::arg("bundle_dir"),
               "{'features': names, 'event_time': field or None, 'field_types': {field: type}} of a bundle.");
}

}  // namespace riskkit::python
