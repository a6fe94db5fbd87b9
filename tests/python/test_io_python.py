"""riskkit.io: Parquet, CSV and JSON Lines in and out.

References: the C++ CLI (build/bin/riskkit decide) for CSV and JSON Lines decisions,
Engine.decide row by row for Parquet, features.compute and XGBoost for the other files.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import riskkit
import riskkit.io
from scale_data import EXAMPLE_BUNDLE, FEATURES_BUNDLE, linked_history

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")
xgb = pytest.importorskip("xgboost")

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "bin" / "riskkit"
MODEL = EXAMPLE_BUNDLE / "models" / "credit.json"
REJECTED = ROOT / "tests" / "data" / "records" / "missing_required.jsonl"


def without_latency(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    for row in rows:
        row.pop("latency_us", None)
    return rows


def run_cli(tmp_path: Path, source: Path, suffix: str) -> str:
    if not CLI.exists():
        pytest.skip("build/bin/riskkit is not built (scripts/build.sh)")
    out = tmp_path / f"cli{suffix}"
    subprocess.run([str(CLI), "decide", "--bundle", str(EXAMPLE_BUNDLE), "--input", str(source), "--output", str(out)],
                   check=False, capture_output=True)
    return out.read_text()


def with_rejected(tmp_path: Path) -> Path:
    """applications.jsonl plus a record without a required field and a broken line."""
    path = tmp_path / "records.jsonl"
    path.write_text((EXAMPLE_BUNDLE / "applications.jsonl").read_text() + REJECTED.read_text() + "{not json\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_decide_file_writes_what_the_cli_writes(tmp_path, suffix):
    source = EXAMPLE_BUNDLE / f"applications{suffix}" if suffix == ".csv" else with_rejected(tmp_path)
    counts = riskkit.io.decide_file(EXAMPLE_BUNDLE, source, tmp_path / f"py{suffix}", chunk_rows=10)
    got, want = (tmp_path / f"py{suffix}").read_text(), run_cli(tmp_path, source, suffix)
    examples = len((EXAMPLE_BUNDLE / "applications.jsonl").read_text().splitlines())
    if suffix == ".csv":
        assert got == want
        assert counts == {"decided": examples, "rejected": 0}
    else:
        got_rows, want_rows = without_latency(got), without_latency(want)
        # The last line is not JSON: Python's parser words the error differently; the line
        # number and the "<file>:<line>: " prefix agree.
        assert got_rows[:-1] == want_rows[:-1]
        broken = examples + 2  # the examples, the rejected record, then the broken line
        assert got_rows[-1]["line"] == want_rows[-1]["line"] == broken
        assert got_rows[-1]["error"].split(": ")[0] == want_rows[-1]["error"].split(": ")[0] == f"{source}:{broken}"
        assert counts == {"decided": examples, "rejected": 2}


def test_decide_file_parquet_equals_decide_row_by_row(tmp_path):
    with open(EXAMPLE_BUNDLE / "applications.jsonl") as f:
        records = [json.loads(line) for line in f if line.strip()]
    plain = pd.DataFrame([r for r in records if r["application_id"].startswith("A-")])
    plain["applied_at"] = pd.to_datetime(plain["applied_at"], utc=True)
    plain.to_parquet(tmp_path / "in.parquet")
    riskkit.io.decide_file(EXAMPLE_BUNDLE, tmp_path / "in.parquet", tmp_path / "out.parquet", chunk_rows=5,
                           progress=True)
    out = pq.read_table(tmp_path / "out.parquet").to_pandas()
    engine = riskkit.Engine(EXAMPLE_BUNDLE)
    assert len(out) == len(plain)
    for (_, row), record in zip(out.iterrows(), plain.to_dict(orient="records")):
        d = engine.decide(record)
        assert (row["event_id"], row["outcome"], row["grade"]) == (d.event_id, d.outcome, d.grade)
        assert row["score_credit"] == d.scores["credit"]
        assert list(row["rule_hits"]) == [h["id"] for h in d.rule_hits]
        assert list(row["reasons"]) == [r["code"] for r in d.reasons]
        assert row["issues"] == len(d.issues) and pd.isna(row["error"])


def test_decide_file_streams_velocity_state_across_chunks(tmp_path):
    history = linked_history(11, n=900)
    history.to_parquet(tmp_path / "history.parquet")
    riskkit.io.decide_file(FEATURES_BUNDLE, tmp_path / "history.parquet", tmp_path / "out.parquet", chunk_rows=64)
    got = pd.read_parquet(tmp_path / "out.parquet")
    want = riskkit.Engine(FEATURES_BUNDLE).decide_frame(history)
    assert got["rule_hits"].map(list).tolist() == want["rule_hits"].tolist()
    assert got["outcome"].tolist() == want["outcome"].tolist()


def test_features_file_round_trip(tmp_path):
    history = linked_history(12, n=400)
    history.to_parquet(tmp_path / "history.parquet")
    riskkit.io.features_file(FEATURES_BUNDLE, tmp_path / "history.parquet", tmp_path / "features.parquet",
                             keep=["application_id"])
    got = pd.read_parquet(tmp_path / "features.parquet")
    want = riskkit.features.compute(FEATURES_BUNDLE, history)
    assert got["application_id"].tolist() == history["application_id"].tolist()
    np.testing.assert_array_equal(got[want.columns].to_numpy(), want.to_numpy())
    riskkit.io.features_file(FEATURES_BUNDLE, tmp_path / "history.parquet", tmp_path / "features.csv")
    np.testing.assert_allclose(pd.read_csv(tmp_path / "features.csv").to_numpy(), want.to_numpy(), rtol=1e-15)


def test_predict_file_equals_xgboost(tmp_path):
    rng = np.random.default_rng(4)
    booster = xgb.Booster(model_file=str(MODEL))
    names = booster.feature_names
    X = pd.DataFrame(rng.normal(size=(300, len(names))).astype(np.float32) * 3, columns=names)
    X.iloc[::7, 2] = np.nan
    X.insert(0, "id", [f"r{i}" for i in range(len(X))])
    X.to_csv(tmp_path / "X.csv", index=False)
    riskkit.io.predict_file(MODEL, tmp_path / "X.csv", tmp_path / "scores.parquet", keep=["id"])
    got = pd.read_parquet(tmp_path / "scores.parquet")
    want = booster.predict(xgb.DMatrix(pd.read_csv(tmp_path / "X.csv")[names].to_numpy(np.float32),
                                       feature_names=names, missing=np.nan))
    assert got["id"].tolist() == X["id"].tolist()
    np.testing.assert_allclose(got["value"].to_numpy(), want, rtol=0, atol=1e-6)


def test_read_frame_keeps_schema_strings_as_text(tmp_path):
    typed = riskkit.io.read_frame(EXAMPLE_BUNDLE / "applications.csv", bundle=EXAMPLE_BUNDLE)
    first = json.loads((EXAMPLE_BUNDLE / "applications.jsonl").read_text().splitlines()[0])
    assert typed["phone"].iloc[0] == first["phone"]
    assert typed["requested_amount"].dtype.kind in "if"
    decided = riskkit.Engine(EXAMPLE_BUNDLE).decide_frame(typed)
    assert "phone" not in " ".join(str(i) for i in decided["issues"])  # phones read as text
    frame = pd.DataFrame({"a": [1.5, None], "b": [["x", "y"], []], "t": pd.to_datetime(["2026-01-01", None])})
    for suffix in (".parquet", ".jsonl", ".csv"):
        riskkit.io.write_frame(frame, tmp_path / f"f{suffix}")
        back = riskkit.io.read_frame(tmp_path / f"f{suffix}")
        assert back["a"].iloc[0] == 1.5 and pd.isna(back["a"].iloc[1])
    assert list(riskkit.io.read_frame(tmp_path / "f.parquet")["b"].iloc[0]) == ["x", "y"]
    assert (tmp_path / "f.csv").read_text().splitlines()[1].split(",")[1] == "x;y"
    with pytest.raises(riskkit.RiskkitError, match="unknown file format"):
        riskkit.io.read_frame(tmp_path / "f.xlsx")
