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
    kinds = {"expr", "field", "map", "bins", "velocity"}
    for feat in manifest["features"]:
        assert set(feat) <= kinds | {"name", "description"}
        assert len(set(feat) & kinds) == 1, feat["name"]
    for rule in manifest["rules"]:
        assert set(rule) <= {"id", "when", "action", "reason", "description"}
        assert rule["action"] in {"flag", "review", "decline"}
        assert set(rule["reason"]) == {"code", "text"} and rule["reason"]["text"]
    for model in manifest["models"].values():
        assert set(model) <= {"kind", "file", "sha256", "inputs", "output", "backend", "mode"}
    assert set(manifest["policy"]) <= {"cutoffs", "default", "grades", "reasons", "tables", "segments", "challenger"}


def test_the_design_shape(manifest):
    # docs: ≈40 raw fields, ≈60 features of which 6 velocity, ≈50 rules, a 500-tree
    # XGBoost model and a scorecard, tables, segments, a challenger split, a shadow model.
    features = manifest["features"]
    assert 38 <= len(manifest["schema"]) <= 45
    assert 55 <= len(features) <= 65
    assert sum("velocity" in f for f in features) == 6
    assert 45 <= len(manifest["rules"]) <= 55
    kinds = {name: (m["kind"], m.get("mode", "active")) for name, m in manifest["models"].items()}
    assert kinds == {"credit": ("xgboost", "active"), "bureau_scorecard": ("scorecard", "active"),
                     "credit_challenger": ("logistic", "shadow")}
    credit = json.loads((BUNDLE / "models" / "credit.json").read_text())
    assert int(credit["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"]) == 500
    policy = manifest["policy"]
    assert set(policy["tables"]) == {"limit", "price"}
    assert [s["name"] for s in policy["segments"]] == ["thin_file", "repeat_applicant", "online"]
    assert [a["percent"] for a in policy["challenger"]["arms"]] == [90, 10]


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
    kinds = ("expr", "field", "map", "bins", "velocity")
    got = [(f["name"], k, f[k]) for f in manifest["features"] for k in kinds if k in f]
    assert got == [(n, k, s) for n, k, s, _ in mk.FEATURES]
    assert manifest["models"]["credit"]["inputs"] == mk.MODEL_INPUTS
    assert manifest["models"]["bureau_scorecard"]["inputs"] == mk.SCORECARD_INPUTS
    assert list(manifest["schema"]) == list(mk.SCHEMA)


def test_rule_ids_unique(manifest):
    ids = [r["id"] for r in manifest["rules"]]
    assert len(ids) == len(set(ids))
    codes = [r["reason"]["code"] for r in manifest["rules"]]
    assert len(codes) == len(set(codes))


def test_reasons_cover_every_deciding_model_input(manifest):
    catalogue_ref = manifest["policy"]["reasons"]["catalogue"]
    catalogue = json.loads((BUNDLE / catalogue_ref).read_text(encoding="utf-8"))
    grouped = {f: name for name, e in catalogue.items() for f in e.get("features", [])}
    for model in manifest["models"].values():
        if model.get("mode") == "shadow":
            continue
        for name in model["inputs"]:
            entry = catalogue.get(name) or catalogue.get(grouped.get(name, ""))
            assert entry is not None, f"no reason for model input {name}"
            assert entry["code"] and entry["text"]
    assert not set(grouped) & set(catalogue)    # a grouped feature has no entry of its own
    codes = [e["code"] for e in catalogue.values()]
    assert len(codes) == len(set(codes))


def test_policy_refers_to_scores(manifest):
    pol = manifest["policy"]
    active = {n for n, m in manifest["models"].items() if m.get("mode") != "shadow"}
    for c in pol["cutoffs"] + pol["segments"][0]["cutoffs"]:
        assert c["score"] in active
        assert ("above" in c) != ("below" in c)
        if c["score"] == "credit":
            assert 0 < c["above"] < 1
    above = [c["above"] for c in pol["cutoffs"] if c["score"] == "credit"]
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
    assert "X-0002" in fired["F008"]          # emulator with a failed identity check
    assert "X-0015" in fired["F003"]          # the fourth customer on the farm's device
    assert "X-0021" in fired["F011"]          # the fourth device on one e-mail address
    assert "X-0009" in fired["P001"]          # under-age
    assert "X-0004" in fired["P009"]          # -999 income is missing
    assert "X-0001" not in set().union(*fired.values())   # the clean applicant fires nothing


def test_velocity_features_on_the_example_stream(records):
    # Hand-counted from applications.jsonl: earlier events of the entity in (t - window, t].
    env = mk.compute_features(mk.conform_records(records)[0])
    at = {r["application_id"]: i for i, r in enumerate(records)}

    def values(name, ids):
        return [env[name][1][at[i]] for i in ids]

    farm = ["X-0012", "X-0013", "X-0014", "X-0015"]
    assert values("apps_per_device_1h", farm) == [0, 1, 2, 3]
    assert values("customers_per_device_24h", farm) == [0, 1, 2, 3]
    assert values("apps_per_customer_24h", ["X-0016", "X-0017"]) == [0, 1]
    assert values("amount_per_customer_7d", ["X-0016", "X-0017"]) == [0, 18000]
    takeover = ["X-0018", "X-0019", "X-0020", "X-0021"]
    assert values("devices_per_email_7d", takeover) == [0, 1, 2, 3]
    plain = [r["application_id"] for r in records if r["application_id"].startswith("A-")]
    for name in mk.VELOCITY_FEATURES:     # holdout draws share no identifier
        assert values(name, plain) == [0] * len(plain), name
    times = [mk._parse_timestamp(r["applied_at"]) for r in records]
    assert times == sorted(times)


def test_velocity_window_bounds():
    # An event exactly one window earlier is outside, one at the same time inside.
    recs = [{"application_id": f"V{i}", "applied_at": t, "device_id": "d", "customer_id": c}
            for i, (t, c) in enumerate([("2026-11-25T10:00:00Z", "a"), ("2026-11-25T10:30:00Z", "b"),
                                        ("2026-11-25T11:00:00Z", "a"), ("2026-11-25T11:00:00Z", "c")])]
    env = mk.conform_records(recs)[0]
    spec = dict(next(s for n, _, s, _ in mk.FEATURES if n == "apps_per_device_1h"))
    assert list(mk.velocity_values(spec, env)) == [0, 1, 1, 2]
    spec = dict(next(s for n, _, s, _ in mk.FEATURES if n == "customers_per_device_24h"))
    assert list(mk.velocity_values(spec, env)) == [0, 1, 2, 2]


def test_predictions_in_unit_interval(manifest, records, booster):
    assert 30 <= len(records) <= 45
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
    credit = [c["above"] for c in manifest["policy"]["cutoffs"] if c["score"] == "credit"]
    assert by_id["X-0001"] < credit[-1]       # clean approve
    assert by_id["X-0002"] > credit[0]        # obvious fraud
    flagged = {(r["application_id"], i["field"]) for r, iss in zip(records, issues) for i in iss}
    assert ("X-0006", "promo_code") in flagged and ("X-0008", "residence_months") in flagged
    assert not any(a == "X-0007" for a, _ in flagged)   # "5200" parses as a number


def test_engine_decides_as_the_oracle(manifest, records, booster):
    riskkit = pytest.importorskip("riskkit")
    env, _ = mk.conform_records(records)
    env = mk.compute_features(env)
    p = _predict(booster, env, mk.MODEL_INPUTS).astype(np.float64)
    card = json.loads((BUNDLE / "models" / "bureau_scorecard.json").read_text())
    points = mk.scorecard_points(card, env)
    shadow = json.loads((BUNDLE / "models" / "credit_challenger.json").read_text())
    X = np.column_stack([env[n][1] for n in mk.SHADOW_INPUTS]).astype(np.float32).astype(np.float64)  # as models see it
    X = np.where(np.isnan(X), [f["mean"] for f in shadow["features"]], X)
    shadow_p = 1 / (1 + np.exp(-(shadow["intercept"] + X @ [f["coefficient"] for f in shadow["features"]])))
    pol = manifest["policy"]
    policy = {"cutoffs": pol["cutoffs"], "segment_cutoffs": {"thin_file": pol["segments"][0]["cutoffs"]},
              "bands": [(b["grade"], b.get("below")) for b in pol["grades"]["bands"]]}
    hits = mk.evaluate_rules(env)
    want = mk.expected_decisions(env, p, points, hits, policy)
    engine = riskkit.Engine(BUNDLE)
    for i, r in enumerate(records):
        d = engine.decide(r)
        w = want[i]
        assert d.event_id == r["application_id"]
        assert abs(d.scores["credit"] - p[i]) < 1e-6, r["application_id"]
        assert d.scores["bureau_scorecard"] == points[i], r["application_id"]
        assert abs(d.shadow_scores["credit_challenger"] - shadow_p[i]) < 1e-12
        assert [h["id"] for h in d.rule_hits] == [rid for rid, h in hits.items() if h[i]], r["application_id"]
        got = (d.outcome, d.grade, d.segment, d.arm, d.outputs["limit.amount"], d.outputs["price.apr"])
        assert got == (w["outcome"], w["grade"], w["segment"], w["arm"], w["limit"], w["apr"]), r["application_id"]
        if d.outcome != "approve":
            assert any(x["source"].startswith(("rule:", "model:")) for x in d.reasons), r["application_id"]
    arms = {w["arm"] for w in want}
    assert arms == {"champion", "higher_limits"}
    assert {w["segment"] for w in want} == {"", "thin_file", "repeat_applicant", "online"}


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
