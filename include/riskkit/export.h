/* The one export macro (C and C++). libriskkit is built with hidden visibility; only what
 * is marked RK_API (the C++ API and the C ABI) is exported. */
#ifndef RISKKIT_EXPORT_H
#define RISKKIT_EXPORT_H

#if defined(_WIN32)
#  if defined(RISKKIT_BUILDING)
#    define RK_API __declspec(dllexport)
#  else
#    define RK_API __declspec(dllimport)
#  endif
#else
#  define RK_API __attribute__((visibility("default")))
#endif

#endif /* RISKKIT_EXPORT_H */
