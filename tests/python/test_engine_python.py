"""riskkit.Engine on a small bundle built here: an XGBoost model trained in the test, a
bundle.json following docs/bundle-format.md, and expectations computed by hand from
XGBoost's own prediction and the policy's cutoffs.

Run:  .venv/bin/python -m pytest tests/python/test_engine_python.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import riskkit
import riskkit.io

xgb = pytest.importorskip("xgboost")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ["income", "debt", "dti", "age_years"]
DECLINE_ABOVE, REVIEW_ABOVE = 0.6, 0.3
GRADES = [("A", 0.1), ("B", 0.3), ("C", 0.6), ("D", None)]
CATALOGUE = {
    "income": {"code": "M01", "text": "Income is low for the amount requested"},
    "debt": {"code": "M02", "text": "Existing debt payments are high"},
    "dti": {"code": "M03", "text": "Debt is high relative to income"},
    "age_years": {"code": "M04", "text": "Short credit history for the applicant's age"},
}


def train_booster() -> xgb.Booster:
    """Probability of default rises with debt-to-income and falls with income and age."""
    rng = np.random.default_rng(11)
    n = 4000
    income = rng.uniform(1000, 9000, n)
    debt = rng.uniform(0, 4000, n)
    age = rng.uniform(18, 75, n)
    X = np.column_stack([income, debt, debt / income, age]).astype(np.float32)
    X[rng.random(X.shape) < 0.05] = np.nan
    logit = 3 * np.nan_to_num(X[:, 2], nan=0.3) - 0.0002 * np.nan_to_num(X[:, 0], nan=4000) - 0.02 * (age - 40)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 3, "nthread": 1}
    return xgb.train(params, xgb.DMatrix(X, label=y, feature_names=INPUTS), num_boost_round=30)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(model_file: str, model_sha: str, *, version: str = "1", decline_above: float = DECLINE_ABOVE) -> dict:
    return {
        "format": 1, "name": "test-application", "version": version, "stage": "application",
        "schema": {
            "app_id": {"type": "string", "role": "event_id"},
            "applied_at": {"type": "timestamp", "role": "event_time"},
            "income": {"type": "number", "missing": [-999]},
            "debt": {"type": "number"},
            "age": {"type": "number", "required": True},
            "channel": {"type": "string"},
            "verified": {"type": "bool"},
        },
        "features": [
            {"name": "dti", "expr": "debt / income"},
            {"name": "age_years", "field": "age"},
        ],
        "rules": [
            {"id": "R1", "when": "age < 18", "action": "decline", "reason": {"code": "R01", "text": "Applicant is a minor"}},
            {"id": "R2", "when": "channel == \"agent\"", "action": "flag", "reason": {"code": "R02", "text": "Agent sale"}},
            {"id": "R3", "when": "verified == false", "action": "review",
             "reason": {"code": "R03", "text": "Identity not verified"}},
        ],
        "models": {"credit": {"kind": "xgboost", "file": model_file, "sha256": model_sha, "inputs": INPUTS}},
        "policy": {
            "cutoffs": [
                {"score": "credit", "above": decline_above, "outcome": "decline",
                 "reason": {"code": "P01", "text": "Credit risk too high"}},
                {"score": "credit", "above": REVIEW_ABOVE, "outcome": "review"},
            ],
            "default": "approve",
            "grades": {"score": "credit", "bands": [{"grade": g, **({"below": b} if b else {})} for g, b in GRADES]},
            "reasons": {"top": 3, "catalogue": CATALOGUE},
        },
    }


def write_bundle(folder: Path, booster: xgb.Booster, **kwargs) -> Path:
    (folder / "models").mkdir(parents=True, exist_ok=True)
    model = folder / "models" / "credit.ubj"
    booster.save_model(str(model))
    (folder / "bundle.json").write_text(json.dumps(manifest("models/credit.ubj", sha256(model), **kwargs)))
    return folder


@pytest.fixture(scope="module")
def booster() -> xgb.Booster:
    return train_booster()


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory, booster) -> Path:
    return write_bundle(tmp_path_factory.mktemp("bundle"), booster)


@pytest.fixture()
def engine(bundle_dir) -> riskkit.Engine:
    return riskkit.Engine(bundle_dir)


# ---- the independent expectation ------------------------------------------------------


def expected_score(booster, income=math.nan, debt=math.nan, age=math.nan) -> float:
    """XGBoost's probability for the model inputs a record yields (float32, as XGBoost sees them)."""
    row = np.array([[income, debt, debt / income, age]], dtype=np.float32)
    return float(booster.predict(xgb.DMatrix(row, feature_names=INPUTS))[0])


def expected_outcome(score: float, rule_action: str | None = None) -> str:
    order = ["approve", "review", "decline"]
    by_score = "decline" if score > DECLINE_ABOVE else "review" if score > REVIEW_ABOVE else "approve"
    return max(by_score, rule_action or "approve", key=order.index)


def expected_grade(score: float) -> str:
    return next(g for g, below in GRADES if below is None or score < below)


APPLICANTS = [  # (income, debt, age): low, middle and high risk
    (8500, 200, 52), (4200, 1500, 35), (3000, 2600, 29), (1200, 3900, 21), (6000, 3000, 45), (2500, 300, 60),
]


# ---- tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("income,debt,age", APPLICANTS)
def test_outcome_score_and_grade_follow_model_and_cutoffs(engine, booster, income, debt, age):
    d = engine.decide({"app_id": "A-1", "income": income, "debt": debt, "age": age})
    score = expected_score(booster, income, debt, age)
    assert d.scores["credit"] == pytest.approx(score, abs=1e-6)
    assert min(abs(score - DECLINE_ABOVE), abs(score - REVIEW_ABOVE)) > 1e-4, "pick applicants away from the cutoffs"
    assert d.outcome == expected_outcome(score)
    assert d.grade == expected_grade(score)
    assert d.event_id == "A-1" and d.rule_hits == [] and d.issues == []


def test_the_applicants_cover_every_outcome(engine):
    outcomes = {engine.decide({"income": i, "debt": d, "age": a}).outcome for i, d, a in APPLICANTS}
    assert outcomes == {"approve", "review", "decline"}


def test_reasons_are_the_cutoff_then_the_largest_adverse_contributions(engine, booster):
    income, debt, age = 1200, 3900, 21
    d = engine.decide({"income": income, "debt": debt, "age": age})
    assert d.outcome == "decline"
    row = np.array([[income, debt, debt / income, age]], dtype=np.float32)
    contribs = booster.predict(xgb.DMatrix(row, feature_names=INPUTS), pred_contribs=True)[0][:-1]
    adverse = [INPUTS[i] for i in np.argsort(-contribs, kind="stable") if contribs[i] > 0][:2]
    assert [r["code"] for r in d.reasons] == ["P01", *(CATALOGUE[f]["code"] for f in adverse)]
    assert d.reasons[0]["source"] == "policy:credit"
    assert d.reasons[1]["source"] == f"model:credit:{adverse[0]}"
    assert d.reasons[1]["weight"] == pytest.approx(float(contribs[INPUTS.index(adverse[0])]), abs=1e-5)


def test_rules_fire_and_decline_wins(engine, booster):
    d = engine.decide({"income": 8500, "debt": 200, "age": 16, "channel": "agent"})
    assert d.outcome == "decline"
    assert [h["id"] for h in d.rule_hits] == ["R1", "R2"]
    assert d.rule_hits[0] == {"id": "R1", "action": "decline", "code": "R01", "text": "Applicant is a minor",
                              "mode": "active", "score": 0.0, "tags": []}
    assert d.rule_score == 0.0 and d.outputs == {}
    assert d.reasons[0]["code"] == "R01" and d.reasons[0]["source"] == "rule:R1"
    flagged = engine.decide({"income": 8500, "debt": 200, "age": 52, "channel": "agent", "verified": False})
    assert flagged.outcome == expected_outcome(expected_score(booster, 8500, 200, 52), "review")


ABSENT = object()


@pytest.mark.parametrize("debt", [None, math.nan, np.float32("nan"), pd.NA, ABSENT])
def test_missing_values_reach_the_model_as_nan(engine, booster, debt):
    record = {"income": 4200, "age": 35}
    if debt is not ABSENT:
        record["debt"] = debt
    d = engine.decide(record)
    assert d.scores["credit"] == pytest.approx(expected_score(booster, 4200, math.nan, 35), abs=1e-6)
    assert d.issues == []


def test_sentinel_is_missing(engine, booster):
    d = engine.decide({"income": -999, "debt": 1500, "age": 35})
    assert d.scores["credit"] == pytest.approx(expected_score(booster, math.nan, 1500, 35), abs=1e-6)


def test_numpy_scalars_and_strings_convert(engine):
    plain = engine.decide({"income": 4200, "debt": 1500, "age": 35, "verified": True})
    same = [
        {"income": np.float32(4200), "debt": np.int64(1500), "age": np.int8(35), "verified": np.bool_(True)},
        {"income": "4200", "debt": "1500", "age": "35", "verified": "true"},
        {"income": 4200.0, "debt": 1500, "age": 35, "verified": True, "applied_at": dt.datetime(2026, 11, 25, 10, 0)},
        {"income": 4200, "debt": 1500, "age": 35, "verified": True, "applied_at": np.datetime64("2026-11-25T10:00")},
        {"income": 4200, "debt": 1500, "age": 35, "verified": True, "applied_at": pd.Timestamp("2026-11-25", tz="UTC")},
    ]
    for record in same:
        d = engine.decide(record)
        assert d.scores == plain.scores and d.issues == [], record


def test_extra_and_wrong_typed_fields_are_issues_not_errors(engine, booster):
    d = engine.decide({"income": 4200, "debt": "n/a", "age": 35, "verified": 3.5, "nickname": "Bo"})
    assert d.scores["credit"] == pytest.approx(expected_score(booster, 4200, math.nan, 35), abs=1e-6)
    assert {i["field"] for i in d.issues} == {"debt", "verified", "nickname"}
    assert "n/a" in next(i["message"] for i in d.issues if i["field"] == "debt")


def test_missing_required_field_raises_naming_it(engine):
    for record in ({"income": 4200}, {"income": 4200, "age": None}, {"income": 4200, "age": "old"}):
        with pytest.raises(riskkit.RiskkitError) as info:
            engine.decide(record)
        assert info.value.code == "invalid_record"
        assert "'age'" in str(info.value)


def test_unusable_python_values_raise(engine):
    with pytest.raises(riskkit.RiskkitError, match="'debt'"):
        engine.decide({"income": 4200, "age": 35, "debt": [1, 2]})
    with pytest.raises(riskkit.RiskkitError, match="str"):
        engine.decide({"income": 4200, "age": 35, 7: 1})
    with pytest.raises(TypeError):
        engine.decide([("age", 35)])


def test_decision_serializes(engine, bundle_dir):
    d = engine.decide({"app_id": "A-9", "income": 1200, "debt": 3900, "age": 21, "nickname": "x"})
    as_json = json.loads(d.to_json())
    as_dict = d.to_dict()
    assert as_dict.keys() == as_json.keys()
    for key in as_dict.keys() - {"latency_us", "reasons", "scores"}:
        assert as_dict[key] == as_json[key], key
    assert as_dict["scores"]["credit"] == pytest.approx(as_json["scores"]["credit"])
    assert d.bundle == {"name": "test-application", "version": "1", "digest": engine.bundle_info["digest"]}
    assert d.latency_us > 0
    assert repr(d).startswith("<riskkit.Decision event_id='A-9' outcome='decline'")


def test_bundle_info(engine, bundle_dir):
    info = engine.bundle_info
    assert info["name"] == "test-application" and info["stage"] == "application"
    assert info["model_names"] == ["credit"] and info["feature_names"] == ["dti", "age_years"]
    assert info["event_id_field"] == "app_id" and "income" in info["fields"]
    assert len(info["digest"]) == 64


def test_decide_many_equals_decide(engine):
    records = [{"app_id": f"A-{i}", "income": inc, "debt": debt, "age": age}
               for i, (inc, debt, age) in enumerate(APPLICANTS * 50)]
    many = engine.decide_many(records, nthread=3)
    assert [d.to_dict() | {"latency_us": 0} for d in many] == \
           [engine.decide(r).to_dict() | {"latency_us": 0} for r in records]


def test_decide_many_reports_rejected_records(engine):
    records = [{"income": 4200, "age": 35}, {"income": 4200}, {"age": 35, "debt": {"a": 1}}, {"age": 40}]
    with pytest.raises(riskkit.RiskkitError, match=r"records\[1\].*'age'"):
        engine.decide_many(records)
    results = engine.decide_many(records, errors="return")
    assert [type(r).__name__ for r in results] == ["Decision", "RiskkitError", "RiskkitError", "Decision"]
    assert results[1].code == "invalid_record" and "'age'" in str(results[1])
    assert "records[2]" in str(results[2])


def test_decide_frame(engine, booster):
    df = pd.DataFrame({
        "app_id": ["A-1", "A-2", "A-3", "A-4"],
        "income": pd.array([8500, None, 1200, 4200], dtype="Int64"),  # pd.NA
        "debt": [200.0, 1500.0, 3900.0, np.nan],
        "age": [52.0, 35.0, 21.0, np.nan],  # A-4 has no age: rejected
        "channel": ["app", None, "agent", "web"],
    }, index=[10, 11, 12, 13])
    out = engine.decide_frame(df)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out.columns) == ["event_id", "outcome", "grade", "score_credit", "rule_hits", "reasons", "issues",
                                 "error"]
    assert list(out.event_id) == ["A-1", "A-2", "A-3", "A-4"]
    for i, (income, debt, age) in enumerate([(8500, 200, 52), (math.nan, 1500, 35), (1200, 3900, 21)]):
        score = expected_score(booster, income, debt, age)
        assert out.score_credit.iloc[i] == pytest.approx(score, abs=1e-6)
        assert out.outcome.iloc[i] == expected_outcome(score)
        assert pd.isna(out.error.iloc[i])
    assert out.rule_hits.iloc[2] == ["R2"] and out.reasons.iloc[2][0] == "P01"
    assert out.outcome.iloc[3] == "error" and "'age'" in out.error.iloc[3] and math.isnan(out.score_credit.iloc[3])
    assert engine.decide_frame(df.iloc[:0]).shape == (0, 8)


def test_reload_keeps_serving_through_a_broken_bundle(engine, booster, bundle_dir, tmp_path):
    record = {"income": 4200, "debt": 1500, "age": 35}
    before = engine.decide(record)
    digest = engine.bundle_info["digest"]

    tampered = Path(shutil.copytree(bundle_dir, tmp_path / "tampered"))
    with open(tampered / "models" / "credit.ubj", "ab") as f:
        f.write(b"\0")
    broken_json = Path(shutil.copytree(bundle_dir, tmp_path / "broken_json"))
    (broken_json / "bundle.json").write_text("{\"format\": 1,")
    failures = [(tampered, "digest_mismatch", "credit.ubj: SHA-256 is"), (broken_json, "parse", "bundle.json"),
                (tmp_path / "absent", "io", "absent")]
    for broken, code, message in failures:
        with pytest.raises(riskkit.RiskkitError) as info:
            engine.reload(broken)
        assert info.value.code == code and message in str(info.value)
        assert engine.bundle_info["digest"] == digest
        assert engine.decide(record).to_dict() | {"latency_us": 0} == before.to_dict() | {"latency_us": 0}

    stricter = write_bundle(tmp_path / "stricter", booster, version="2", decline_above=0.25)
    engine.reload(stricter)
    assert engine.bundle_info["digest"] != digest and engine.bundle_info["version"] == "2"
    score = expected_score(booster, 4200, 1500, 35)
    assert engine.decide(record).outcome == ("decline" if score > 0.25 else "approve")


def test_broken_bundle_error_names_file_and_path(bundle_dir, tmp_path):
    folder = Path(shutil.copytree(bundle_dir, tmp_path / "typo"))
    m = json.loads((folder / "bundle.json").read_text())
    m["rules"][0]["when"] = "agee < 18"
    (folder / "bundle.json").write_text(json.dumps(m))
    with pytest.raises(riskkit.RiskkitError) as info:
        riskkit.Engine(folder)
    assert info.value.code in {"invalid_bundle", "parse"}
    assert "bundle.json" in str(info.value) and "/rules/0/when" in str(info.value) and "agee" in str(info.value)


EXAMPLE = ROOT / "examples" / "bundles" / "application"


@pytest.mark.skipif(not (EXAMPLE / "bundle.json").exists(), reason="example bundle not generated")
def test_example_bundle_jsonl_and_csv_agree():
    engine = riskkit.Engine(EXAMPLE)
    lines = (EXAMPLE / "applications.jsonl").read_text(encoding="utf-8").splitlines()
    from_jsonl = [engine.decide(json.loads(line)) for line in lines if line.strip()]
    # read_frame keeps the schema's string fields as text (pandas alone reads phones as numbers)
    frame = engine.decide_frame(riskkit.io.read_frame(EXAMPLE / "applications.csv", bundle=EXAMPLE))
    assert list(frame.event_id) == [d.event_id for d in from_jsonl]
    assert list(frame.outcome) == [d.outcome for d in from_jsonl]
    np.testing.assert_allclose(frame.score_credit, [d.scores["credit"] for d in from_jsonl], rtol=0, atol=1e-12)


@pytest.mark.skipif(not (EXAMPLE / "bundle.json").exists(), reason="example bundle not generated")
def test_example_script_runs():
    script = ROOT / "examples" / "python" / "decide_applications.py"
    done = subprocess.run([sys.executable, str(script), str(EXAMPLE)], capture_output=True, text=True, check=True)
    assert "CSV outcomes:" in done.stdout and "approve" in done.stdout


def test_engine_options(bundle_dir):
    engine = riskkit.Engine(bundle_dir, pseudonym_key="000102030405060708090a0b0c0d0e0f", velocity_failure="fail_closed")
    assert engine.decide({"income": 4200, "debt": 1500, "age": 35}).outcome in {"approve", "review", "decline"}
    for options in ({"velocity_failure": "sometimes"}, {"pseudonym_key": ""}):
        with pytest.raises(riskkit.RiskkitError) as info:
            riskkit.Engine(bundle_dir, **options)
        assert info.value.code == "invalid_argument"


def test_a_stream_of_decisions_equals_the_fixture_oracle():
    # tests/data/make_engine_fixtures.py predicts each decision of the stream independently
    # (velocity windows, a scorecard cutoff, a segment, challenger arms, limit and price tables).
    stream = ROOT / "tests" / "data" / "bundles"
    cases = json.loads((stream / "stream_expected.json").read_text())
    engine = riskkit.Engine(stream / "stream")
    for case in cases:  # in order: velocity state carries from one decision to the next
        want, d = case["expected"], engine.decide(case["record"])
        got = (d.outcome, d.grade, d.segment, d.arm, [h["id"] for h in d.rule_hits],
               d.outputs["limit.amount"], d.outputs["price.apr"], d.scores["card"])
        assert got == (want["outcome"], want["grade"], want["segment"], want["arm"], want["rule_hits"],
                       want["limit"], want["apr"], want["card"]), case["record"]["application_id"]
        assert d.scores["risk"] == pytest.approx(want["risk"], abs=1e-6)
