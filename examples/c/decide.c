/* Decide the example applications through the C ABI.
 *
 *   example_c_decide examples/bundles/application
 *
 * Reads <bundle>/applications.jsonl, prints one decision (JSON) per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <riskkit/riskkit.h>

int main(int argc, char **argv) {
  const char *bundle = argc > 1 ? argv[1] : "examples/bundles/application";
  char path[4096];
  char line[65536];
  rk_engine *engine = NULL;
  FILE *in;
  int decided = 0;

  if (rk_engine_open(bundle, &engine) != RK_OK) {
    fprintf(stderr, "cannot open bundle: %s\n", rk_last_error());
    return 1;
  }
  snprintf(path, sizeof path, "%s/applications.jsonl", bundle);
  in = fopen(path, "r");
  if (!in) {
    fprintf(stderr, "cannot open %s\n", path);
    rk_engine_free(engine);
    return 1;
  }
  while (fgets(line, sizeof line, in)) {
    char *decision = NULL;
    rk_status status = rk_engine_decide_json(engine, line, strlen(line), &decision);
    if (status == RK_OK) {
      puts(decision);
      ++decided;
    } else {
      fprintf(stderr, "rejected (status %d): %s\n", (int)status, rk_last_error());
    }
    rk_string_free(decision);
  }
  fclose(in);
  rk_engine_free(engine);
  fprintf(stderr, "%d applications decided with riskkit %s\n", decided, rk_version());
  return decided > 0 ? 0 : 1;
}
