/*
 * riskkit C ABI (C99). The stable interface for bank core systems.
 *
 * Conventions:
 *  - every function returns an rk_status; on failure, rk_last_error() gives this thread's
 *    message (naming the file, JSON path, field or line:column);
 *  - handles are opaque; each has a matching *_free, and *_free(NULL) is a no-op;
 *  - the caller owns buffers it passes in; strings returned through char** belong to the
 *    caller and are released with rk_string_free;
 *  - option structs start with struct_size so they can grow without breaking the ABI;
 *  - no exception ever crosses this boundary.
 *
 * Thread safety: rk_model_predict and rk_engine_decide_json may be called from many
 * threads on the same handle; rk_engine_reload may run concurrently with decisions.
 *
 *     rk_engine *e = NULL;
 *     if (rk_engine_open("examples/bundles/application", &e) != RK_OK) puts(rk_last_error());
 *     char *decision = NULL;
 *     rk_engine_decide_json(e, json, strlen(json), &decision);
 *     puts(decision);
 *     rk_string_free(decision);
 *     rk_engine_free(e);
 */
#ifndef RISKKIT_H
#define RISKKIT_H

#include <stddef.h>

#include "riskkit/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Values are explicit and never renumbered. */
typedef enum rk_status {
  RK_OK = 0,
  RK_STATUS_INVALID_ARGUMENT = 1, /* a null pointer, a wrong size, an unknown option */
  RK_STATUS_IO = 2,               /* a file could not be opened or read */
  RK_STATUS_PARSE = 3,            /* malformed JSON, UBJSON, CSV or expression */
  RK_STATUS_INVALID_BUNDLE = 4,   /* a bundle that is well-formed but wrong */
  RK_STATUS_DIGEST_MISMATCH = 5,  /* a file's SHA-256 differs from the manifest's */
  RK_STATUS_INVALID_MODEL = 6,    /* a malformed or unsupported model file */
  RK_STATUS_INVALID_RECORD = 7,   /* a record missing a required field */
  RK_STATUS_LIMIT_EXCEEDED = 8,   /* input beyond a documented limit */
  RK_STATUS_OUT_OF_MEMORY = 9,
  RK_STATUS_INTERNAL = 99         /* a bug in riskkit */
} rk_status;

/* Output kinds of rk_model_predict. */
enum { RK_OUTPUT_VALUE = 0, RK_OUTPUT_MARGIN = 1 };

/* The message of this thread's last failure ("" if none). Valid until the next riskkit
 * call on this thread. */
RK_API const char *rk_last_error(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
RK_API const char *rk_version(void);

/* ---- models ---------------------------------------------------------------------- */

typedef struct rk_model rk_model;

typedef struct rk_predict_options {
  size_t struct_size; /* sizeof(rk_predict_options) */
  int output;         /* RK_OUTPUT_VALUE (default) or RK_OUTPUT_MARGIN */
  int nthread;        /* 0 = all cores */
  float missing;      /* a sentinel treated as missing; NaN is always missing */
} rk_predict_options;

/* Fills *opt with the defaults: value output, all cores, no sentinel (NaN). */
RK_API void rk_predict_options_init(rk_predict_options *opt);

/* Loads an XGBoost JSON/UBJSON model or a riskkit logistic/scorecard model. */
RK_API rk_status rk_model_load(const char *path, rk_model **out);
RK_API rk_status rk_model_num_features(const rk_model *m, size_t *out);
RK_API rk_status rk_model_num_outputs(const rk_model *m, size_t *out);
/* Scores nrow rows of ncol floats (row-major) into out[nrow * num_outputs]. */
RK_API rk_status rk_model_predict(const rk_model *m, const float *rows, size_t nrow, size_t ncol,
                                  const rk_predict_options *opt /* NULL = defaults */, double *out);
/* Per-feature contributions to the margin: out[nrow * num_outputs * (num_features + 1)],
 * bias last (XGBoost's pred_contribs layout). */
RK_API rk_status rk_model_contributions(const rk_model *m, const float *rows, size_t nrow, size_t ncol,
                                        const rk_predict_options *opt, double *out);
RK_API void rk_model_free(rk_model *m);
/* The kernel this process walks trees with: "avx512", "avx2" or "portable" (static string;
 * RISKKIT_TREE_KERNEL=avx2|portable caps it). Results are the same with each. */
RK_API const char *rk_tree_kernel(void);

/* ---- engine ---------------------------------------------------------------------- */

typedef struct rk_engine rk_engine;

/* Loads and verifies the bundle in bundle_dir. */
RK_API rk_status rk_engine_open(const char *bundle_dir, rk_engine **out);
/* Decides one record given as a JSON object of len bytes; *decision_json receives the
 * decision (docs/bundle-format.md), to be freed with rk_string_free. */
RK_API rk_status rk_engine_decide_json(rk_engine *e, const char *record, size_t len, char **decision_json);
/* Loads bundle_dir and, only if it loads cleanly, makes it current. */
RK_API rk_status rk_engine_reload(rk_engine *e, const char *bundle_dir);
/* The current bundle's name, version and digest as a JSON object (free with rk_string_free). */
RK_API rk_status rk_engine_bundle_info(const rk_engine *e, char **info_json);
RK_API void rk_engine_free(rk_engine *e);

/* Deployment settings of an engine (docs/privacy.md, docs/features.md). */
typedef struct rk_engine_options {
  size_t struct_size;               /* sizeof(rk_engine_options) */
  const char *pseudonym_key;        /* key text (hex, or "base64:" + base64) for pii fields;
                                       NULL = RISKKIT_PSEUDONYM_KEY, else RISKKIT_PSEUDONYM_KEY_FILE */
  const char *default_country_code; /* digits prepended to national phone numbers; NULL = "86" */
  const char *redis_address;        /* "host:port": velocity state in Redis; NULL = in this process */
  int velocity_fail_closed;         /* 0: a velocity store failure leaves the features missing;
                                       1: also at least review, reason RK_VELOCITY_UNAVAILABLE */
  /* Since 0.2 (struct_size covers them; rk_engine_options_init sets them): */
  const char *audit_path;           /* append one audit line (JSONL) per decision here; NULL = none (docs/audit.md) */
  int require_signature;            /* 1: refuse bundles (open and reload) without a valid bundle.sig */
  const char *signature_key;        /* the bundle signing key's bytes (NUL-terminated); NULL = RISKKIT_BUNDLE_KEY_FILE */
  /* Also since 0.2 (struct_size covers it; rk_engine_options_init sets it): */
  const char *signature_public_key; /* PEM Ed25519 public key: only an Ed25519 bundle.sig it verifies is
                                       accepted (docs/audit.md); NULL = RISKKIT_BUNDLE_PUBLIC_KEY_FILE */
} rk_engine_options;

/* Fills *opt with the defaults: key from the environment, "86", in-process velocity, fail open. */
RK_API void rk_engine_options_init(rk_engine_options *opt);
/* rk_engine_open with deployment settings; opt NULL = defaults. A bundle with pii fields
 * and no key is refused (RK_STATUS_INVALID_ARGUMENT, naming the variables). */
RK_API rk_status rk_engine_open_with(const char *bundle_dir, const rk_engine_options *opt, rk_engine **out);
/* Writes the engine's in-process velocity state to path (atomically) / replaces it by the
 * state in path. RK_STATUS_INVALID_ARGUMENT when the engine keeps its state in Redis. */
RK_API rk_status rk_engine_velocity_snapshot(rk_engine *e, const char *path);
RK_API rk_status rk_engine_velocity_restore(rk_engine *e, const char *path);

/* Recomputes every decision of an audit log with bundle_dir (docs/audit.md); *report_json
 * receives {"decisions", "identical", "differences": [{"line", "decision_id", "path",
 * "logged", "replayed"}]} (free with rk_string_free). RK_OK even when decisions differ. */
RK_API rk_status rk_replay(const char *audit_path, const char *bundle_dir, char **report_json);
/* Writes bundle_dir/bundle.sig over the bundle digest: an Ed25519 signature when key holds a
 * PEM Ed25519 private key ("-----BEGIN PRIVATE KEY-----"), else an HMAC-SHA-256 under key
 * (key_len >= 32 bytes). */
RK_API rk_status rk_bundle_sign(const char *bundle_dir, const char *key, size_t key_len);
/* A fresh Ed25519 key pair as PEM text: *private_pem signs (rk_bundle_sign), *public_pem
 * verifies (rk_engine_options.signature_public_key); free both with rk_string_free. */
RK_API rk_status rk_signing_key_generate(char **private_pem, char **public_pem);

RK_API void rk_string_free(char *s);

/* ---- metrics --------------------------------------------------------------------- */
/* labels: 1 = bad, 0 = good; scores: larger = riskier; NaN scores are left out. */

RK_API rk_status rk_metric_auc(const double *scores, const double *labels, size_t n, double *out);
RK_API rk_status rk_metric_gini(const double *scores, const double *labels, size_t n, double *out);
RK_API rk_status rk_metric_ks(const double *scores, const double *labels, size_t n, double *out);
/* PSI of actual against expected over edges (ascending; n_edges = 0: `bins` quantiles of
 * expected), NaN in a bin of its own, empty bins floored at 1e-4. */
RK_API rk_status rk_metric_psi(const double *expected, size_t n_expected, const double *actual, size_t n_actual,
                               const double *edges, size_t n_edges, size_t bins, double *out);

/* ---- monitoring and scorecard development (docs/scorecard.md, docs/monitoring.md) --- */
/* Tables come back as JSON text (free with rk_string_free); a JSON out-pointer that may be
 * NULL is marked so. Values are binned as float32, bin i is [edges[i-1], edges[i]); each
 * special value has a bin of its own, NaN the missing bin. NaN and ±inf print as null. */

/* CSI: the PSI of actual against expected over a characteristic's training bins (edges,
 * special values, missing), empty bins floored at 1e-4. *bins_json (may be NULL):
 * [{"bin", "expected_count", "actual_count", "expected_share", "actual_share", "contribution"}]. */
RK_API rk_status rk_metric_csi(const double *expected, size_t n_expected, const double *actual, size_t n_actual,
                               const double *edges, size_t n_edges, const double *special, size_t n_special,
                               double *out, char **bins_json);
/* Information value of values against labels (1 = bad) over fixed bins; WOE = ln(share of
 * goods / share of bads), a bin without goods or bads +0.5 on both. *bins_json (may be
 * NULL): [{"bin", "kind", "count", "bads", "woe", "iv"}]. */
RK_API rk_status rk_metric_iv(const double *values, const double *labels, size_t n, const double *edges,
                              size_t n_edges, const double *special, size_t n_special, double *out, char **bins_json);
/* Score-band table, lowest scores first: bands [edges[i-1], edges[i]) or (n_edges = 0) the
 * `bands`-quantiles of the scores; NaN scores form a last "missing" band. *table_json:
 * [{"band", "lower", "upper", "count", "bads", "bad_rate", "share", "cumulative_share",
 * "cumulative_bads", "cumulative_goods", "ks"}]. */
RK_API rk_status rk_score_bands(const double *scores, const double *labels, size_t n, const double *edges,
                                size_t n_edges, size_t bands, char **table_json);
/* Decision-rate report over n outcome strings ("approve", "review", "decline", "error",
 * anything else counts as other). *rates_json: {"total", "approve", "review", "decline",
 * "error", "other", "approve_rate", "review_rate", "decline_rate", "error_rate",
 * "automated_rate"} (rates of the decided rows; automated = (approve + decline) / decided). */
RK_API rk_status rk_decision_rates(const char *const *outcomes, size_t n, char **rates_json);

/* Binning methods and WOE directions of rk_scorecard_options. */
enum { RK_BINNING_CHIMERGE = 0, RK_BINNING_QUANTILE = 1 };
enum { RK_MONOTONIC_AUTO = 0, RK_MONOTONIC_NONE = 1, RK_MONOTONIC_ASCENDING = 2, RK_MONOTONIC_DESCENDING = 3 };

typedef struct rk_scorecard_options {
  size_t struct_size;     /* sizeof(rk_scorecard_options) */
  int method;             /* RK_BINNING_CHIMERGE (default) or RK_BINNING_QUANTILE */
  size_t max_bins;        /* numeric bins per characteristic at most (10) */
  size_t initial_bins;    /* chi-merge equal-frequency pre-bins (400) */
  double min_bin_share;   /* numeric bins hold at least this share of the rows */
  int monotonic;          /* RK_MONOTONIC_AUTO (default): the direction with the higher IV */
  const double *special;  /* special values with bins of their own, for every characteristic */
  size_t n_special;
  double smoothing;       /* added to a pure bin's good and bad counts (0.5) */
  double l2;              /* ridge penalty of the logistic fit (0: none) */
  int max_iter;           /* Newton steps at most (100) */
  double base_points;     /* points at base_odds (600) */
  double base_odds;       /* good:bad odds at base_points (50) */
  double pdo;             /* points to double the odds (20) */
  int round_points;       /* 1: integer points */
  int nthread;            /* 0 = all cores */
} rk_scorecard_options;

/* Fills *opt with the defaults (those of riskkit::scorecard, docs/scorecard.md). */
RK_API void rk_scorecard_options_init(rk_scorecard_options *opt);
/* Bins one characteristic (n values, labels 1 = bad / 0 = good). *binning_json:
 * {"edges", "special", "direction", "iv", "bins": [{"bin", "kind", "count", "bads", "woe", "iv"}]}. */
RK_API rk_status rk_scorecard_bin(const double *x, const double *labels, size_t n, const rk_scorecard_options *opt,
                                  char **binning_json);
/* Develops a points scorecard: bins each of the ncol characteristics (column-major: column
 * j is columns[j * nrow .. (j + 1) * nrow), named names[j]), fits the logistic regression
 * of labels on their WOE (IRLS) and scales the points. *scorecard_json receives the
 * riskkit scorecard model (docs/models.md; save it and rk_model_load scores it exactly);
 * *report_json (may be NULL): {"intercept", "intercept_points", "log_likelihood",
 * "iterations", "converged", "intercept_std_error", "intercept_p_value", "characteristics":
 * [{"name", "coefficient", "std_error", "p_value", "expected_points", "points": [per bin],
 * and the binning as rk_scorecard_bin gives it}]}. */
RK_API rk_status rk_scorecard_develop(const double *columns, size_t nrow, size_t ncol, const char *const *names,
                                      const double *labels, const rk_scorecard_options *opt, char **scorecard_json,
                                      char **report_json);

#ifdef __cplusplus
}
#endif

#endif /* RISKKIT_H */
