/// \file
/// riskkit.RiskkitError: what every riskkit::Error becomes in Python.

#include <exception>

#include <pybind11/eval.h>
#include <pybind11/gil_safe_call_once.h>

#include "bindings.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

// Defined in Python so that it has a real __init__ (message, code) and pickles with its
// code, which matters when errors cross process boundaries (multiprocessing, Spark, Dask).
constexpr const char *kErrorClass = R"(
class RiskkitError(Exception):
    """A riskkit failure: a bundle, model or record that cannot be used.

    ``code`` is the stable name of the failure: "invalid_argument", "io", "parse",
    "invalid_bundle", "digest_mismatch", "invalid_model", "invalid_record",
    "limit_exceeded" or "internal". ``str(error)`` names the file, JSON path, field or
    line:column where the problem was found.
    """

    def __init__(self, message, code="internal"):
        super().__init__(message)
        self.code = code

    def __reduce__(self):
        return (type(self), (str(self), self.code))

RiskkitError.__module__ = "riskkit"
)";

py::object &error_type() {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
  return storage
      .call_once_and_store_result([] {
        py::dict scope;
        scope["__builtins__"] = py::module_::import("builtins");
        py::exec(kErrorClass, scope);
        return py::object(scope["RiskkitError"]);
      })
      .get_stored();
}

}  // namespace

py::object make_error(ErrorCode code, const std::string &message) { return error_type()(message, to_string(code)); }

void init_errors(py::module_ &m) {
  m.attr("RiskkitError") = error_type();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error &e) {
      const py::object error = make_error(e.code(), e.what());
      PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(error.ptr())), error.ptr());
    }
  });
}

}  // namespace riskkit::python
