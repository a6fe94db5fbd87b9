"""The lifecycle-stage example bundles (examples/bundles/{acquisition,behaviour,collection}).

Each bundle's example records are decided by the CLI (JSONL and CSV) and by
`riskkit.Engine`, and every decision is checked against the generator's independent
oracle: XGBoost's / scikit-learn's own predictions and contributions plus a plain-Python
re-implementation of the policy (scripts/bundlegen.py), stored in `expected.json` and
recomputed here from the bundle's files.

Run from the repository root:  .venv/bin/python -m pytest tests/python/test_stage_bundles.py
The CLI is build/bin/riskkit, or the binary named by RISKKIT_CLI.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

import riskkit

pytest.importorskip("xgboost")
pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("RISKKIT_CLI", ROOT / "build" / "bin" / "riskkit"))
STAGES = ["acquisition", "behaviour", "collection"]


def _generator(stage: str):
    path = ROOT / "scripts" / f"make_{stage}_bundle.py"
    spec = importlib.util.spec_from_file_location(f"make_{stage}_bundle", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _bundle(stage: str) -> Path:
    return ROOT / "examples" / "bundles" / stage


def _records(stage: str) -> list[dict]:
    lines = (_bundle(stage) / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _expected(stage: str) -> list[dict]:
    return json.loads((_bundle(stage) / "expected.json").read_text(encoding="utf-8"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    if not CLI.exists():
        pytest.skip(f"{CLI} is not built (scripts/build.sh)")
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, check=False, env=dict(os.environ))


def _check(decision: dict, expected: dict, where: str) -> None:
    """One engine decision (JSON / to_dict form) against the oracle's."""
    assert decision["event_id"] == expected["event_id"], where
    assert (decision["action"], decision["outcome"]) == (expected["action"], expected["outcome"]), where
    assert decision.get("segment", "") == expected["segment"], where
    assert decision.get("grade") == expected["grade"], where
    assert [h["id"] for h in decision["rule_hits"]] == expected["rule_hits"], where
    assert [r["code"] for r in decision["reasons"]] == expected["reasons"], where
    assert decision.get("outputs", {}) == expected["outputs"], where
    for key in ("scores", "shadow_scores"):
        got, want = decision.get(key, {}), expected.get(key, {})
        assert set(got) == set(want), (where, key)
        for name in want:
            assert got[name] == pytest.approx(want[name], abs=1e-6), (where, name)


@pytest.mark.parametrize("stage", STAGES)
def test_stored_oracle_is_current(stage):
    # expected.json must be what the oracle gives for the bundle's files as they are now.
    fresh = _generator(stage).expected_decisions(_records(stage), _bundle(stage))
    stored = _expected(stage)
    assert len(fresh) == len(stored)
    for i, (f, s) in enumerate(zip(fresh, stored)):
        scores = ("scores", "shadow_scores")
        assert {k: v for k, v in f.items() if k not in scores} == {k: v for k, v in s.items() if k not in scores}, i
        for key in scores:
            assert set(f.get(key, {})) == set(s.get(key, {})), (i, key)
            for name in s.get(key, {}):
                assert f[key][name] == pytest.approx(s[key][name], abs=1e-9), (i, name)


@pytest.mark.parametrize("stage", STAGES)
def test_examples_cover_every_outcome_with_reasons(stage):
    gen = _generator(stage)
    policy = gen.load_policy(_bundle(stage))
    expected = _expected(stage)
    assert {e["action"] for e in expected} == {name for name, _ in policy.outcomes}
    # every outcome but the least severe has reasons, every decline a rule's or a factor's
    gen.bg.check_reasons(policy, expected)


@pytest.mark.parametrize("stage", STAGES)
def test_python_engine_matches_oracle(stage):
    engine = riskkit.Engine(str(_bundle(stage)))
    for i, (rec, exp) in enumerate(zip(_records(stage), _expected(stage))):
        _check(engine.decide(rec).to_dict(), exp, f"{stage} record {i}")


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("ext", ["jsonl", "csv"])
def test_cli_matches_oracle(stage, ext):
    run = _cli("decide", "--bundle", str(_bundle(stage)), "--input", str(_bundle(stage) / f"records.{ext}"),
               "--output", "-")
    assert run.returncode == 0, run.stderr
    decisions = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    expected = _expected(stage)
    assert len(decisions) == len(expected)
    for i, (d, e) in enumerate(zip(decisions, expected)):
        _check(d, e, f"{stage} {ext} record {i}")
    n = len(expected)
    review = sum(e["outcome"] == "review" for e in expected)
    assert f"{n} decided ({100 * (n - review) / n:.1f}% automated, {review} to review)" in run.stderr


@pytest.mark.parametrize("stage", STAGES)
def test_cli_validate(stage):
    run = _cli("validate", str(_bundle(stage)))
    assert run.returncode == 0, run.stdout + run.stderr


def test_csv_holds_the_jsonl_records():
    for stage in STAGES:
        with open(_bundle(stage) / "records.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        records = _records(stage)
        assert len(rows) == len(records)
        for row, rec in zip(rows, records):
            assert {k for k, v in row.items() if v != ""} == set(rec), stage


def test_acquisition_exports_pseudonyms_only(tmp_path):
    # customer_id (the event id) and phone are pii: no raw value reaches a decision or an audit line.
    audit = tmp_path / "audit.jsonl"
    run = _cli("decide", "--bundle", str(_bundle("acquisition")), "--input",
               str(_bundle("acquisition") / "records.jsonl"), "--output", "-", "--audit", str(audit))
    assert run.returncode == 0, run.stderr
    audit_lines = audit.read_text(encoding="utf-8").splitlines()
    records = _records("acquisition")
    assert len(audit_lines) == len(records)
    for rec, line, audit_line in zip(records, run.stdout.splitlines(), audit_lines):
        raw = [rec["customer_id"]] + ([rec["phone"]] if "phone" in rec else [])
        for value in raw:
            assert value not in line and value not in audit_line
        assert json.loads(line)["event_id"] == _pseudonym(rec["customer_id"])
        assert _pseudonym(rec["customer_id"]) in audit_line


def _pseudonym(value: str) -> str:
    """docs/privacy.md: HMAC-SHA-256 under the test key, by Python's standard library."""
    return hmac.new(bytes.fromhex(os.environ["RISKKIT_PSEUDONYM_KEY"]), value.encode(), hashlib.sha256).hexdigest()


def test_docs_walkthroughs_run(monkeypatch, capsys):
    # docs/stages.md's Python examples run as written, from the repository root.
    text = (ROOT / "docs" / "stages.md").read_text(encoding="utf-8")
    walkthroughs = text[text.index("## Walkthroughs"):]
    blocks = re.findall(r"```python\n(.*?)```", walkthroughs, flags=re.S)
    assert len(blocks) == len(STAGES)
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, "docs/stages.md", "exec"), {})
    assert "decided without an agent" in capsys.readouterr().out
