/* The C ABI, compiled as C99: every function of riskkit.h, its statuses and messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskkit/riskkit.h"

static int failures = 0;

#define EXPECT(cond)                                                   \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                      \
    }                                                                  \
  } while (0)

#define BASIC RK_SOURCE_DIR "/tests/data/bundles/basic"

static void test_version_and_free_null(void) {
  EXPECT(strlen(rk_version()) >= 5);
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
  test_metrics();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("C ABI: all checks passed\n");
  return 0;
}
