/* The C ABI of monitoring and scorecard development, compiled as C99: CSI, IV, score bands
 * and decision rates against hand-computed values, binning against the documented
 * quantile rule, and a developed scorecard against the closed-form logistic fit of a
 * binary characteristic — scored again through rk_model_load from the exported file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskkit/riskkit.h"
#include "c_test_support.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

/* The number after the n-th (0-based) occurrence of "key": in json; NAN when absent. */
static double json_number(const char *json, const char *key, int n) {
  char pattern[64];
  const char *at = json;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  for (; at && n >= 0; --n) {
    at = strstr(at, pattern);
    if (at && n > 0) at += strlen(pattern);
  }
  return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

/* IV of given per-bin good/bad counts, with the documented smoothing (+0.5 on both counts
 * of a bin without goods or bads; an empty bin adds nothing). */
static double iv_of_counts(const double *goods, const double *bads, int bins) {
  double G = 0, B = 0, iv = 0;
  int i;
  for (i = 0; i < bins; ++i) {
    G += goods[i];
    B += bads[i];
  }
  for (i = 0; i < bins; ++i) {
    double g = goods[i], b = bads[i];
    if (g + b == 0) continue;
    if (g == 0 || b == 0) {
      g += 0.5;
      b += 0.5;
    }
    iv += (g / G - b / B) * log((g / G) / (b / B));
  }
  return iv;
}

static void test_iv_over_fixed_bins_with_special_and_missing(void) {
  const double x[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, -1, -1, NAN};
  const double y[] = {0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1};
  const double edges[] = {1.5, 2.5}, special[] = {-1};
  /* bins [-inf,1.5) [1.5,2.5) [2.5,inf) special -1, missing */
  const double goods[] = {2, 1, 3, 1, 0}, bads[] = {1, 2, 0, 1, 1};
  double iv = 0;
  char *bins = NULL;
  EXPECT(rk_metric_iv(x, y, 12, edges, 2, special, 1, &iv, &bins) == RK_OK);
  EXPECT(NEAR(iv, iv_of_counts(goods, bads, 5), 1e-12));
  EXPECT(bins && strstr(bins, "\"bin\":\"special -1\"") && strstr(bins, "\"bin\":\"missing\""));
  EXPECT(bins && json_number(bins, "count", 2) == 3 && json_number(bins, "bads", 2) == 0);
  /* WOE of the pure bin [2.5, inf): ln((3.5/7) / (0.5/5)) */
  EXPECT(bins && NEAR(json_number(bins, "woe", 2), log((3.5 / 7) / (0.5 / 5)), 1e-12));
  rk_string_free(bins);

  EXPECT(rk_metric_iv(x, y, 12, edges, 2, special, 1, &iv, NULL) == RK_OK); /* no table asked */
  {
    const double bad_labels[] = {0, 2};
    EXPECT(rk_metric_iv(x, bad_labels, 2, NULL, 0, NULL, 0, &iv, NULL) == RK_STATUS_INVALID_ARGUMENT);
    EXPECT(strstr(rk_last_error(), "label") != NULL);
  }
  EXPECT(rk_metric_iv(NULL, y, 12, edges, 2, NULL, 0, &iv, NULL) == RK_STATUS_INVALID_ARGUMENT);
}

static void test_csi_over_training_bins(void) {
  /* expected: 4 below 0.5, 4 above, 2 special; actual: 2, 6, 2 */
  const double expected[] = {0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, -1, -1};
  const double actual[] = {0.1, 0.2, 0.6, 0.6, 0.7, 0.7, 0.8, 0.9, -1, -1};
  const double edges[] = {0.5}, special[] = {-1};
  double csi = 0;
  char *bins = NULL;
  EXPECT(rk_metric_csi(expected, 10, actual, 10, edges, 1, special, 1, &csi, &bins) == RK_OK);
  EXPECT(NEAR(csi, 0.2 * log(2.0) + 0.2 * log(1.5), 1e-12));
  EXPECT(bins && json_number(bins, "expected_count", 2) == 2 && json_number(bins, "actual_count", 1) == 6);
  EXPECT(bins && strstr(bins, "missing") == NULL); /* no NaN in either sample: no missing bin */
  rk_string_free(bins);
  EXPECT(rk_metric_csi(expected, 0, actual, 10, edges, 1, special, 1, &csi, NULL) == RK_STATUS_INVALID_ARGUMENT);
}

static void test_score_bands(void) {
  const double scores[] = {1, 2, 3, 4, 5, 6, 7, 8, NAN};
  const double labels[] = {1, 1, 1, 0, 1, 0, 0, 0, 1};
  const double edges[] = {4.5};
  char *table = NULL;
  EXPECT(rk_score_bands(scores, labels, 9, edges, 1, 0, &table) == RK_OK);
  /* band 0: 4 rows, 3 bads; band 1: 4 rows, 1 bad; missing: 1 row, 1 bad (5 bads, 4 goods) */
  EXPECT(table && json_number(table, "count", 0) == 4 && json_number(table, "bads", 0) == 3);
  EXPECT(table && NEAR(json_number(table, "bad_rate", 1), 0.25, 1e-15));
  EXPECT(table && NEAR(json_number(table, "cumulative_bads", 0), 3.0 / 5, 1e-15));
  EXPECT(table && NEAR(json_number(table, "cumulative_goods", 0), 1.0 / 4, 1e-15));
  EXPECT(table && NEAR(json_number(table, "ks", 0), 3.0 / 5 - 1.0 / 4, 1e-15));
  EXPECT(table && strstr(table, "\"band\":\"missing\"") && strstr(table, "\"lower\":null"));
  rk_string_free(table);
  EXPECT(rk_score_bands(scores, labels, 9, NULL, 1, 0, &table) == RK_STATUS_INVALID_ARGUMENT);
}

static void test_decision_rates(void) {
  const char *outcomes[] = {"approve", "approve", "review", "decline", "error", "refer"};
  char *rates = NULL;
  EXPECT(rk_decision_rates(outcomes, 6, &rates) == RK_OK);
  EXPECT(rates && json_number(rates, "total", 0) == 6 && json_number(rates, "other", 0) == 1);
  EXPECT(rates && NEAR(json_number(rates, "approve_rate", 0), 2.0 / 5, 1e-15));
  EXPECT(rates && NEAR(json_number(rates, "automated_rate", 0), 3.0 / 5, 1e-15));
  EXPECT(rates && NEAR(json_number(rates, "error_rate", 0), 1.0 / 6, 1e-15));
  rk_string_free(rates);
  outcomes[1] = NULL;
  EXPECT(rk_decision_rates(outcomes, 6, &rates) == RK_STATUS_INVALID_ARGUMENT);
}

static void test_quantile_binning(void) {
  double x[100], y[100];
  char *binning = NULL;
  rk_scorecard_options opt;
  int i;
  for (i = 0; i < 100; ++i) {
    x[i] = 99 - i; /* order does not matter */
    y[i] = (i % 3 == 0);
  }
  rk_scorecard_options_init(&opt);
  EXPECT(opt.struct_size == sizeof opt && opt.max_bins == 10 && opt.pdo == 20 && opt.monotonic == RK_MONOTONIC_AUTO);
  opt.method = RK_BINNING_QUANTILE;
  opt.max_bins = 4;
  opt.monotonic = RK_MONOTONIC_NONE;
  /* edge k = the value at position floor(k * 100 / 4) of the sorted values */
  EXPECT(rk_scorecard_bin(x, y, 100, &opt, &binning) == RK_OK);
  EXPECT(binning && strstr(binning, "\"edges\":[25.0,50.0,75.0]") && strstr(binning, "\"direction\":\"none\""));
  rk_string_free(binning);
  opt.monotonic = 7;
  EXPECT(rk_scorecard_bin(x, y, 100, &opt, &binning) == RK_STATUS_INVALID_ARGUMENT && binning == NULL);
  opt.monotonic = RK_MONOTONIC_NONE;
  opt.struct_size = sizeof(size_t);
  EXPECT(rk_scorecard_bin(x, y, 100, &opt, &binning) == RK_STATUS_INVALID_ARGUMENT);
}

/* One binary characteristic: the logistic fit on its two WOE values is saturated, so
 * logit(bad rate of bin k) = α + β·WOE_k with WOE_k = ln(B/G) − logit(rate_k): β = −1 and
 * α = ln(B/G); points = offset − factor·logit(rate_k). */
static void test_develop_matches_the_closed_form(void) {
  enum { N = 1000 };
  static double columns[2 * N], labels[N];
  const char *names[] = {"owns_home", "inquiries"};
  const double factor = 20 / log(2.0), offset = 600 - factor * log(50.0);
  double bads[2] = {0, 0}, rows[2] = {0, 0}, B = 0, G = 0, out[N], value[N];
  float features[2 * N];
  char *model = NULL, *report = NULL;
  rk_scorecard_options opt;
  rk_predict_options predict;
  rk_model *m = NULL;
  FILE *f;
  int i, k, ok = 1;
  for (i = 0; i < N; ++i) {
    k = i % 4 == 0;
    columns[i] = k;                           /* owns_home: 1 for a quarter of the rows */
    columns[N + i] = (i % 7 == 3) ? NAN : 0;  /* constant with missing values: no information */
    labels[i] = k ? (i % 20 == 0) : (i % 3 == 1);
    bads[k] += labels[i];
    rows[k] += 1;
  }
  B = bads[0] + bads[1];
  G = N - B;

  rk_scorecard_options_init(&opt);
  opt.l2 = 0;
  EXPECT(rk_scorecard_develop(columns, N, 1, names, labels, &opt, &model, &report) == RK_OK);
  EXPECT(report && NEAR(json_number(report, "intercept", 0), log(B / G), 1e-9));
  EXPECT(report && NEAR(json_number(report, "coefficient", 0), -1, 1e-9));
  EXPECT(report && strstr(report, "\"converged\":true") && strstr(report, "\"name\":\"owns_home\""));
  EXPECT(model && strstr(model, "\"riskkit_model\": \"scorecard\""));

  /* The exported model, loaded as production loads it, scores exactly these points. */
  f = fopen("riskkit_c_scorecard.json", "wb");
  EXPECT(f != NULL);
  if (f) {
    fputs(model, f);
    fclose(f);
  }
  EXPECT(rk_model_load("riskkit_c_scorecard.json", &m) == RK_OK);
  for (i = 0; i < N; ++i) features[i] = (float)columns[i];
  rk_predict_options_init(&predict);
  predict.output = RK_OUTPUT_MARGIN;
  EXPECT(rk_model_predict(m, features, N, 1, &predict, out) == RK_OK);
  predict.output = RK_OUTPUT_VALUE;
  EXPECT(rk_model_predict(m, features, N, 1, &predict, value) == RK_OK);
  for (i = 0; i < N; ++i) {
    const double rate = bads[(int)columns[i]] / rows[(int)columns[i]];
    ok &= NEAR(out[i], offset - factor * log(rate / (1 - rate)), 1e-6);
    ok &= NEAR(value[i], rate, 1e-9);
  }
  EXPECT(ok);
  rk_model_free(m);
  remove("riskkit_c_scorecard.json");
  rk_string_free(model);
  rk_string_free(report);

  /* Two characteristics, the second with a missing bin; the report is optional. */
  EXPECT(rk_scorecard_develop(columns, N, 2, names, labels, &opt, &model, NULL) == RK_OK);
  EXPECT(model && strstr(model, "\"name\": \"inquiries\"") && strstr(model, "\"missing_points\""));
  rk_string_free(model);
  model = NULL;
  EXPECT(rk_scorecard_develop(columns, N, 1, names, NULL, &opt, &model, NULL) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(model == NULL && strstr(rk_last_error(), "rk_scorecard_develop") != NULL);
  labels[0] = 0.5;
  EXPECT(rk_scorecard_develop(columns, N, 1, names, labels, &opt, &model, NULL) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(model == NULL && strstr(rk_last_error(), "label") != NULL);
}

int main(void) {
  test_iv_over_fixed_bins_with_special_and_missing();
  test_csi_over_training_bins();
  test_score_bands();
  test_decision_rates();
  test_quantile_binning();
  test_develop_matches_the_closed_form();
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
