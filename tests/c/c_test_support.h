/* What the C ABI tests (compiled as C99) share: a count of failed checks and EXPECT, which
 * reports a failed condition with its file and line and carries on. Each test program
 * includes this once and returns non-zero from main when `failures` is not zero. */
#ifndef RK_TESTS_C_TEST_SUPPORT_H
#define RK_TESTS_C_TEST_SUPPORT_H

#include <stdio.h>

static int failures = 0;

#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                         \
    }                                                                     \
  } while (0)

#endif /* RK_TESTS_C_TEST_SUPPORT_H */
