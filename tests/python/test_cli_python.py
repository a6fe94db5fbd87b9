"""``python -m riskkit``: decide, features and predict over files, in a subprocess.

References: the C++ CLI's output (build/bin/riskkit decide) and Engine.decide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import riskkit
from scale_data import EXAMPLE_BUNDLE, FEATURES_BUNDLE, linked_history

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "bin" / "riskkit"


def python_m(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "riskkit", *args], input=stdin, capture_output=True, text=True,
                          env=dict(os.environ), check=False)


def test_decide_parquet_to_parquet(tmp_path):
    with open(EXAMPLE_BUNDLE / "applications.jsonl") as f:
        records = [json.loads(line) for line in f if line.strip()]
    plain = [r for r in records if r["application_id"].startswith("A-")]
    pd.DataFrame(plain).to_parquet(tmp_path / "x.parquet")
    done = python_m("decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(tmp_path / "x.parquet"),
                    "--output", str(tmp_path / "y.parquet"))
    assert done.returncode == 0, done.stderr
    assert f"{len(plain)} decided, 0 rejected" in done.stderr
    out = pd.read_parquet(tmp_path / "y.parquet")
    engine = riskkit.Engine(EXAMPLE_BUNDLE)
    for (_, row), record in zip(out.iterrows(), plain):
        d = engine.decide(record)
        assert (row["event_id"], row["outcome"], row["score_credit"]) == (d.event_id, d.outcome, d.scores["credit"])


def test_decide_csv_equals_the_cli_and_stdin_stdout(tmp_path):
    if not CLI.exists():
        pytest.skip("build/bin/riskkit is not built (scripts/build.sh)")
    source = EXAMPLE_BUNDLE / "applications.csv"
    done = python_m("decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(source), "--output", str(tmp_path / "py.csv"))
    assert done.returncode == 0, done.stderr
    subprocess.run([str(CLI), "decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(source),
                    "--output", str(tmp_path / "cli.csv")], check=True, capture_output=True)
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()

    lines = (EXAMPLE_BUNDLE / "applications.jsonl").read_text()
    piped = python_m("decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", "-", "--output", "-", stdin=lines)
    cli = subprocess.run([str(CLI), "decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", "-", "--output", "-"],
                         input=lines, capture_output=True, text=True, check=True)

    def strip(text: str) -> list[dict]:
        return [{k: v for k, v in json.loads(line).items() if k != "latency_us"} for line in text.splitlines()]

    assert strip(piped.stdout) == strip(cli.stdout)


def test_decide_exit_codes(tmp_path):
    rejected = ROOT / "tests" / "data" / "records" / "missing_required.jsonl"
    done = python_m("decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(rejected), "--output",
                    str(tmp_path / "out.jsonl"))
    assert done.returncode == 3 and "0 decided, 1 rejected" in done.stderr
    assert "requested_amount" in json.loads((tmp_path / "out.jsonl").read_text())["error"]
    missing = python_m("decide", "--bundle", str(tmp_path / "nowhere"), "--input", str(rejected), "--output", "-")
    assert missing.returncode == 2 and "riskkit decide:" in missing.stderr
    bad_format = python_m("decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(rejected), "--output",
                          str(tmp_path / "out.xlsx"))
    assert bad_format.returncode == 2 and "unknown file format" in bad_format.stderr


def test_features_and_predict_commands(tmp_path):
    history = linked_history(2, n=200)
    history.to_parquet(tmp_path / "h.parquet")
    done = python_m("features", "--bundle", str(FEATURES_BUNDLE), "--input", str(tmp_path / "h.parquet"),
                    "--output", str(tmp_path / "f.parquet"), "--keep", "application_id")
    assert done.returncode == 0, done.stderr
    got = pd.read_parquet(tmp_path / "f.parquet")
    want = riskkit.features.compute(FEATURES_BUNDLE, history)
    np.testing.assert_array_equal(got[want.columns].to_numpy(), want.to_numpy())

    model = EXAMPLE_BUNDLE / "models" / "credit.json"
    names = riskkit.load_model(model).feature_names
    X = pd.DataFrame(np.random.default_rng(1).normal(size=(50, len(names))), columns=names)
    X.to_parquet(tmp_path / "X.parquet")
    done = python_m("predict", "--model", str(model), "--input", str(tmp_path / "X.parquet"),
                    "--output", str(tmp_path / "s.csv"), "--margin")
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(tmp_path / "s.csv")
    np.testing.assert_allclose(scores["margin"], riskkit.load_model(model).predict(X, output="margin"), rtol=1e-15)
    assert python_m("version").stdout.strip() == riskkit.__version__
