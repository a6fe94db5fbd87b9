// The C ABI (include/riskkit/riskkit.h): thin glue over the C++ API.
#include "riskkit/riskkit.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "c_api/c_api_guard.hpp"
#include "core/json_parse.hpp"
#include "riskkit/engine/engine.hpp"
#include "riskkit/features/in_process_velocity_store.hpp"
#include "riskkit/features/redis_velocity_store.hpp"
#include "riskkit/metrics/metrics.hpp"
#include "riskkit/models/model.hpp"
#include "riskkit/version.hpp"

struct rk_model {
  std::shared_ptr<const riskkit::Model> model;
};

struct rk_engine {
  riskkit::Engine engine;
};

namespace riskkit::detail {
namespace {
thread_local std::string t_last_error;

PredictOptions options_of(const rk_predict_options *opt) {
  PredictOptions o;
  if (!opt) return o;
  require(opt->struct_size >= offsetof(rk_predict_options, output) + sizeof(int),
          "rk_predict_options: struct_size is too small (use rk_predict_options_init)");
  require(opt->output == RK_OUTPUT_VALUE || opt->output == RK_OUTPUT_MARGIN,
          "rk_predict_options: output must be RK_OUTPUT_VALUE or RK_OUTPUT_MARGIN");
  o.output = static_cast<PredictOutput>(opt->output);
  // Fields beyond what the caller's struct_size covers (an older header) keep their defaults.
  if (opt->struct_size >= offsetof(rk_predict_options, nthread) + sizeof(int)) {
    require(opt->nthread >= 0, "rk_predict_options: nthread must be >= 0");
    o.nthread = opt->nthread;
  }
  if (opt->struct_size >= offsetof(rk_predict_options, missing) + sizeof(float)) o.missing = opt->missing;
  return o;
}

}  // namespace

void set_last_error(std::string message) { t_last_error = std::move(message); }
void clear_last_error() { t_last_error.clear(); }

}  // namespace riskkit::detail

using riskkit::detail::guarded;
using riskkit::detail::require;

extern "C" {

const char *rk_last_error(void) { return riskkit::detail::t_last_error.c_str(); }

const char *rk_version(void) { return riskkit::version(); }
const char *rk_tree_kernel(void) { return riskkit::tree_kernel(); }

void rk_predict_options_init(rk_predict_options *opt) {
  if (!opt) return;
  opt->struct_size = sizeof(rk_predict_options);
  opt->output = RK_OUTPUT_VALUE;
  opt->nthread = 0;
  opt->missing = std::numeric_limits<float>::quiet_NaN();
}

rk_status rk_model_load(const char *path, rk_model **out) {
  return guarded([&] {
    require(path && out, "rk_model_load: path and out must not be NULL");
    *out = nullptr;
    auto handle = std::make_unique<rk_model>();
    handle->model = riskkit::load_model(path);
    *out = handle.release();
  });
}

rk_status rk_model_num_features(const rk_model *m, size_t *out) {
  return guarded([&] {
    require(m && out, "rk_model_num_features: m and out must not be NULL");
    *out = m->model->num_features();
  });
}

rk_status rk_model_num_outputs(const rk_model *m, size_t *out) {
  return guarded([&] {
    require(m && out, "rk_model_num_outputs: m and out must not be NULL");
    *out = m->model->num_outputs();
  });
}

rk_status rk_model_predict(const rk_model *m, const float *rows, size_t nrow, size_t ncol,
                           const rk_predict_options *opt, double *out) {
  return guarded([&] {
    require(m && (rows || nrow == 0) && (out || nrow == 0), "rk_model_predict: m, rows and out must not be NULL");
    m->model->predict(rows, nrow, ncol, riskkit::detail::options_of(opt), out);
  });
}

rk_status rk_model_contributions(const rk_model *m, const float *rows, size_t nrow, size_t ncol,
                                 const rk_predict_options *opt, double *out) {
  return guarded([&] {
    require(m && (rows || nrow == 0) && (out || nrow == 0), "rk_model_contributions: m, rows and out must not be NULL");
    m->model->contributions(rows, nrow, ncol, riskkit::detail::options_of(opt), out);
  });
}

void rk_model_free(rk_model *m) { delete m; }

rk_status rk_engine_open(const char *bundle_dir, rk_engine **out) {
  return guarded([&] {
    require(bundle_dir && out, "rk_engine_open: bundle_dir and out must not be NULL");
    *out = nullptr;
    *out = new rk_engine{riskkit::Engine::open(bundle_dir)};
  });
}

rk_status rk_engine_decide_json(rk_engine *e, const char *record, size_t len, char **decision_json) {
  return guarded([&] {
    require(e && (record || len == 0) && decision_json, "rk_engine_decide_json: e, record and decision_json must not be NULL");
    *decision_json = nullptr;
    const riskkit::Decision d = e->engine.decide(riskkit::Record::from_json(std::string_view(record, len)));
    *decision_json = riskkit::detail::to_c_string(d.to_json());
  });
}

rk_status rk_engine_reload(rk_engine *e, const char *bundle_dir) {
  return guarded([&] {
    require(e && bundle_dir, "rk_engine_reload: e and bundle_dir must not be NULL");
    e->engine.reload(bundle_dir);
  });
}

rk_status rk_engine_bundle_info(const rk_engine *e, char **info_json) {
  return guarded([&] {
    require(e && info_json, "rk_engine_bundle_info: e and info_json must not be NULL");
    *info_json = nullptr;
    const auto b = e->engine.bundle();
    const riskkit::detail::Json j = {{"name", b->name()}, {"version", b->version()}, {"stage", b->stage()},
                                     {"digest", b->digest()}};
    *info_json = riskkit::detail::to_c_string(j.dump());
  });
}

void rk_engine_free(rk_engine *e) { delete e; }

void rk_engine_options_init(rk_engine_options *opt) {
  if (!opt) return;
  *opt = rk_engine_options{};
  opt->struct_size = sizeof(rk_engine_options);
}

rk_status rk_engine_open_with(const char *bundle_dir, const rk_engine_options *opt, rk_engine **out) {
  return guarded([&] {
    require(bundle_dir && out, "rk_engine_open_with: bundle_dir and out must not be NULL");
    *out = nullptr;
    riskkit::EngineOptions o;
    if (opt) {
      require(opt->struct_size >= offsetof(rk_engine_options, velocity_fail_closed) + sizeof(int),
              "rk_engine_options: struct_size is too small (use rk_engine_options_init)");
      if (opt->pseudonym_key) o.pseudonym_key = riskkit::privacy::PseudonymKey::from_text(opt->pseudonym_key);
      if (opt->default_country_code) o.normalize.default_country_code = opt->default_country_code;
      if (opt->redis_address)
        o.velocity_store = std::make_shared<riskkit::RedisVelocityStore>(
            riskkit::RedisVelocityOptions::from_address(opt->redis_address));
      require(opt->velocity_fail_closed == 0 || opt->velocity_fail_closed == 1,
              "rk_engine_options: velocity_fail_closed must be 0 or 1");
      if (opt->velocity_fail_closed) o.velocity_failure = riskkit::VelocityFailurePolicy::fail_closed;
      if (opt->struct_size >= offsetof(rk_engine_options, signature_key) + sizeof(const char *)) {
        if (opt->audit_path) o.audit.path = opt->audit_path;
        require(opt->require_signature == 0 || opt->require_signature == 1,
                "rk_engine_options: require_signature must be 0 or 1");
        o.signature.required = opt->require_signature == 1;
        if (opt->signature_key) o.signature.key = opt->signature_key;
      }
      if (opt->struct_size >= offsetof(rk_engine_options, signature_public_key) + sizeof(const char *) &&
          opt->signature_public_key)
        o.signature.public_key = opt->signature_public_key;
    }
    *out = new rk_engine{riskkit::Engine::open(bundle_dir, o)};
  });
}

rk_status rk_replay(const char *audit_path, const char *bundle_dir, char **report_json) {
  return guarded([&] {
    require(audit_path && bundle_dir && report_json, "rk_replay: audit_path, bundle_dir and report_json must not be NULL");
    *report_json = nullptr;
    const riskkit::ReplayReport report = riskkit::replay(audit_path, bundle_dir);
    riskkit::detail::Json differences = riskkit::detail::Json::array();
    for (const auto &d : report.differences)
      differences.push_back({{"line", d.line}, {"decision_id", d.decision_id}, {"path", d.path}, {"logged", d.logged},
                             {"replayed", d.replayed}});
    const riskkit::detail::Json j = {{"decisions", report.decisions}, {"identical", report.identical},
                              {"differences", std::move(differences)}};
    *report_json = riskkit::detail::to_c_string(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

rk_status rk_bundle_sign(const char *bundle_dir, const char *key, size_t key_len) {
  return guarded([&] {
    require(bundle_dir && key, "rk_bundle_sign: bundle_dir and key must not be NULL");
    riskkit::sign_bundle(bundle_dir, std::string(key, key_len));
  });
}

rk_status rk_signing_key_generate(char **private_pem, char **public_pem) {
  return guarded([&] {
    require(private_pem && public_pem, "rk_signing_key_generate: private_pem and public_pem must not be NULL");
    *private_pem = *public_pem = nullptr;
    const riskkit::SigningKeyPair pair = riskkit::generate_signing_key();
    std::unique_ptr<char, decltype(&std::free)> secret(riskkit::detail::to_c_string(pair.private_key), &std::free);
    *public_pem = riskkit::detail::to_c_string(pair.public_key);
    *private_pem = secret.release();
  });
}

namespace {
riskkit::InProcessVelocityStore &in_process_store(rk_engine *e, const char *function) {
  auto *store = dynamic_cast<riskkit::InProcessVelocityStore *>(e->engine.velocity_store().get());
  if (!store)
    throw riskkit::Error(riskkit::ErrorCode::invalid_argument,
                         std::string(function) + ": the engine keeps its velocity state in Redis, not in process");
  return *store;
}
}  // namespace

rk_status rk_engine_velocity_snapshot(rk_engine *e, const char *path) {
  return guarded([&] {
    require(e && path, "rk_engine_velocity_snapshot: e and path must not be NULL");
    in_process_store(e, "rk_engine_velocity_snapshot").snapshot(path);
  });
}

rk_status rk_engine_velocity_restore(rk_engine *e, const char *path) {
  return guarded([&] {
    require(e && path, "rk_engine_velocity_restore: e and path must not be NULL");
    in_process_store(e, "rk_engine_velocity_restore").restore(path);
  });
}

void rk_string_free(char *s) { std::free(s); }

rk_status rk_metric_auc(const double *scores, const double *labels, size_t n, double *out) {
  return guarded([&] {
    require(scores && labels && out, "rk_metric_auc: scores, labels and out must not be NULL");
    *out = riskkit::metrics::auc({scores, n}, {labels, n});
  });
}

rk_status rk_metric_gini(const double *scores, const double *labels, size_t n, double *out) {
  return guarded([&] {
    require(scores && labels && out, "rk_metric_gini: scores, labels and out must not be NULL");
    *out = riskkit::metrics::gini({scores, n}, {labels, n});
  });
}

rk_status rk_metric_ks(const double *scores, const double *labels, size_t n, double *out) {
  return guarded([&] {
    require(scores && labels && out, "rk_metric_ks: scores, labels and out must not be NULL");
    *out = riskkit::metrics::ks({scores, n}, {labels, n});
  });
}

rk_status rk_metric_psi(const double *expected, size_t n_expected, const double *actual, size_t n_actual,
                        const double *edges, size_t n_edges, size_t bins, double *out) {
  return guarded([&] {
    require(expected && actual && out && (edges || n_edges == 0),
            "rk_metric_psi: expected, actual, out (and edges when n_edges > 0) must not be NULL");
    *out = riskkit::metrics::psi({expected, n_expected}, {actual, n_actual}, {edges, n_edges}, bins).psi;
  });
}

}  // extern "C"
