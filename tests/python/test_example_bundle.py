"""Consistency checks of the `application` example bundle (examples/bundles/application).

Run from the repository root:  .venv/bin/python -m pytest tests/python/test_example_bundle.py
The bundle is produced by scripts/make_example_bundle.py; its feature code is reused here.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "examples" / "bundles" / "application"
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _load_script():
    path = ROOT / "scripts" / "make_example_bundle.py"
    spec = importlib.util.spec_from_file_location("make_example_bundle", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


mk = _load_script()


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((BUNDLE / "bundle.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records() -> list[dict]:
    lines = (BUNDLE / "applications.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def booster(manifest):
    model = manifest["models"]["credit"]
    b = xgb.Booster()
    b.load_model(str(BUNDLE / model["file"]))
    return b


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _predict(booster, env, inputs):
    X = mk.feature_matrix(env, inputs)
    d = xgb.DMatrix(X, missing=np.nan, feature_names=inputs)
    return booster.predict(d)


def test_header_and_known_keys_only(manifest):
    # bundle.json rejects unknown keys, so only keys of docs/bundle-format.md may appear.
    assert manifest["format"] == 1
    assert manifest["name"] == "cash-loan-application"
    assert manifest["version"] == "2026.11.1"
    assert manifest["stage"] == "application"
    assert set(manifest) <= {"format", "name", "version", "stage", "description", "schema", "features",
                             "rules", "models", "policy"}
    for name, field in manifest["schema"].items():
        assert set(field) <= {"type", "required", "role", "missing", "pii", "description"}, name
        assert field["type"] in {"number", "string", "bool", "timestamp"}
        if "missing" in field:
            assert field["type"] == "number"
    roles = [f.get("role") for f in manifest["schema"].values()]
    assert roles.count("event_id") == 1 and roles.count("event_time") == 1
    for feat in manifest["features"]:
        assert set(feat) <= {"name", "expr", "field", "description"}
        assert ("expr" in feat) != ("field" in feat), feat["name"]
    for rule in manifest["rules"]:
        assert set(rule) <= {"id", "when", "action", "reason", "description"}
        assert rule["action"] in {"flag", "review", "decline"}
        assert set(rule["reason"]) == {"code", "text"} and rule["reason"]["text"]
    for model in manifest["models"].values():
        assert set(model) <= {"kind", "file", "sha256", "inputs", "output", "backend"}
    assert set(manifest["policy"]) <= {"cutoffs", "default", "grades", "reasons"}


def test_names_unique_and_valid(manifest):
    names = list(manifest["schema"]) + [f["name"] for f in manifest["features"]] + list(manifest["models"])
    assert len(names) == len(set(names))
    assert all(NAME_RE.fullmatch(n) for n in names)


def test_digests_match_files(manifest):
    for name, model in manifest["models"].items():
        path = BUNDLE / model["file"]
        assert path.is_file(), name
        assert re.fullmatch(r"[0-9a-f]{64}", model["sha256"])
        assert _sha256(path) == model["sha256"], f"{name}: digest of {model['file']} does not match"
    assert (BUNDLE / "models" / "credit.json").stat().st_size < 3 * 1024 * 1024


def test_every_model_input_is_declared(manifest, booster):
    schema = manifest["schema"]
    features = {f["name"] for f in manifest["features"]}
    for model in manifest["models"].values():
        inputs = model["inputs"]
        assert len(inputs) == len(set(inputs))
        for name in inputs:
            assert name in features or (name in schema and schema[name]["type"] == "number"), name
    credit = manifest["models"]["credit"]
    assert booster.num_features() == len(credit["inputs"])
    assert booster.feature_names == credit["inputs"]
    assert json.loads(booster.save_config())["learner"]["objective"]["name"] == "binary:logistic"


def test_features_match_the_script(manifest):
    # bundle.json's features are exactly those the script computes for training.
    assert [(f["name"], "expr" if "expr" in f else "field", f.get("expr", f.get("field")))
            for f in manifest["features"]] == [(n, k, s) for n, k, s, _ in mk.FEATURES]
    assert manifest["models"]["credit"]["inputs"] == mk.MODEL_INPUTS
    assert list(manifest["schema"]) == list(mk.SCHEMA)


def test_rule_ids_unique(manifest):
    ids = [r["id"] for r in manifest["rules"]]
    assert len(ids) == len(set(ids))
    codes = [r["reason"]["code"] for r in manifest["rules"]]
    assert len(codes) == len(set(codes))


def test_reasons_cover_every_model_input(manifest):
    catalogue_ref = manifest["policy"]["reasons"]["catalogue"]
    catalogue = json.loads((BUNDLE / catalogue_ref).read_text(encoding="utf-8"))
    for model in manifest["models"].values():
        for name in model["inputs"]:
            entry = catalogue.get(name)
            assert entry is not None, f"no reason for model input {name}"
            assert set(entry) == {"code", "text"} and entry["code"] and entry["text"]
    codes = [e["code"] for e in catalogue.values()]
    assert len(codes) == len(set(codes))


def test_policy_refers_to_scores(manifest):
    pol = manifest["policy"]
    for c in pol["cutoffs"]:
        assert c["score"] in manifest["models"]
        assert ("above" in c) != ("below" in c)
        assert 0 < c.get("above", c.get("below")) < 1
    above = [c["above"] for c in pol["cutoffs"]]
    assert above == sorted(above, reverse=True)   # first match counts: strictest first
    bands = pol["grades"]["bands"]
    assert "below" not in bands[-1]
    limits = [b["below"] for b in bands[:-1]]
    assert limits == sorted(limits)


def test_rules_and_features_evaluate_on_examples(records):
    env, _ = mk.conform_records(records)
    env = mk.compute_features(env)
    hits = mk.evaluate_rules(env)
    assert set(hits) == {r[0] for r in mk.RULES}
    ids = [r["application_id"] for r in records]
    fired = {rid: {ids[i] for i in np.flatnonzero(h)} for rid, h in hits.items()}
    assert "X-0002" in fired["F003"]          # the obvious fraud is declined by velocity
    assert "X-0009" in fired["P001"]          # under-age
    assert "X-0004" in fired["P009"]          # -999 income is missing
    assert "X-0001" not in set().union(*fired.values())   # the clean applicant fires nothing


def test_predictions_in_unit_interval(manifest, records, booster):
    assert 20 <= len(records) <= 40
    required = [k for k, f in manifest["schema"].items() if f.get("required")]
    for r in records:                         # every example must be decidable
        for k in required:
            assert r.get(k) is not None, (r["application_id"], k)
    env, issues = mk.conform_records(records)
    env = mk.compute_features(env)
    p = _predict(booster, env, manifest["models"]["credit"]["inputs"])
    assert p.shape == (len(records),)
    assert np.all(np.isfinite(p)) and np.all(p > 0) and np.all(p < 1)
    by_id = dict(zip([r["application_id"] for r in records], p))
    assert by_id["X-0001"] < manifest["policy"]["cutoffs"][-1]["above"]   # clean approve
    assert by_id["X-0002"] > manifest["policy"]["cutoffs"][0]["above"]    # obvious fraud
    flagged = {(r["application_id"], i["field"]) for r, iss in zip(records, issues) for i in iss}
    assert ("X-0006", "promo_code") in flagged and ("X-0008", "residence_months") in flagged
    assert not any(a == "X-0007" for a, _ in flagged)   # "5200" parses as a number


def test_csv_holds_the_same_records(records):
    with open(BUNDLE / "applications.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["application_id"] for r in rows] == [r["application_id"] for r in records]
    rows = [{k: (None if v == "" else v) for k, v in r.items()} for r in rows]   # empty cell = missing
    env_json = mk.compute_features(mk.conform_records(records)[0])
    env_csv = mk.compute_features(mk.conform_records(rows)[0])
    a, b = mk.feature_matrix(env_json), mk.feature_matrix(env_csv)
    np.testing.assert_array_equal(a, b)


def test_missing_required_record_is_separate(manifest):
    path = ROOT / "tests" / "data" / "records" / "missing_required.jsonl"
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    required = [k for k, f in manifest["schema"].items() if f.get("required")]
    assert recs and all(any(r.get(k) is None for k in required) for r in recs)
