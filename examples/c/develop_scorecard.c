/* Scorecard development and monitoring through the C ABI (docs/c-api.md): develop a points
 * scorecard from column-major data, load the exported model as production does, score it,
 * and monitor: IV, CSI against the training bins, a score-band table, decision rates.
 *
 *     example_c_develop_scorecard            (no arguments; prints what it computes)
 */
#include <stdio.h>
#include <stdlib.h>

#include <riskkit/riskkit.h>

#define ROWS 20000

static int check(rk_status s, const char *what) {
  if (s != RK_OK) fprintf(stderr, "%s: %s\n", what, rk_last_error());
  return s == RK_OK;
}

/* A reproducible pseudo-random number in [0, 1). */
static double uniform(unsigned long *state) {
  *state = *state * 6364136223846793005UL + 1442695040888963407UL;
  return (double)((*state >> 11) & 0xFFFFFFFFFFFFFUL) / 4503599627370496.0;
}

int main(void) {
  static double columns[2 * ROWS], labels[ROWS], points[ROWS];
  static float rows[2 * ROWS];
  const char *names[] = {"age", "utilization"};
  const double special[] = {-1}; /* utilization -1: no revolving lines */
  unsigned long state = 42;
  char *model_json = NULL, *report = NULL, *bands = NULL;
  rk_scorecard_options opt;
  rk_predict_options predict;
  rk_model *model = NULL;
  double iv = 0, csi = 0;
  const char *path = "develop_scorecard_example.json";
  FILE *f;
  int i, ok = 1;

  for (i = 0; i < ROWS; ++i) {
    const double age = (double)(18 + (int)(57 * uniform(&state)));
    const double utilization = uniform(&state) < 0.1 ? -1 : (int)(1000 * uniform(&state)) / 1000.0;
    /* bad rate: 15 % on average, higher for the young and the highly utilized */
    const double p = 0.15 - 0.004 * (age - 40) + (utilization < 0 ? 0.08 : 0.2 * (utilization - 0.5));
    columns[i] = age;
    columns[ROWS + i] = utilization;
    labels[i] = uniform(&state) < p;
  }

  rk_scorecard_options_init(&opt);
  opt.special = special;
  opt.n_special = 1;
  ok &= check(rk_scorecard_develop(columns, ROWS, 2, names, labels, &opt, &model_json, &report), "develop");
  if (!ok) return 1;
  printf("development report: %.300s...\n", report);

  /* The exported model, loaded and scored as the engine does. */
  f = fopen(path, "wb");
  if (!f) return 1;
  fputs(model_json, f);
  fclose(f);
  ok &= check(rk_model_load(path, &model), "load");
  for (i = 0; i < ROWS; ++i) {
    rows[2 * i] = (float)columns[i];
    rows[2 * i + 1] = (float)columns[ROWS + i];
  }
  rk_predict_options_init(&predict);
  predict.output = RK_OUTPUT_MARGIN; /* points */
  ok &= ok && check(rk_model_predict(model, rows, ROWS, 2, &predict, points), "predict");
  printf("points of the first applicant: %.2f\n", points[0]);

  /* Monitoring: IV of age over fixed bands, CSI of the second half against the first
   * over the same bands, score bands of the points (higher points = safer, so bads are
   * counted against the negated points), and decision rates. */
  {
    const double edges[] = {25, 35, 50, 65};
    const char *outcomes[] = {"approve", "approve", "review", "decline"};
    char *rates = NULL;
    for (i = 0; i < ROWS; ++i) points[i] = -points[i];
    ok &= check(rk_metric_iv(columns, labels, ROWS, edges, 4, NULL, 0, &iv, NULL), "iv");
    ok &= check(rk_metric_csi(columns, ROWS / 2, columns + ROWS / 2, ROWS / 2, edges, 4, NULL, 0, &csi, NULL), "csi");
    ok &= check(rk_score_bands(points, labels, ROWS, NULL, 0, 5, &bands), "score bands");
    ok &= check(rk_decision_rates(outcomes, 4, &rates), "decision rates");
    printf("IV of age %.4f, CSI %.5f\nscore bands: %.200s...\nrates: %s\n", iv, csi, bands ? bands : "",
           rates ? rates : "");
    rk_string_free(rates);
  }

  rk_string_free(bands);
  rk_string_free(report);
  rk_string_free(model_json);
  rk_model_free(model);
  remove(path);
  return ok ? 0 : 1;
}
