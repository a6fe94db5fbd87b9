#!/usr/bin/env bash
# The main job: set up, build, and decide the example applications with the example
# bundle, printing one decision per application.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/bin/riskkit decide --bundle examples/bundles/application \
  --input examples/bundles/application/applications.jsonl --output -
