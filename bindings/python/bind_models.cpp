/// \file
/// riskkit._core.Model: a loaded model scoring numpy arrays.
///
/// X must already be a C-contiguous float32 array (1-D = one row, 2-D = rows): the
/// binding reads it in place and never converts (no forcecast, noconvert), so the only
/// copy a caller can pay for is the explicit one the pure-Python layer makes
/// (riskkit/_model.py). Outputs are allocated with the GIL held; the compute runs
/// without it, so Python threads score concurrently.

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "riskkit/models/model.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

using Rows = py::array_t<float, py::array::c_style>;

struct RowShape {
  std::size_t nrow = 0;
  std::size_t ncol = 0;
};

RowShape shape_of(const Rows &x) {
  if (x.ndim() == 1) return {1, static_cast<std::size_t>(x.shape(0))};
  if (x.ndim() == 2) return {static_cast<std::size_t>(x.shape(0)), static_cast<std::size_t>(x.shape(1))};
  throw Error(ErrorCode::invalid_argument,
              "X must be 1-D (one row) or 2-D (rows x features), got " + std::to_string(x.ndim()) + " dimensions");
}

PredictOptions options_of(const std::string &output, float missing, int nthread) {
  PredictOptions options;
  if (output == "margin") {
    options.output = PredictOutput::margin;
  } else if (output != "value") {
    throw Error(ErrorCode::invalid_argument, "output must be \"value\" or \"margin\", got \"" + output + "\"");
  }
  options.missing = missing;
  options.nthread = nthread;
  return options;
}

ModelBackend backend_of(const std::string &name) {
  if (name == "native") return ModelBackend::native;
  if (name == "xgboost" || name == "xgboost_c_api") return ModelBackend::xgboost_c_api;
  throw Error(ErrorCode::invalid_argument, "backend must be \"native\" or \"xgboost\", got \"" + name + "\"");
}

std::shared_ptr<Model> open_model(const std::filesystem::path &path, const std::string &backend) {
  ModelLoadOptions options;
  options.backend = backend_of(backend);
  py::gil_scoped_release release;
  return std::const_pointer_cast<Model>(load_model(path.string(), options));
}

py::ssize_t dim(std::size_t n) { return static_cast<py::ssize_t>(n); }

py::array_t<double> predict(const Model &model, const Rows &x, const std::string &output, float missing, int nthread) {
  const RowShape s = shape_of(x);
  const PredictOptions options = options_of(output, missing, nthread);
  const std::size_t k = model.num_outputs();
  py::array_t<double> out(k == 1 ? std::vector<py::ssize_t>{dim(s.nrow)} : std::vector<py::ssize_t>{dim(s.nrow), dim(k)});
  double *dst = out.mutable_data();
  const float *src = x.data();
  {
    py::gil_scoped_release release;
    model.predict(src, s.nrow, s.ncol, options, dst);
  }
  return out;
}

py::array_t<double> contributions(const Model &model, const Rows &x, float missing, int nthread) {
  const RowShape s = shape_of(x);
  const PredictOptions options = options_of("margin", missing, nthread);
  const std::size_t k = model.num_outputs();
  const std::size_t width = model.num_features() + 1;
  py::array_t<double> out(k == 1 ? std::vector<py::ssize_t>{dim(s.nrow), dim(width)}
                                 : std::vector<py::ssize_t>{dim(s.nrow), dim(k), dim(width)});
  double *dst = out.mutable_data();
  const float *src = x.data();
  {
    py::gil_scoped_release release;
    model.contributions(src, s.nrow, s.ncol, options, dst);
  }
  return out;
}

std::string repr(const Model &model) {
  return "<riskkit.Model kind='" + std::string(model.kind()) + "' num_features=" + std::to_string(model.num_features()) +
         " num_outputs=" + std::to_string(model.num_outputs()) + ">";
}

}  // namespace

void init_models(py::module_ &m) {
  py::class_<Model, std::shared_ptr<Model>>(m, "Model", R"doc(
A loaded, immutable model (XGBoost JSON/UBJSON tree ensemble, logistic regression or
scorecard). Thread-safe: one Model may score from many threads at once.

This is the strict core: X must be a C-contiguous float32 numpy array. Use
riskkit.load_model / riskkit.Model, which accept any array-like or DataFrame.
)doc")
      .def(py::init(&open_model), py::arg("path"), py::kw_only(), py::arg("backend") = "native",
           "Loads a model file; backend \"native\" (riskkit's evaluator) or \"xgboost\" (the XGBoost C API).")
      .def_property_readonly("kind", [](const Model &model) { return std::string(model.kind()); },
                             "\"xgboost\", \"logistic\", \"scorecard\" or \"xgboost-capi\".")
      .def_property_readonly("num_features", &Model::num_features, "Number of input columns each row must have.")
      .def_property_readonly("num_outputs", &Model::num_outputs, "Outputs per row: 1, or the number of classes.")
      .def_property_readonly("feature_names", &Model::feature_names,
                             "Input names stored in the model file ([] when it has none).")
      .def("predict", &predict, py::arg("X").noconvert(), py::kw_only(), py::arg("output") = "value",
           py::arg("missing") = std::nanf(""), py::arg("nthread") = 0,
           "Scores C-contiguous float32 rows: shape (n,) for one output, (n, k) for k.")
      .def("contributions", &contributions, py::arg("X").noconvert(), py::kw_only(),
           py::arg("missing") = std::nanf(""), py::arg("nthread") = 0,
           "Per-feature contributions to the margin, bias last: (n, f+1) or (n, k, f+1).")
      .def("__repr__", &repr);
  m.def("tree_kernel", &riskkit::tree_kernel,
        "The kernel this process walks trees with: \"avx512\", \"avx2\" or \"portable\" (the fastest the CPU runs, "
        "unless RISKKIT_TREE_KERNEL caps it). Every kernel gives the same results.");
}

}  // namespace riskkit::python
