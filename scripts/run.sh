#!/usr/bin/env bash
# The main job: set up, build, and decide the example applications with the example
# bundle, printing one decision per application.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# The example bundle has personal-data fields, which are only ever used pseudonymized with
# a key from the environment (docs/privacy.md). Without one, this demo uses a throwaway key.
if [ -z "${RISKKIT_PSEUDONYM_KEY:-}" ] && [ -z "${RISKKIT_PSEUDONYM_KEY_FILE:-}" ]; then
  echo "run: RISKKIT_PSEUDONYM_KEY is not set; using a throwaway key for this demo" >&2
  export RISKKIT_PSEUDONYM_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
fi
build/bin/riskkit decide --bundle examples/bundles/application \
  --input examples/bundles/application/applications.jsonl --output -
