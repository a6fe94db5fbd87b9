# Third-party dependencies, all from Debian packages (see README).
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# hiredis, for the Redis velocity store. Debian's HiredisConfig.cmake sets variables only.
find_package(Hiredis 0.14 REQUIRED)  # the version: Debian's version file fails without one
add_library(rk_hiredis INTERFACE)
target_include_directories(rk_hiredis SYSTEM INTERFACE "${HIREDIS_INCLUDE_DIRS}")
target_link_libraries(rk_hiredis INTERFACE "${HIREDIS_LIBRARIES}")

# Debian's libxgboost-dev ships a CMake config that points at files the package does not
# install, so the C API is found by hand.
find_path(RK_XGBOOST_INCLUDE_DIR xgboost/c_api.h REQUIRED)
find_library(RK_XGBOOST_LIBRARY NAMES xgboost REQUIRED)
add_library(rk_xgboost INTERFACE)
target_include_directories(rk_xgboost SYSTEM INTERFACE "${RK_XGBOOST_INCLUDE_DIR}")
target_link_libraries(rk_xgboost INTERFACE "${RK_XGBOOST_LIBRARY}")

if(RK_BUILD_CLI)
  find_package(CLI11 REQUIRED)
endif()
if(RK_BUILD_TESTS)
  find_package(doctest REQUIRED)
endif()
if(RK_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
