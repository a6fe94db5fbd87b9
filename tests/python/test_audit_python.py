"""Audit log, replay and signing from Python (docs/audit.md), and the stage fields of a
Decision (docs/stages.md), on the example application bundle and the basic test bundle."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import assert_tampering_refused

import riskkit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bundles" / "application"


def _applications() -> list[dict]:
    return [json.loads(line) for line in (EXAMPLE / "applications.jsonl").read_text().splitlines() if line.strip()]


def test_audit_log_replays_bit_for_bit(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    engine = riskkit.Engine(EXAMPLE, audit_path=log)
    decisions = [engine.decide(a) for a in _applications()]
    del engine  # closes the log
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == len(decisions)
    for d, line in zip(decisions, lines):
        assert line["decision_id"] == d.decision_id != ""
        assert line["decision"]["scores"]["credit"] == d.scores["credit"]  # round-trip exact
        assert line["decision"]["action"] == d.action == d.outcome
        assert len(line["inputs"]["phone"]) == 64  # a pseudonym, never the number
    report = riskkit.replay(log, EXAMPLE)
    assert report == {"decisions": len(decisions), "identical": len(decisions), "differences": []}


def test_replay_with_a_changed_bundle_lists_differences(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    engine = riskkit.Engine(EXAMPLE, audit_path=log)
    decisions = [engine.decide(a) for a in _applications()]
    del engine
    changed = tmp_path / "bundle"
    shutil.copytree(EXAMPLE, changed)
    manifest = json.loads((changed / "bundle.json").read_text())
    cutoffs = manifest["policy"]["cutoffs"]
    decline_at, points_floor = cutoffs[0]["above"], cutoffs[1]["below"]
    cutoffs[0]["above"] = 0.5  # the credit score declines only above 0.5 now
    (changed / "bundle.json").write_text(json.dumps(manifest))
    report = riskkit.replay(log, changed)
    assert report["identical"] == 0  # the digest differs on every line
    outcome_lines = {d["line"] for d in report["differences"] if d["path"] == "/decision/outcome"}
    # Oracle: declines by that cutoff alone (score in (decline_at, 0.5], outside the thin-file
    # segment, which has its own cutoffs; no declining rule; points above the scorecard's
    # floor) become reviews: the review cutoff below decline_at still matches.
    expected = {i + 1 for i, d in enumerate(decisions)
                if decline_at < d.scores["credit"] <= 0.5 and d.segment != "thin_file"
                and d.scores["bureau_scorecard"] >= points_floor
                and not any(h["action"] == "decline" for h in d.rule_hits)}
    assert expected  # the example applications include such declines
    assert outcome_lines == expected


def test_signing_required_refuses_unsigned_and_tampered_bundles(basic_bundle: Path) -> None:
    key = b"k" * 40
    with pytest.raises(riskkit.RiskkitError, match="unsigned"):
        riskkit.Engine(basic_bundle, require_signature=True, signature_key=key)
    digest = riskkit.sign_bundle(basic_bundle, key)
    engine = riskkit.Engine(basic_bundle, require_signature=True, signature_key=key)
    assert engine.bundle_info["digest"] == digest
    assert_tampering_refused(engine, basic_bundle, digest)


def test_stage_outcomes_segments_and_arms_reach_python(basic_bundle: Path) -> None:
    bundle = basic_bundle
    manifest = json.loads((bundle / "bundle.json").read_text())
    manifest["stage"] = "behaviour"
    manifest["policy"]["cutoffs"] = [{"score": "risk", "above": 0.3, "outcome": "cut"},
                                     {"score": "risk", "above": 0.1, "outcome": "keep"}]
    manifest["policy"]["default"] = "raise"
    manifest["policy"]["segments"] = [{"name": "online", "when": "channel in [\"web\", \"h5\"]"}]
    manifest["policy"]["challenger"] = {"field": "application_id",
                                        "arms": [{"name": "champion", "percent": 50}, {"name": "b", "percent": 50}]}
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    engine = riskkit.Engine(bundle)
    d = engine.decide({"application_id": "X1", "income": 2000, "debt": 1800, "age": 23, "inquiries": 6, "channel": "web"})
    assert d.action == "cut" and d.outcome == "decline"
    assert d.segment == "online"
    assert d.arm in {"champion", "b"}
    assert d.to_dict()["action"] == "cut"
    quiet = engine.decide({"application_id": "X2", "income": 8000, "debt": 400, "age": 45, "inquiries": 0})
    assert quiet.action == "raise" and quiet.reasons == [] and quiet.segment == ""
