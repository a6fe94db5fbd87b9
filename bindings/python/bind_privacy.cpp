/// \file
/// riskkit._core privacy functions behind riskkit.privacy: the engine's pseudonyms and
/// masks for values outside a decision (lists, joins, reports).

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "riskkit/privacy/pii.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

privacy::PiiKind kind_of(const std::string &name) {
  if (const auto k = privacy::parse_pii_kind(name)) return *k;
  throw Error(ErrorCode::invalid_argument, "unknown kind '" + name +
                                               "' (email, phone, id_number, device, customer_id, account, ip)");
}

// None, float NaN and pandas' missing markers stay missing; anything else must be a str.
std::optional<std::string> text_of(py::handle v) {
  if (v.is_none()) return std::nullopt;
  if (PyFloat_Check(v.ptr()) && std::isnan(PyFloat_AsDouble(v.ptr()))) return std::nullopt;
  if (PyUnicode_Check(v.ptr())) return v.cast<std::string>();
  const std::string type = Py_TYPE(v.ptr())->tp_name;
  if (type == "NAType" || type == "NaTType") return std::nullopt;
  throw Error(ErrorCode::invalid_argument, "expected str or a missing value, got '" + type + "'");
}

template <class F>
py::list map_values(const py::iterable &values, F f) {
  std::vector<std::optional<std::string>> in;
  for (py::handle v : values) in.push_back(text_of(v));
  std::vector<std::optional<std::string>> out(in.size());
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!in[i]) continue;
      std::string r = f(*in[i]);
      if (!r.empty()) out[i] = std::move(r);
    }
  }
  py::list result;
  for (auto &o : out) result.append(o ? py::object(py::str(*o)) : py::object(py::none()));
  return result;
}

py::list pseudonymize(const py::iterable &values, const std::string &kind, const std::optional<std::string> &key,
                      const std::string &country_code) {
  const privacy::PiiKind k = kind_of(kind);
  std::optional<privacy::PseudonymKey> parsed = key ? privacy::PseudonymKey::from_text(*key)
                                                    : privacy::PseudonymKey::from_environment();
  if (!parsed)
    throw Error(ErrorCode::invalid_argument, std::string("no pseudonymization key: pass key=... or set ") +
                                                 privacy::kKeyVariable + " or " + privacy::kKeyFileVariable);
  const privacy::Pseudonymizer p(*parsed, privacy::NormalizeOptions{country_code});
  return map_values(values, [&](const std::string &v) { return p.pseudonymize(k, v); });
}

py::list normalize(const py::iterable &values, const std::string &kind, const std::string &country_code) {
  const privacy::PiiKind k = kind_of(kind);
  const privacy::NormalizeOptions o{country_code};
  return map_values(values, [&](const std::string &v) { return privacy::normalize(k, v, o); });
}

py::list mask(const py::iterable &values, const std::string &kind, const std::string &country_code) {
  const privacy::PiiKind k = kind_of(kind);
  const privacy::NormalizeOptions o{country_code};
  return map_values(values, [&](const std::string &v) { return privacy::mask(k, v, o); });
}

}  // namespace

void init_privacy(py::module_ &m) {
  auto privacy = m.def_submodule("privacy", "Pseudonyms and masks (riskkit.privacy).");
  privacy.def("pseudonymize", &pseudonymize, py::arg("values"), py::arg("kind"), py::arg("key") = py::none(),
              py::arg("country_code") = "86",
              "HMAC-SHA-256 pseudonyms (hex) of the normalized values; None for missing or unusable values.");
  privacy.def("normalize", &normalize, py::arg("values"), py::arg("kind"), py::arg("country_code") = "86",
              "The normalized forms the pseudonyms are computed from; None for missing or unusable values.");
  privacy.def("mask", &mask, py::arg("values"), py::arg("kind"), py::arg("country_code") = "86",
              "Masked display forms, e.g. 138****5678; None for missing or unusable values.");
}

}  // namespace riskkit::python
