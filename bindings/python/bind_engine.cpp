/// \file
/// riskkit._core.Engine and Decision: deciding Python dicts with a bundle.
///
/// Records are converted to riskkit::Record with the GIL held; deciding (one record or a
/// batch on many threads) runs without it.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pybind11/gil_safe_call_once.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/engine/engine.hpp"

namespace py = pybind11;

namespace riskkit::python {
namespace {

// Python types a record value may have beyond the builtins, looked up once.
struct ValueTypes {
  py::object np_bool, np_number, np_datetime64, date, datetime;
};

const ValueTypes &value_types() {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<ValueTypes> storage;
  return storage
      .call_once_and_store_result([] {
        const py::module_ np = py::module_::import("numpy");
        const py::module_ dt = py::module_::import("datetime");
        return ValueTypes{np.attr("bool_"), np.attr("number"), np.attr("datetime64"), dt.attr("date"),
                          dt.attr("datetime")};
      })
      .get_stored();
}

std::string type_name(py::handle v) { return Py_TYPE(v.ptr())->tp_name; }

// pandas' missing markers (pd.NA, pd.NaT), recognized by type name so pandas stays optional.
bool is_pandas_missing(py::handle v) {
  std::string_view name = Py_TYPE(v.ptr())->tp_name;
  name.remove_prefix(name.rfind('.') + 1);  // npos + 1 == 0: no module prefix
  return name == "NAType" || name == "NaTType";
}

// datetime, pandas Timestamp, date and numpy datetime64 → ISO-8601 text, which the schema
// parses for timestamp fields (a naive time is UTC). NaT → missing.
Value time_value(py::handle v, const ValueTypes &t) {
  py::object iso;
  if (py::isinstance(v, t.np_datetime64))
    iso = py::str(v.attr("astype")("datetime64[us]"));
  else if (py::isinstance(v, t.datetime))
    iso = v.attr("isoformat")("T", "microseconds");
  else
    iso = v.attr("isoformat")();
  std::string text = iso.cast<std::string>();
  return text == "NaT" ? Value::missing() : Value::string(std::move(text));
}

double to_number(py::handle v, const std::string &field) {
  const double x = PyFloat_AsDouble(v.ptr());
  if (x == -1.0 && PyErr_Occurred()) {
    const py::error_already_set error;
    throw Error(ErrorCode::invalid_record, "field '" + field + "': " + error.what());
  }
  return x;
}

// One Python value → Value. None, NaN, pd.NA and NaT are missing. The builtins are
// tested first: they are what JSON and DataFrame.to_dict produce.
Value to_value(py::handle v, const std::string &field) {
  PyObject *p = v.ptr();
  if (v.is_none()) return Value::missing();
  if (PyBool_Check(p)) return Value::boolean(p == Py_True);
  if (PyUnicode_Check(p)) return Value::string(v.cast<std::string>());
  if (PyFloat_Check(p) || PyLong_Check(p)) return Value::number(to_number(v, field));
  const ValueTypes &t = value_types();
  if (py::isinstance(v, t.np_bool)) return Value::boolean(PyObject_IsTrue(p) == 1);
  if (py::isinstance(v, t.np_number)) return Value::number(to_number(v, field));
  if (is_pandas_missing(v)) return Value::missing();
  if (py::isinstance(v, t.date) || py::isinstance(v, t.np_datetime64)) return time_value(v, t);
  throw Error(ErrorCode::invalid_record, "field '" + field + "': unsupported value of type '" + type_name(v) +
                                             "' (expected None, bool, int, float, str or a date/time)");
}

Record to_record(py::handle record) {
  if (!PyDict_Check(record.ptr()))
    throw py::type_error("a record must be a dict of field name -> value, got '" + type_name(record) + "'");
  Record out;
  for (const auto &[key, value] : record.cast<py::dict>()) {
    if (!PyUnicode_Check(key.ptr()))
      throw Error(ErrorCode::invalid_record, "record field names must be str, got '" + type_name(key) + "'");
    std::string name = key.cast<std::string>();
    Value converted = to_value(value, name);
    out.set(std::move(name), std::move(converted));
  }
  return out;
}

// ---- Decision → Python ------------------------------------------------------------------

py::dict scores_of(const Decision &d, bool nan_as_none) {
  py::dict out;
  for (const Score &s : d.scores)
    out[py::str(s.name)] = nan_as_none && std::isnan(s.value) ? py::object(py::none()) : py::object(py::float_(s.value));
  return out;
}

py::list rule_hits_of(const Decision &d) {
  py::list out;
  for (const RuleHit &h : d.rule_hits)
    out.append(py::dict(py::arg("id") = h.rule_id, py::arg("action") = to_string(h.action),
                        py::arg("code") = h.reason.code, py::arg("text") = h.reason.text,
                        py::arg("mode") = to_string(h.mode), py::arg("score") = h.score,
                        py::arg("tags") = h.tags));
  return out;
}

// A decision-table output value: number, string or bool; missing → None.
py::object output_value(const Value &v) {
  switch (v.type()) {
    case ValueType::number: return py::float_(v.as_number());
    case ValueType::string: return py::str(v.as_string());
    case ValueType::boolean: return py::bool_(v.as_bool());
    default: return py::none();
  }
}

// "<table>.<output>" → one value (None when no row matched), or a list for `collect` tables.
py::dict outputs_of(const Decision &d) {
  py::dict out;
  for (const TableOutput &o : d.outputs) {
    py::list values;
    for (const Value &v : o.values) values.append(output_value(v));
    out[py::str(o.name)] = o.collect ? py::object(values) : values.empty() ? py::none() : py::object(values[0]);
  }
  return out;
}

py::list reasons_of(const Decision &d) {
  py::list out;
  for (const Reason &r : d.reasons)
    out.append(py::dict(py::arg("code") = r.code, py::arg("text") = r.text, py::arg("source") = r.source,
                        py::arg("weight") = r.weight));
  return out;
}

py::list issues_of(const Decision &d) {
  py::list out;
  for (const FieldIssue &i : d.issues) out.append(py::dict(py::arg("field") = i.field, py::arg("message") = i.message));
  return out;
}

// Shadow models' scores: scored and logged, never acting; a missing score is None.
py::dict shadow_scores_of(const Decision &d) {
  py::dict out;
  for (const Score &s : d.shadow_scores)
    out[py::str(s.name)] = std::isnan(s.value) ? py::object(py::none()) : py::object(py::float_(s.value));
  return out;
}

py::dict bundle_of(const Decision &d) {
  return py::dict(py::arg("name") = d.bundle_name, py::arg("version") = d.bundle_version,
                  py::arg("digest") = d.bundle_digest);
}

// The same keys and shapes as Decision::to_json (a missing score is None there too;
// "outputs" only when the bundle has decision tables).
py::dict to_dict(const Decision &d) {
  py::dict out;
  if (!d.decision_id.empty()) out["decision_id"] = d.decision_id;
  out["event_id"] = d.event_id;
  out["outcome"] = to_string(d.outcome);
  out["action"] = d.action;
  if (!d.segment.empty()) out["segment"] = d.segment;
  if (!d.arm.empty()) out["arm"] = d.arm;
  out["grade"] = d.grade;
  out["scores"] = scores_of(d, true);
  if (!d.shadow_scores.empty()) out["shadow_scores"] = shadow_scores_of(d);
  out["rule_hits"] = rule_hits_of(d);
  out["rule_score"] = d.rule_score;
  if (!d.outputs.empty()) out["outputs"] = outputs_of(d);
  out["reasons"] = reasons_of(d);
  out["issues"] = issues_of(d);
  out["bundle"] = bundle_of(d);
  out["latency_us"] = d.latency_us;
  return out;
}

std::string decision_repr(const Decision &d) {
  std::string hits;
  for (const RuleHit &h : d.rule_hits) hits += (hits.empty() ? "'" : ", '") + h.rule_id + "'";
  return "<riskkit.Decision event_id=" + py::repr(py::str(d.event_id)).cast<std::string>() + " outcome='" +
         to_string(d.outcome) + "' grade=" + py::repr(py::str(d.grade)).cast<std::string>() +
         " scores=" + py::repr(scores_of(d, false)).cast<std::string>() + " rule_hits=[" + hits + "]>";
}

// ---- Engine --------------------------------------------------------------------------------

Engine open_engine(const std::filesystem::path &dir, const std::optional<std::string> &pseudonym_key,
                   const std::string &velocity_failure, const std::optional<std::filesystem::path> &audit_path,
                   bool require_signature, const std::optional<py::bytes> &signature_key,
                   const std::optional<std::string> &velocity_store,
                   const std::optional<py::bytes> &signature_public_key) {
  EngineOptions options;
  if (velocity_store) {
    // "redis://host:port" or "host:port": velocity state shared through Redis; none = in-process.
    std::string address = *velocity_store;
    if (address.rfind("redis://", 0) == 0) address.erase(0, 8);
    options.velocity_store =
        std::make_shared<RedisVelocityStore>(RedisVelocityOptions::from_address(address));
  }
  if (audit_path) options.audit.path = audit_path->string();
  options.signature.required = require_signature;
  if (signature_key) options.signature.key = signature_key->cast<std::string>();
  if (signature_public_key) options.signature.public_key = signature_public_key->cast<std::string>();
  if (pseudonym_key) options.pseudonym_key = privacy::PseudonymKey::from_text(*pseudonym_key);
  if (velocity_failure == "fail_closed") {
    options.velocity_failure = VelocityFailurePolicy::fail_closed;
  } else if (velocity_failure != "fail_open") {
    throw Error(ErrorCode::invalid_argument,
                "velocity_failure must be \"fail_open\" or \"fail_closed\", got \"" + velocity_failure + "\"");
  }
  py::gil_scoped_release release;
  return Engine::open(dir.string(), options);
}

Decision decide(const Engine &engine, py::handle record) {
  const Record converted = to_record(record);
  py::gil_scoped_release release;
  return engine.decide(converted);
}

std::string at(std::size_t index) { return "records[" + std::to_string(index) + "]: "; }

// A record that could not be decided: its index in the caller's sequence and why.
struct Refusal {
  std::size_t index = 0;
  ErrorCode code = ErrorCode::invalid_record;
  std::string message;
};

// Converts and decides `records`. errors="raise" raises for the first record (by index)
// that is refused; errors="return" leaves a RiskkitError in its slot instead.
py::list decide_many(const Engine &engine, const py::iterable &records, int nthread, const std::string &errors) {
  if (errors != "raise" && errors != "return")
    throw Error(ErrorCode::invalid_argument, "errors must be \"raise\" or \"return\", got \"" + errors + "\"");
  const bool raise = errors == "raise";
  std::vector<Record> usable;
  std::vector<std::size_t> position;  // usable[i] is records[position[i]]
  std::vector<Refusal> refused;
  std::size_t n = 0;
  for (py::handle item : records) {
    try {
      usable.push_back(to_record(item));
      position.push_back(n);
    } catch (const Error &e) {
      refused.push_back({n, e.code(), e.what()});
      if (raise) break;  // later records cannot come first
    }
    ++n;
  }
  std::vector<Decision> decided;
  std::vector<std::pair<std::size_t, std::string>> rejected;
  {
    py::gil_scoped_release release;
    decided = engine.decide_batch(usable, nthread, &rejected);
  }
  for (auto &[i, message] : rejected) refused.push_back({position[i], ErrorCode::invalid_record, std::move(message)});

  if (raise && !refused.empty()) {
    const Refusal &first = *std::min_element(refused.begin(), refused.end(),
                                             [](const Refusal &a, const Refusal &b) { return a.index < b.index; });
    throw Error(first.code, at(first.index) + first.message);
  }
  py::list out(n);
  for (std::size_t i = 0; i < usable.size(); ++i) out[position[i]] = py::cast(std::move(decided[i]));
  for (const Refusal &r : refused) out[r.index] = make_error(r.code, at(r.index) + r.message);
  return out;
}

py::dict bundle_info(const Engine &engine) {
  const std::shared_ptr<const Bundle> b = engine.bundle();
  py::list fields;
  py::object event_id_field = py::none();
  for (const FieldSpec &f : b->schema().fields()) {
    fields.append(f.name);
    if (f.role == FieldRole::event_id) event_id_field = py::str(f.name);
  }
  return py::dict(py::arg("name") = b->name(), py::arg("version") = b->version(), py::arg("stage") = b->stage(),
                  py::arg("digest") = b->digest(), py::arg("directory") = b->directory(),
                  py::arg("fields") = fields, py::arg("event_id_field") = event_id_field,
                  py::arg("feature_names") = b->feature_names(), py::arg("model_names") = b->model_names());
}

std::string engine_repr(const Engine &engine) {
  const std::shared_ptr<const Bundle> b = engine.bundle();
  return "<riskkit.Engine bundle='" + b->name() + "' version='" + b->version() + "' digest='" +
         b->digest().substr(0, 12) + "…'>";
}

}  // namespace

void init_engine(py::module_ &m) {
  py::class_<Decision>(m, "Decision", "Everything the engine concluded about one record (read-only).")
      .def_property_readonly("outcome", [](const Decision &d) { return to_string(d.outcome); },
                             "\"approve\", \"review\" or \"decline\".")
      .def_readonly("action", &Decision::action,
                    "The stage outcome by name, e.g. \"approve\", \"cut\", \"agent_call\" (docs/stages.md).")
      .def_readonly("segment", &Decision::segment, "The policy segment whose condition held first, \"\" if none.")
      .def_readonly("arm", &Decision::arm, "The champion/challenger arm that decided, \"\" without a split.")
      .def_readonly("decision_id", &Decision::decision_id, "The decision's id in the audit log, \"\" when not audited.")
      .def_property_readonly("shadow_scores", &shadow_scores_of,
                             "Shadow model name -> score: scored and logged, never acting.")
      .def_readonly("grade", &Decision::grade, "Grade band of the policy's grade score, \"\" if none.")
      .def_property_readonly("scores", [](const Decision &d) { return scores_of(d, false); },
                             "Model name -> score, in bundle order (NaN when the score is missing).")
      .def_property_readonly("rule_hits", &rule_hits_of,
                             "Rules that fired, active and shadow: dicts with id, action, code, text, mode, score, tags.")
      .def_readonly("rule_score", &Decision::rule_score, "Sum of the scores of the active rules that fired.")
      .def_property_readonly("outputs", &outputs_of,
                             "Decision-table outputs: \"<table>.<output>\" -> value (None if no row matched), "
                             "or a list for collect tables.")
      .def_property_readonly("reasons", &reasons_of,
                             "Principal reasons, most important first: dicts with code, text, source, weight.")
      .def_property_readonly("issues", &issues_of, "Non-fatal data problems: dicts with field, message.")
      .def_readonly("event_id", &Decision::event_id, "The record's event id field, \"\" if the schema has none.")
      .def_property_readonly("bundle", &bundle_of, "The deciding bundle: dict with name, version, digest.")
      .def_readonly("latency_us", &Decision::latency_us, "Wall time spent deciding, in microseconds.")
      .def("to_dict", &to_dict, "The decision as a dict with the keys of to_json().")
      .def("to_json", &Decision::to_json, "The decision as one JSON object (docs/bundle-format.md).")
      .def("__repr__", &decision_repr);

  py::class_<Engine>(m, "Engine", R"doc(
A decision engine serving one bundle at a time. decide() and decide_many() are
thread-safe and may run while reload() swaps the bundle.
)doc")
      .def(py::init(&open_engine), py::arg("bundle_dir"), py::kw_only(), py::arg("pseudonym_key") = py::none(),
           py::arg("velocity_failure") = "fail_open", py::arg("audit_path") = py::none(),
           py::arg("require_signature") = false, py::arg("signature_key") = py::none(),
           py::arg("velocity_store") = py::none(), py::arg("signature_public_key") = py::none(),
           "Loads and verifies the bundle in `bundle_dir`. pseudonym_key: the key text for personal-data "
           "fields (default: RISKKIT_PSEUDONYM_KEY or RISKKIT_PSEUDONYM_KEY_FILE); velocity_failure: "
           "\"fail_open\" or \"fail_closed\" when velocity state is unavailable; audit_path: append one audit "
           "line per decision to this file (docs/audit.md); require_signature: refuse bundles without a valid "
           "bundle.sig, checked with signature_key (bytes; default: the file RISKKIT_BUNDLE_KEY_FILE names) or, "
           "for Ed25519, signature_public_key (PEM bytes; default: the file RISKKIT_BUNDLE_PUBLIC_KEY_FILE names; "
           "when set, only an Ed25519 signature is accepted); "
           "velocity_store: \"redis://host:port\" to share velocity state through Redis (default: in-process).")
      .def("decide", &decide, py::arg("record"),
           "Decides one record (dict of field -> value). Raises RiskkitError when a required field is missing.")
      .def("decide_many", &decide_many, py::arg("records"), py::kw_only(), py::arg("nthread") = 0,
           py::arg("errors") = "raise",
           "Decides many records on `nthread` threads (0 = all cores). errors=\"raise\" raises for the first "
           "rejected record; errors=\"return\" puts a RiskkitError in its slot instead.")
      .def(
          "reload",
          [](Engine &engine, const std::filesystem::path &dir) {
            py::gil_scoped_release release;
            engine.reload(dir.string());
          },
          py::arg("bundle_dir"), "Loads `bundle_dir` and, only if it loads cleanly, makes it the current bundle.")
      .def_property_readonly("bundle_info", &bundle_info,
                             "The current bundle: name, version, stage, digest, directory, fields, event_id_field, "
                             "feature_names, model_names.")
      .def("__repr__", &engine_repr);

  m.def(
      "replay",
      [](const std::filesystem::path &audit, const std::filesystem::path &bundle_dir) {
        ReplayReport report;
        {
          py::gil_scoped_release release;
          report = replay(audit.string(), bundle_dir.string());
        }
        py::list differences;
        for (const ReplayDifference &d : report.differences)
          differences.append(py::dict(py::arg("line") = d.line, py::arg("decision_id") = d.decision_id,
                                      py::arg("path") = d.path, py::arg("logged") = d.logged,
                                      py::arg("replayed") = d.replayed));
        return py::dict(py::arg("decisions") = report.decisions, py::arg("identical") = report.identical,
                        py::arg("differences") = differences);
      },
      py::arg("audit_path"), py::arg("bundle_dir"),
      "Recomputes every decision of an audit log with the bundle in `bundle_dir` from the logged inputs and "
      "velocity values; returns {decisions, identical, differences: [{line, decision_id, path, logged, "
      "replayed}]} (docs/audit.md).");
  m.def(
      "sign_bundle",
      [](const std::filesystem::path &bundle_dir, const py::bytes &key) {
        const std::string k = key;
        py::gil_scoped_release release;
        return sign_bundle(bundle_dir.string(), k);
      },
      py::arg("bundle_dir"), py::arg("key"),
      "Writes bundle_dir/bundle.sig over the bundle digest: Ed25519 when `key` is a PEM Ed25519 private key "
      "(generate_signing_key), else HMAC-SHA-256 under `key` (>= 32 bytes); returns the digest.");
  m.def(
      "generate_signing_key",
      [] {
        const SigningKeyPair pair = generate_signing_key();
        return py::make_tuple(py::bytes(pair.private_key), py::bytes(pair.public_key));
      },
      "A fresh Ed25519 key pair as PEM bytes: (private_key, public_key). The private key signs "
      "(sign_bundle), the public key verifies (Engine(signature_public_key=...)).");
}

}  // namespace riskkit::python
