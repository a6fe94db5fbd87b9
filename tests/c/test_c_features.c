/* The C ABI's deployment settings, compiled as C99: the pseudonymization key, velocity
 * state through the engine, its snapshot and restore, and the fail-closed policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskkit/riskkit.h"
#include "c_test_support.h"

#define FEATURES RK_SOURCE_DIR "/tests/data/bundles/features"
#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* Decides one application and tells whether the decision JSON contains `needle`. */
static int decides_with(rk_engine *e, const char *id, const char *time, const char *device, const char *needle) {
  char record[512], *decision = NULL;
  int found;
  snprintf(record, sizeof record,
           "{\"application_id\": \"%s\", \"applied_at\": \"%s\", \"device_id\": \"%s\", \"phone\": \"13812345678\"}",
           id, time, device);
  if (rk_engine_decide_json(e, record, strlen(record), &decision) != RK_OK) {
    fprintf(stderr, "decide: %s\n", rk_last_error());
    return 0;
  }
  found = strstr(decision, needle) != NULL;
  if (!found) fprintf(stderr, "no %s in %s\n", needle, decision);
  rk_string_free(decision);
  return found;
}

static void test_key_list_and_velocity(void) {
  rk_engine_options opt;
  rk_engine *e = NULL, *restored = NULL;
  const char *snapshot = "riskkit_c_features_snapshot.bin";

  rk_engine_options_init(&opt);
  EXPECT(opt.struct_size == sizeof opt && opt.redis_address == NULL && opt.velocity_fail_closed == 0);
  opt.pseudonym_key = "0001";
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_STATUS_INVALID_ARGUMENT);
  EXPECT(strstr(rk_last_error(), "pseudonym key") != NULL);
  opt.pseudonym_key = KEY;
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_OK);
  EXPECT(decides_with(e, "A1", "2026-11-25T10:00:00Z", "dev-blocked-1", "\"outcome\":\"decline\""));
  EXPECT(decides_with(e, "A2", "2026-11-25T10:01:00Z", "dev-7", "\"outcome\":\"approve\""));
  EXPECT(decides_with(e, "A3", "2026-11-25T10:02:00Z", "dev-7", "\"outcome\":\"approve\""));
  EXPECT(decides_with(e, "A4", "2026-11-25T10:03:00Z", "dev-7", "\"outcome\":\"approve\""));
  EXPECT(rk_engine_velocity_snapshot(e, snapshot) == RK_OK);
  EXPECT(rk_engine_open_with(FEATURES, &opt, &restored) == RK_OK);
  EXPECT(rk_engine_velocity_restore(restored, snapshot) == RK_OK);
  /* The fourth application from dev-7 within the hour: V001 (review), in both engines. */
  EXPECT(decides_with(e, "A5", "2026-11-25T10:04:00Z", "dev-7", "\"outcome\":\"review\""));
  EXPECT(decides_with(restored, "A5", "2026-11-25T10:04:00Z", "dev-7", "\"outcome\":\"review\""));
  EXPECT(rk_engine_velocity_restore(restored, "no-such-snapshot.bin") == RK_STATUS_IO);
  EXPECT(rk_engine_velocity_snapshot(NULL, snapshot) == RK_STATUS_INVALID_ARGUMENT);
  remove(snapshot);
  rk_engine_free(e);
  rk_engine_free(restored);
}

static void test_store_down(void) {
  rk_engine_options opt;
  rk_engine *e = NULL;
  rk_engine_options_init(&opt);
  opt.pseudonym_key = KEY;
  opt.redis_address = "127.0.0.1:1"; /* nothing listens there */
  opt.velocity_fail_closed = 1;
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_OK);
  EXPECT(decides_with(e, "B1", "2026-11-25T10:00:00Z", "dev-1", "\"outcome\":\"review\""));
  EXPECT(decides_with(e, "B2", "2026-11-25T10:00:00Z", "dev-1", "RK_VELOCITY_UNAVAILABLE"));
  EXPECT(rk_engine_velocity_snapshot(e, "x.bin") == RK_STATUS_INVALID_ARGUMENT);
  rk_engine_free(e);
  opt.redis_address = "nowhere";
  EXPECT(rk_engine_open_with(FEATURES, &opt, &e) == RK_STATUS_INVALID_ARGUMENT && e == NULL);
}

int main(void) {
  test_key_list_and_velocity();
  test_store_down();
  if (failures) fprintf(stderr, "%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
