/* Loads a model with an installed riskkit (C ABI). */
#include <stdio.h>

#include <riskkit/riskkit.h>

int main(int argc, char **argv) {
  rk_model *m = NULL;
  size_t n = 0;
  if (argc < 2 || rk_model_load(argv[1], &m) != RK_OK) {
    fprintf(stderr, "%s\n", rk_last_error());
    return 1;
  }
  rk_model_num_features(m, &n);
  printf("riskkit %s: %zu features\n", rk_version(), n);
  rk_model_free(m);
  return n == 3 ? 0 : 1;
}
