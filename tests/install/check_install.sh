#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, moves it (the install must be
# relocatable), then builds and runs a consumer through find_package(riskkit) and a C
# program through pkg-config. Usage: check_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/first" >/dev/null
mv "$work/first" "$work/moved"
prefix=$work/moved
for f in include/riskkit/riskkit.hpp include/riskkit/riskkit.h lib/libriskkit.so bin/riskkit \
         lib/cmake/riskkit/riskkitConfig.cmake lib/pkgconfig/riskkit.pc; do
  [ -e "$prefix/$f" ] || { echo "missing from the install: $f" >&2; exit 1; }
done
bundle=$src/tests/data/bundles/basic

cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_LIBRARY_PATH=$prefix/lib "$work/consumer/consumer_cpp" "$bundle"
LD_LIBRARY_PATH=$prefix/lib "$work/consumer/consumer_c" "$bundle/models/risk.json"

flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs riskkit)
cc -std=c99 "$src/tests/install/consumer/consumer.c" $flags -o "$work/pkgconfig_c"
LD_LIBRARY_PATH=$prefix/lib "$work/pkgconfig_c" "$bundle/models/risk.json"
"$prefix/bin/riskkit" version
echo "install: relocatable tree, find_package and pkg-config consumers work"
