"""Decide the example loan applications with riskkit, one by one and as a DataFrame.

    .venv/bin/python examples/python/decide_applications.py [BUNDLE_DIR]

BUNDLE_DIR defaults to examples/bundles/application; it must hold applications.jsonl and
applications.csv next to bundle.json. Prints one line per application, then how often
each outcome occurred in the CSV.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import riskkit
import riskkit.io

DEFAULT_BUNDLE = Path(__file__).resolve().parents[2] / "examples" / "bundles" / "application"
# The bundle pseudonymizes personal data, which needs a key. A deployment sets
# RISKKIT_PSEUDONYM_KEY (or RISKKIT_PSEUDONYM_KEY_FILE); without one, this public demo key.
DEMO_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def pseudonym_key() -> str | None:
    """None (the engine reads the environment) when a key is configured, else DEMO_KEY."""
    configured = {"RISKKIT_PSEUDONYM_KEY", "RISKKIT_PSEUDONYM_KEY_FILE"} & os.environ.keys()
    return None if configured else DEMO_KEY


def main(bundle_dir: Path) -> int:
    engine = riskkit.Engine(bundle_dir, pseudonym_key=pseudonym_key())
    info = engine.bundle_info
    print(f"riskkit {riskkit.__version__}: bundle {info['name']} {info['version']} ({info['digest'][:12]})")

    # One record at a time, as an application server would.
    with open(bundle_dir / "applications.jsonl", encoding="utf-8") as lines:
        for line in filter(str.strip, lines):
            try:
                d = engine.decide(json.loads(line))
            except riskkit.RiskkitError as error:  # a required field is missing
                print(f"rejected: {error}")
                continue
            scores = " ".join(f"{name}={value:.4f}" for name, value in d.scores.items())
            reasons = ", ".join(r["code"] for r in d.reasons) or "-"
            print(f"{d.event_id:>10}  {d.outcome:<8} grade {d.grade or '-':<2} {scores}  reasons: {reasons}")

    # A whole file at once, on all cores, as a modeller would.
    # read_frame keeps the schema's string fields (phone numbers) as text, as pandas would not.
    decisions = engine.decide_frame(riskkit.io.read_frame(bundle_dir / "applications.csv", bundle=bundle_dir))
    print("\nCSV outcomes:")
    print(decisions["outcome"].value_counts().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BUNDLE))
