/* The C ABI, compiled as C99: every function of riskkit.h, its statuses and messages.
 * Oracles: hand-computed values (velocity counts from docs/features.md's semantics), the
 * documented error texts, and equalities the design promises (a restored velocity state
 * decides as the original would; replay reproduces every logged decision). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for private bundle copies */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskkit/riskkit.h"
#include "c_test_support.h"

#define BASIC RK_SOURCE_DIR "/tests/data/bundles/basic"
#define FEATURES RK_SOURCE_DIR "/tests/data/bundles/features"
#define TEST_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HMAC_KEY "an example signing key of 32+ bytes, test only"

static int contains(const char *text, const char *part) { return text && part && strstr(text, part) != NULL; }

/* A private directory under /tmp: *dir receives its path. */
static void make_temp_dir(char *dir, size_t size) {
  snprintf(dir, size, "/tmp/riskkit_c_api_XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    exit(2);
  }
}

static void run(const char *command) {
  if (system(command) != 0) {
    fprintf(stderr, "failed: %s\n", command);
    exit(2);
  }
}

/* The whole file at path as a NUL-terminated string (free with free); NULL if absent. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = (char *)malloc((size_t)n + 1);
  if (fread(text, 1, (size_t)n, f) != (size_t)n) n = 0;
  text[n] = '\0';
  fclose(f);
  return text;
}

/* The n-th (0-based) string value of key in text, e.g. "phone" of an audit line, copied
 * into out; "" when absent. */
static void nth_string_value(const char *text, const char *key, int n, char *out, size_t size) {
  char pattern[64];
  const char *at = text;
  size_t len = 0;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  out[0] = '\0';
  for (; at && n >= 0; --n) {
    at = strstr(at, pattern);
    if (at) at += strlen(pattern);
  }
  if (!at) return;
  while (at[len] && at[len] != '"' && len + 1 < size) ++len;
  memcpy(out, at, len);
  out[len] = '\0';
}

static void test_version_and_free_null(void) {
  EXPECT(strlen(rk_version()) >= 5);
  const char *kernel = rk_tree_kernel();
  EXPECT(strcmp(kernel, "avx512") == 0 || strcmp(kernel, "avx2") == 0 || strcmp(kernel, "portable") == 0);
  rk_model_free(NULL);
  rk_engine_free(NULL);
  rk_string_free(NULL);
  EXPECT(strcmp(rk_last_error(), "") == 0);
}

static void test_model(void) {
  rk_model *m = NULL;
  size_t nf = 0, nk = 0;
  float rows[6] = {0.2f, 30.0f, 1.0f, NAN, 55.0f, 6.0f};
  double out[2], margin[2], contrib[8];
  rk_predict_options opt;
  int i;

  EXPECT(rk_model_load(BASIC "/models/risk.json", &m) == RK_OK);
  EXPECT(rk_model_num_features(m, &nf) == RK_OK && nf == 3);
  EXPECT(rk_model_num_outputs(m, &nk) == RK_OK && nk == 1);
  EXPECT(rk_model_predict(m, rows, 2, 3, NULL, out) == RK_OK);
  EXPECT(out[0] > 0.0 && out[0] < 1.0 && out[1] > 0.0 && out[1] < 1.0);

  rk_predict_options_init(&opt);
  opt.output = RK_OUTPUT_MARGIN;
  opt.nthread = 1;
  EXPECT(rk_model_predict(m, rows, 2, 3, &opt, margin) == RK_OK);
  for (i = 0; i < 2; ++i) EXPECT(fabs(1.0 / (1.0 + exp(-margin[i])) - out[i]) < 1e-6);

  EXPECT(rk_model_contributions(m, rows, 2, 3, &opt, contrib) == RK_OK);
  for (i = 0; i < 2; ++i) {
    double sum = contrib[4 * i] + contrib[4 * i + 1] + contrib[4 * i + 2] + contrib[4 * i + 3];
    EXPECT(fabs(sum - margin[i]) < 1e-5);
  }

  EXPECT(rk_model_predict(m, rows, 2, 4, NULL, out) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(strlen(rk_last_error()) > 0);
  EXPECT(rk_model_predict(NULL, rows, 2, 3, NULL, out) == RK_STATUS_INVALID_ARGUMENT);
  opt.struct_size = 1;
  EXPECT(rk_model_predict(m, rows, 2, 3, &opt, out) == RK_STATUS_INVALID_ARGUMENT);
  rk_model_free(m);

  m = NULL;
  EXPECT(rk_model_load(BASIC "/no-such-model.json", &m) == RK_STATUS_IO);
  EXPECT(m == NULL);
  EXPECT(strstr(rk_last_error(), "no-such-model.json") != NULL);
  EXPECT(rk_model_load(BASIC "/bundle.json", &m) == RK_STATUS_INVALID_MODEL);
}

static void test_engine(void) {
  rk_engine *e = NULL;
  char *decision = NULL, *info = NULL;
  const char *record = "{\"application_id\": \"C1\", \"income\": 2000, \"debt\": 1800, \"age\": 23, "
                       "\"inquiries\": 6, \"channel\": \"web\", \"id_verified\": true}";
  const char *rejected = "{\"income\": 2000}";
  const char *malformed = "{\"income\": ";

  EXPECT(rk_engine_open(BASIC, &e) == RK_OK);
  EXPECT(rk_engine_decide_json(e, record, strlen(record), &decision) == RK_OK);
  EXPECT(decision && strstr(decision, "\"outcome\":\"decline\"") != NULL);
  EXPECT(decision && strstr(decision, "\"event_id\":\"C1\"") != NULL);
  rk_string_free(decision);

  decision = NULL;
  EXPECT(rk_engine_decide_json(e, rejected, strlen(rejected), &decision) == RK_STATUS_INVALID_RECORD);
  EXPECT(decision == NULL);
  EXPECT(strstr(rk_last_error(), "field 'age'") != NULL);
  EXPECT(rk_engine_decide_json(e, malformed, strlen(malformed), &decision) == RK_STATUS_PARSE);
  EXPECT(strstr(rk_last_error(), "line 1, column") != NULL);

  EXPECT(rk_engine_bundle_info(e, &info) == RK_OK);
  EXPECT(info && strstr(info, "\"name\":\"basic-test\"") != NULL);
  rk_string_free(info);

  EXPECT(rk_engine_reload(e, RK_SOURCE_DIR "/tests/data") == RK_STATUS_IO);
  EXPECT(strstr(rk_last_error(), "bundle.json") != NULL);
  EXPECT(rk_engine_reload(e, BASIC) == RK_OK);
  rk_engine_free(e);

  e = NULL;
  EXPECT(rk_engine_open(NULL, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(rk_engine_open(RK_SOURCE_DIR "/nonexistent", &e) == RK_STATUS_IO);
  EXPECT(e == NULL);
}

/* One application of the features bundle. */
static void application(char *out, size_t size, const char *id, const char *time, const char *device,
                        const char *phone) {
  snprintf(out, size,
           "{\"application_id\": \"%s\", \"applied_at\": \"%s\", \"device_id\": \"%s\", \"phone\": \"%s\", "
           "\"email\": \"a@b.example\", \"channel\": \"app\", \"amount\": 100}",
           id, time, device, phone);
}

static rk_status decide(rk_engine *e, const char *record, char **decision) {
  *decision = NULL;
  return rk_engine_decide_json(e, record, strlen(record), decision);
}

/* Opens the features bundle with `opt` (whose audit_path is `audit`), decides the first
 * `count` of two applications with one phone written two ways ("+1 202 555 0123", then
 * "202-555-0123") and returns the audit log they leave (free it). */
static char *audit_phones(const rk_engine_options *opt, const char *audit, int count) {
  static const char *const phones[2] = {"+1 202 555 0123", "202-555-0123"};
  static const char *const times[2] = {"2026-03-01T08:00:00Z", "2026-03-01T08:01:00Z"};
  rk_engine *e = NULL;
  char id[8], record[512], *decision = NULL;
  int i;
  remove(audit);
  EXPECT(rk_engine_open_with(FEATURES, opt, &e) == RK_OK);
  for (i = 0; i < count; ++i) {
    snprintf(id, sizeof id, "P%d", i + 1);
    application(record, sizeof record, id, times[i], "d1", phones[i]);
    EXPECT(decide(e, record, &decision) == RK_OK);
    EXPECT(contains(decision, "\"decision_id\"")); /* audited decisions carry their id */
    rk_string_free(decision);
  }
  rk_engine_free(e);
  return slurp(audit);
}

static void test_engine_options(void) {
  rk_engine_options opt;
  rk_engine *e = NULL;
  char dir[64], audit[96], first[80], second[80], *log = NULL;

  rk_engine_options_init(&opt);
  EXPECT(opt.struct_size == sizeof(rk_engine_options));
  EXPECT(opt.pseudonym_key == NULL && opt.default_country_code == NULL && opt.redis_address == NULL);
  EXPECT(opt.velocity_fail_closed == 0 && opt.audit_path == NULL && opt.require_signature == 0);
  EXPECT(opt.signature_key == NULL && opt.signature_public_key == NULL);
  rk_engine_options_init(NULL); /* a no-op */

  /* default_country_code "1": "+1 202 555 0123" and the national "202-555-0123" are one
   * phone, so their pseudonyms (audit inputs) are equal; with the default "86" they differ. */
  make_temp_dir(dir, sizeof dir);
  snprintf(audit, sizeof audit, "%s/audit.jsonl", dir);
  opt.pseudonym_key = TEST_KEY;
  opt.default_country_code = "1";
  opt.audit_path = audit;
  log = audit_phones(&opt, audit, 2);
  EXPECT(log != NULL);
  nth_string_value(log, "phone", 0, first, sizeof first);
  nth_string_value(log, "phone", 1, second, sizeof second);
  EXPECT(strlen(first) == 64 && strcmp(first, second) == 0);
  EXPECT(!contains(log, "555")); /* no raw phone number in the log */
  free(log);

  opt.default_country_code = NULL; /* "86" */
  log = audit_phones(&opt, audit, 2);
  nth_string_value(log, "phone", 0, second, sizeof second);
  EXPECT(strcmp(first, second) == 0); /* the same key: the same pseudonym of +1 202 555 0123 */
  nth_string_value(log, "phone", 1, second, sizeof second);
  EXPECT(strlen(second) == 64 && strcmp(first, second) != 0);
  free(log);

  /* Another pseudonym key: another pseudonym. */
  opt.pseudonym_key = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
  log = audit_phones(&opt, audit, 1);
  nth_string_value(log, "phone", 0, second, sizeof second);
  EXPECT(strlen(second) == 64 && strcmp(first, second) != 0);
  free(log);
  remove(audit);
  remove(dir);

  /* Bad options, each refused with a message naming the problem. */
  e = NULL;
  rk_engine_options_init(&opt);
  opt.pseudonym_key = "not hex";
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_STATUS_INVALID_ARGUMENT && e == NULL);
  EXPECT(strlen(rk_last_error()) > 0);
  rk_engine_options_init(&opt);
  opt.velocity_fail_closed = 2;
  EXPECT(rk_engine_open_with(BASIC, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "velocity_fail_closed must be 0 or 1"));
  rk_engine_options_init(&opt);
  opt.require_signature = 2;
  EXPECT(rk_engine_open_with(BASIC, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "require_signature must be 0 or 1"));
  rk_engine_options_init(&opt);
  opt.redis_address = "no-port";
  EXPECT(rk_engine_open_with(BASIC, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "expected host:port"));
  rk_engine_options_init(&opt);
  opt.struct_size = sizeof(size_t);
  EXPECT(rk_engine_open_with(BASIC, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "struct_size is too small"));
  /* A caller built against the first layout (up to velocity_fail_closed) still works. */
  rk_engine_options_init(&opt);
  opt.struct_size = offsetof(rk_engine_options, velocity_fail_closed) + sizeof(int);
  opt.require_signature = 7; /* beyond struct_size: never read */
  EXPECT(rk_engine_open_with(BASIC, &opt, &e) == RK_OK);
  rk_engine_free(e);
  EXPECT(rk_engine_open_with(BASIC, NULL, &e) == RK_OK); /* NULL options = defaults */
  rk_engine_free(e);
  EXPECT(rk_engine_open_with(NULL, NULL, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_engine_open_with"));
  EXPECT(rk_engine_open_with(BASIC, NULL, NULL) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(rk_engine_open_with(RK_SOURCE_DIR "/nonexistent", NULL, &e) == RK_STATUS_IO);
  EXPECT(contains(rk_last_error(), "nonexistent"));
  /* A bundle with personal-data fields and no key anywhere. */
  rk_engine_options_init(&opt);
  opt.pseudonym_key = NULL;
  if (!getenv("RISKKIT_PSEUDONYM_KEY") && !getenv("RISKKIT_PSEUDONYM_KEY_FILE")) {
    EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
    EXPECT(contains(rk_last_error(), "RISKKIT_PSEUDONYM_KEY"));
  }
}

/* Velocity counts (docs/features.md): the value read is the count of the device's prior
 * events in the hour, so the 4th application from one device reads 3 and hits rule V001
 * (apps_per_device_1h >= 3 -> review). A state saved after 3 applications and restored into
 * a fresh engine decides the 4th the same way; a fresh engine without it approves. */
static void test_velocity_snapshot_and_replay(void) {
  rk_engine_options opt;
  rk_engine *a = NULL, *b = NULL;
  char dir[64], snapshot[96], audit[96], record[512], *decision = NULL, *report = NULL;
  const char *times[4] = {"2026-03-01T08:00:00Z", "2026-03-01T08:10:00Z", "2026-03-01T08:20:00Z",
                          "2026-03-01T08:30:00Z"};
  char id[8];
  int i;

  make_temp_dir(dir, sizeof dir);
  snprintf(snapshot, sizeof snapshot, "%s/velocity.state", dir);
  snprintf(audit, sizeof audit, "%s/audit.jsonl", dir);
  rk_engine_options_init(&opt);
  opt.pseudonym_key = TEST_KEY;
  opt.audit_path = audit;
  EXPECT(rk_engine_open_with(FEATURES, &opt, &a) == RK_OK);
  for (i = 0; i < 3; ++i) {
    snprintf(id, sizeof id, "V%d", i);
    application(record, sizeof record, id, times[i], "dev-x", "13812345678");
    EXPECT(decide(a, record, &decision) == RK_OK);
    EXPECT(contains(decision, "\"outcome\":\"approve\""));
    rk_string_free(decision);
  }
  EXPECT(rk_engine_velocity_snapshot(a, snapshot) == RK_OK);
  application(record, sizeof record, "V3", times[3], "dev-x", "13812345678");
  EXPECT(decide(a, record, &decision) == RK_OK);
  EXPECT(contains(decision, "\"outcome\":\"review\"") && contains(decision, "\"id\":\"V001\""));
  rk_string_free(decision);
  rk_engine_free(a);

  rk_engine_options_init(&opt);
  opt.pseudonym_key = TEST_KEY;
  EXPECT(rk_engine_open_with(FEATURES, &opt, &b) == RK_OK);
  EXPECT(decide(b, record, &decision) == RK_OK); /* no history: approve */
  EXPECT(contains(decision, "\"outcome\":\"approve\""));
  rk_string_free(decision);
  rk_engine_free(b);
  EXPECT(rk_engine_open_with(FEATURES, &opt, &b) == RK_OK);
  EXPECT(rk_engine_velocity_restore(b, snapshot) == RK_OK);
  EXPECT(decide(b, record, &decision) == RK_OK);
  EXPECT(contains(decision, "\"outcome\":\"review\"") && contains(decision, "\"id\":\"V001\""));
  rk_string_free(decision);

  EXPECT(rk_engine_velocity_restore(b, RK_SOURCE_DIR "/nonexistent.state") == RK_STATUS_IO);
  EXPECT(contains(rk_last_error(), "nonexistent.state"));
  EXPECT(rk_engine_velocity_restore(b, BASIC "/bundle.json") != RK_OK); /* not a snapshot */
  EXPECT(strlen(rk_last_error()) > 0);
  EXPECT(rk_engine_velocity_snapshot(b, "/nonexistent-dir/x.state") == RK_STATUS_IO);
  EXPECT(rk_engine_velocity_snapshot(NULL, snapshot) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_engine_velocity_snapshot"));
  EXPECT(rk_engine_velocity_restore(b, NULL) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_engine_velocity_restore"));
  rk_engine_free(b);

  /* Replay: the four logged decisions recompute identically; with the basic bundle they
   * cannot (other fields), and the report still comes back RK_OK. */
  EXPECT(rk_replay(audit, FEATURES, &report) == RK_OK);
  EXPECT(contains(report, "\"decisions\":4") && contains(report, "\"identical\":4"));
  EXPECT(contains(report, "\"differences\":[]"));
  rk_string_free(report);
  EXPECT(rk_replay(RK_SOURCE_DIR "/no-audit.jsonl", FEATURES, &report) == RK_STATUS_IO);
  EXPECT(report == NULL);
  EXPECT(contains(rk_last_error(), "no-audit.jsonl"));
  EXPECT(rk_replay(audit, RK_SOURCE_DIR "/nonexistent", &report) == RK_STATUS_IO);
  EXPECT(rk_replay(NULL, FEATURES, &report) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_replay"));
  EXPECT(rk_replay(audit, FEATURES, NULL) == RK_STATUS_INVALID_ARGUMENT);
  remove(audit);
  remove(snapshot);
  remove(dir);
}

/* Velocity state in Redis, at an address where nothing listens: with fail-closed a
 * decision is at least review with RK_VELOCITY_UNAVAILABLE; snapshots are refused. */
static void test_redis_options(void) {
  rk_engine_options opt;
  rk_engine *e = NULL;
  char record[512], *decision = NULL;
  rk_engine_options_init(&opt);
  opt.pseudonym_key = TEST_KEY;
  opt.redis_address = "127.0.0.1:1";
  opt.velocity_fail_closed = 1;
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_OK);
  application(record, sizeof record, "R1", "2026-03-01T08:00:00Z", "dev-r", "13812345678");
  EXPECT(decide(e, record, &decision) == RK_OK);
  EXPECT(contains(decision, "\"outcome\":\"review\"") && contains(decision, "RK_VELOCITY_UNAVAILABLE"));
  rk_string_free(decision);
  EXPECT(rk_engine_velocity_snapshot(e, "/tmp/never-written.state") == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "Redis"));
  rk_engine_free(e);
  opt.velocity_fail_closed = 0; /* fail open: the features are missing, the decision stands */
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_OK);
  EXPECT(decide(e, record, &decision) == RK_OK);
  EXPECT(contains(decision, "\"outcome\":\"approve\"") && !contains(decision, "RK_VELOCITY_UNAVAILABLE"));
  rk_string_free(decision);
  rk_engine_free(e);
}

static void copy_bundle(const char *dir, const char *name, char *out, size_t size) {
  char command[512];
  snprintf(out, size, "%s/%s", dir, name);
  snprintf(command, sizeof command, "cp -R '%s' '%s'", BASIC, out);
  run(command);
}

static rk_status open_signed(const char *bundle, const char *key, const char *public_key, rk_engine **e) {
  rk_engine_options opt;
  rk_engine_options_init(&opt);
  opt.require_signature = 1;
  opt.signature_key = key;
  opt.signature_public_key = public_key;
  *e = NULL;
  return rk_engine_open_with(bundle, &opt, e);
}

/* Signs `bundle` with `key` and checks that its signature file `sig` names `algorithm`. */
static void sign_with(const char *bundle, const char *sig, const char *key, const char *algorithm) {
  char expected[64];
  char *text = NULL;
  EXPECT(rk_bundle_sign(bundle, key, strlen(key)) == RK_OK);
  snprintf(expected, sizeof expected, "\"algorithm\": \"%s\"", algorithm);
  text = slurp(sig);
  EXPECT(contains(text, expected));
  free(text);
}

/* Whether the engine serves the bundle `info` (rk_engine_bundle_info) describes. */
static int serves_bundle(rk_engine *e, const char *info) {
  char *now = NULL;
  int same = rk_engine_bundle_info(e, &now) == RK_OK && info && now && strcmp(info, now) == 0;
  rk_string_free(now);
  return same;
}

/* Signing: HMAC and Ed25519 through rk_bundle_sign, verification through the options. */
static void test_signing(void) {
  char dir[64], bundle[128], foreign[128], sig[160], command[512];
  char *private_pem = NULL, *public_pem = NULL, *other_private = NULL, *other_public = NULL;
  char *info = NULL, *info_after = NULL;
  rk_engine *e = NULL;

  make_temp_dir(dir, sizeof dir);
  copy_bundle(dir, "bundle", bundle, sizeof bundle);
  copy_bundle(dir, "foreign", foreign, sizeof foreign);
  snprintf(sig, sizeof sig, "%s/bundle.sig", bundle);

  /* HMAC. */
  EXPECT(open_signed(bundle, HMAC_KEY, NULL, &e) == RK_STATUS_DIGEST_MISMATCH && e == NULL);
  EXPECT(contains(rk_last_error(), "unsigned and a signature is required"));
  EXPECT(rk_bundle_sign(bundle, "short", 5) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "at least 32 bytes"));
  sign_with(bundle, sig, HMAC_KEY, "hmac-sha256");
  EXPECT(open_signed(bundle, HMAC_KEY, NULL, &e) == RK_OK);
  EXPECT(rk_engine_bundle_info(e, &info) == RK_OK);
  EXPECT(contains(info, "\"name\":\"basic-test\"") && contains(info, "\"version\":\"1.0.0\""));
  rk_engine_free(e);
  EXPECT(open_signed(bundle, HMAC_KEY "!", NULL, &e) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(contains(rk_last_error(), "does not verify with this key"));
  EXPECT(open_signed(bundle, NULL, NULL, &e) == RK_STATUS_INVALID_ARGUMENT || getenv("RISKKIT_BUNDLE_KEY_FILE"));

  /* Ed25519. */
  EXPECT(rk_signing_key_generate(&private_pem, &public_pem) == RK_OK);
  EXPECT(rk_signing_key_generate(&other_private, &other_public) == RK_OK);
  EXPECT(contains(private_pem, "-----BEGIN PRIVATE KEY-----") && contains(public_pem, "-----BEGIN PUBLIC KEY-----"));
  EXPECT(strcmp(public_pem, other_public) != 0);
  EXPECT(rk_signing_key_generate(NULL, &public_pem) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_signing_key_generate"));

  /* The HMAC-signed bundle with a public key required: the algorithm is refused. */
  EXPECT(open_signed(bundle, HMAC_KEY, public_pem, &e) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(contains(rk_last_error(), "signed with \"hmac-sha256\" but an Ed25519 public key is configured"));
  sign_with(bundle, sig, private_pem, "ed25519");
  EXPECT(open_signed(bundle, NULL, public_pem, &e) == RK_OK);
  EXPECT(serves_bundle(e, info)); /* signing does not change the digest */
  /* Reloading into a bundle signed by another key is refused; the current one keeps serving. */
  EXPECT(rk_bundle_sign(foreign, other_private, strlen(other_private)) == RK_OK);
  EXPECT(rk_engine_reload(e, foreign) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(contains(rk_last_error(), "signed by another key"));
  EXPECT(serves_bundle(e, info));
  rk_engine_free(e);
  EXPECT(open_signed(bundle, NULL, other_public, &e) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(open_signed(bundle, NULL, "not a key", &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "not a PEM public key"));
  EXPECT(rk_bundle_sign(bundle, public_pem, strlen(public_pem)) == RK_STATUS_INVALID_ARGUMENT); /* wrong half */
  EXPECT(contains(rk_last_error(), "a public key only verifies"));
  EXPECT(rk_bundle_sign(NULL, private_pem, strlen(private_pem)) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_bundle_sign"));
  EXPECT(rk_bundle_sign(RK_SOURCE_DIR "/nonexistent", private_pem, strlen(private_pem)) == RK_STATUS_IO);

  /* Tampered after signing, then unsigned. */
  snprintf(command, sizeof command, "sed -i 's/\"1.0.0\"/\"1.0.1\"/' '%s/bundle.json'", bundle);
  run(command);
  EXPECT(open_signed(bundle, NULL, public_pem, &e) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(contains(rk_last_error(), "changed since it was signed"));
  remove(sig);
  EXPECT(open_signed(bundle, NULL, public_pem, &e) == RK_STATUS_DIGEST_MISMATCH);
  EXPECT(contains(rk_last_error(), "unsigned"));

  EXPECT(rk_engine_bundle_info(NULL, &info_after) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(contains(rk_last_error(), "rk_engine_bundle_info"));
  rk_string_free(info);
  rk_string_free(private_pem);
  rk_string_free(public_pem);
  rk_string_free(other_private);
  rk_string_free(other_public);
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  run(command);
}

static void test_metrics(void) {
  /* Golden values from scikit-learn's roc_auc_score / roc_curve (tests/cpp/test_metrics.cpp). */
  const double scores[12] = {0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.05, 0.4, 0.7, 0.6, 0.3};
  const double labels[12] = {0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0};
  const double expected[4] = {1, 2, 3, 4}, actual[4] = {1, 2, 3, 4}, edges[1] = {2.5};
  double v = -1;
  EXPECT(rk_metric_auc(scores, labels, 12, &v) == RK_OK && fabs(v - 0.8571428571428571) < 1e-12);
  EXPECT(rk_metric_gini(scores, labels, 12, &v) == RK_OK && fabs(v - 0.7142857142857142) < 1e-12);
  EXPECT(rk_metric_ks(scores, labels, 12, &v) == RK_OK && fabs(v - 0.6) < 1e-12);
  EXPECT(rk_metric_psi(expected, 4, actual, 4, edges, 1, 0, &v) == RK_OK && v == 0.0);
  EXPECT(rk_metric_auc(scores, labels, 2, &v) == RK_STATUS_INVALID_ARGUMENT); /* one class only */
  EXPECT(strstr(rk_last_error(), "auc") != NULL);
}

int main(void) {
  test_version_and_free_null();
  test_model();
  test_engine();
  test_engine_options();
  test_velocity_snapshot_and_replay();
  test_redis_options();
  test_signing();
  test_metrics();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("C ABI: all checks passed\n");
  return 0;
}
