"""DataFrames in and out: Engine.decide_frame, Model.predict, riskkit.features.compute,
progress bars, notebook HTML and pickling.

References: Engine.decide on each record as a dict (the row-by-row path), XGBoost's own
predictions for the example model, features.compute on the unchanged frame.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import riskkit
from conftest import TEST_PSEUDONYM_KEY
from scale_data import EXAMPLE_BUNDLE, FEATURES_BUNDLE, linked_history

pd = pytest.importorskip("pandas")
xgb = pytest.importorskip("xgboost")

MODEL = EXAMPLE_BUNDLE / "models" / "credit.json"


@pytest.fixture(scope="module")
def engine():
    return riskkit.Engine(EXAMPLE_BUNDLE)


@pytest.fixture(scope="module")
def records():
    with open(EXAMPLE_BUNDLE / "applications.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def expected_row(engine, record):
    d = engine.decide(record)
    return {"event_id": d.event_id, "outcome": d.outcome, "grade": d.grade, "score_credit": d.scores["credit"],
            "rule_hits": [h["id"] for h in d.rule_hits], "reasons": [r["code"] for r in d.reasons],
            "issues": len(d.issues)}


def assert_matches(out, engine, records):
    for label, record in zip(out.index, records):
        got = out.loc[label]
        want = expected_row(engine, record)
        for key, value in want.items():
            assert got[key] == value, (label, key)
        assert got["error"] is None


def test_decide_frame_matches_columns_by_name_and_keeps_the_index(engine, records):
    df = pd.DataFrame(records)
    df = df[list(reversed(df.columns))]  # any column order
    df.index = [f"row-{i}" for i in range(len(df))]
    out = engine.decide_frame(df)
    assert list(out.index) == list(df.index)
    assert list(out.columns) == ["event_id", "outcome", "grade", "score_credit", "score_bureau_scorecard",
                                 "rule_hits", "reasons", "issues", "error"]
    assert out["issues"].dtype == np.int64
    assert_matches(out, engine, records)


def test_decide_frame_names_missing_required_columns(engine, records):
    df = pd.DataFrame(records).drop(columns=["age", "channel"])
    with pytest.raises(riskkit.RiskkitError, match=r"required field\(s\) \['channel', 'age'\]") as error:
        engine.decide_frame(df)
    assert error.value.code == "invalid_record"


def test_decide_frame_nullable_dtypes_and_categoricals(engine, records):
    plain = [r for r in records if r["application_id"].startswith("A-")]  # well-typed records
    df = pd.DataFrame(plain).astype({"monthly_income": object, "bureau_score": object, "id_verified": object})
    df.loc[2, "monthly_income"] = None
    df.loc[4, "bureau_score"] = None
    df.loc[5, "id_verified"] = None
    typed = df.copy()
    typed["monthly_income"] = typed["monthly_income"].astype("Int64")         # pd.NA
    typed["bureau_score"] = typed["bureau_score"].astype("Float64")           # pd.NA
    typed["id_verified"] = typed["id_verified"].astype("boolean")             # pd.NA
    typed["channel"] = typed["channel"].astype("category")
    typed["housing"] = pd.Categorical(typed["housing"], categories=["own", "rent", "family", "other"])
    typed["employment_type"] = typed["employment_type"].astype("string")
    typed["applied_at"] = pd.to_datetime(typed["applied_at"], utc=True)
    reference = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                 for r in df.to_dict(orient="records")]
    out = engine.decide_frame(typed)
    assert_matches(out, engine, reference)
    assert out.loc[2, "rule_hits"] == ["P009"]  # income missing: the rule for undeclared income fires


def test_decide_frame_progress_bar_gives_the_same_result(engine, records, capsys):
    df = pd.DataFrame(records * 200)  # more than one progress chunk
    plain = engine.decide_frame(df)
    shown = engine.decide_frame(df, progress=True)
    pd.testing.assert_frame_equal(plain, shown)
    assert "riskkit decide" in capsys.readouterr().err


def test_decide_frame_velocity_state_carries_across_progress_chunks():
    history = linked_history(3, n=9000)
    one = riskkit.Engine(FEATURES_BUNDLE).decide_frame(history)
    chunked = riskkit.Engine(FEATURES_BUNDLE).decide_frame(history, progress=True)
    pd.testing.assert_frame_equal(one, chunked)
    assert (one["rule_hits"].map(lambda hits: "V001" in hits)).any()


def example_inputs(engine, records):
    """The example model's inputs for the well-typed example records, computed by the engine."""
    plain = pd.DataFrame([r for r in records if r["application_id"].startswith("A-")])
    features = riskkit.features.compute(EXAMPLE_BUNDLE, plain.sort_values("applied_at"))
    manifest = json.loads((EXAMPLE_BUNDLE / "bundle.json").read_text())
    inputs = manifest["models"]["credit"]["inputs"]
    fields = plain.loc[features.index]
    return pd.DataFrame({name: features[name] if name in features.columns else fields[name].astype("float64")
                         for name in inputs}, index=features.index)


def test_model_predict_frame_by_name_with_index(engine, records):
    model = riskkit.load_model(MODEL)
    X = example_inputs(engine, records)
    booster = xgb.Booster(model_file=str(MODEL))
    want = booster.predict(xgb.DMatrix(X.to_numpy(np.float32), feature_names=list(X.columns), missing=np.nan))
    shuffled = X[list(reversed(X.columns))].assign(extra=1.0)
    shuffled.index = [f"r{i}" for i in range(len(X))]
    got = model.predict(shuffled)
    assert isinstance(got, pd.Series) and list(got.index) == list(shuffled.index) and got.name == "value"
    np.testing.assert_allclose(got.to_numpy(), want, rtol=0, atol=1e-6)
    margin = model.predict(shuffled, output="margin")
    assert margin.name == "margin"
    phi = model.contributions(shuffled)
    assert list(phi.columns) == [*model.feature_names, "bias"] and list(phi.index) == list(shuffled.index)
    np.testing.assert_allclose(phi.sum(axis=1).to_numpy(), margin.to_numpy(), atol=1e-5)


def test_model_predict_nullable_and_categorical_columns(engine, records):
    model = riskkit.load_model(MODEL)
    X = example_inputs(engine, records)
    X.iloc[1, 0] = np.nan
    reference = model.predict(X.to_numpy(np.float32))
    typed = X.copy()
    typed[typed.columns[0]] = typed[typed.columns[0]].astype("Float64")          # NaN → pd.NA
    typed["term_months"] = typed["term_months"].astype("Int64")
    typed["thin_file"] = typed["thin_file"].astype("category")                   # numeric categories
    np.testing.assert_array_equal(model.predict(typed).to_numpy(), reference)


def test_model_predict_names_missing_and_non_numeric_columns(engine, records):
    model = riskkit.load_model(MODEL)
    X = example_inputs(engine, records)
    with pytest.raises(riskkit.RiskkitError, match=r"model input\(s\) \['dti', 'age'\]"):
        model.predict(X.drop(columns=["age", "dti"]))
    with pytest.raises(riskkit.RiskkitError, match="column 'age' is not numeric"):
        model.predict(X.assign(age="old"))


def test_features_compute_matches_columns_by_name_and_keeps_the_index():
    history = linked_history(5, n=300)
    reference = riskkit.features.compute(FEATURES_BUNDLE, history)
    moved = history[list(reversed(history.columns))]
    moved.index = pd.RangeIndex(1000, 1000 + len(history))
    got = riskkit.features.compute(FEATURES_BUNDLE, moved)
    assert list(got.index) == list(moved.index)
    np.testing.assert_array_equal(got.to_numpy(), reference.to_numpy())
    with pytest.raises(riskkit.RiskkitError, match=r"required field\(s\) \['applied_at'\]"):
        riskkit.features.compute(FEATURES_BUNDLE, history.drop(columns=["applied_at"]))


def test_html_renderings(engine, records):
    d = engine.decide(next(r for r in records if r["application_id"] == "X-0002"))  # the obvious fraud
    assert d.outcome == "decline" and len(d.rule_hits) >= 4
    html = d._repr_html_()
    assert "DECLINE" in html and "X-0002" in html
    for hit in d.rule_hits:
        assert f">{hit['id']}<" in html
    assert "&lt;" not in riskkit.Engine(EXAMPLE_BUNDLE)._repr_html_()
    model_html = riskkit.load_model(MODEL)._repr_html_()
    assert "xgboost" in model_html and "bureau_score" in model_html
    strange = dict(records[0], application_id="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in engine.decide(strange)._repr_html_()


def test_engine_pickles_as_its_bundle_without_the_key(engine, records):
    data = pickle.dumps(engine)
    assert TEST_PSEUDONYM_KEY.encode() not in data
    copy = pickle.loads(data)
    assert copy.bundle_info["digest"] == engine.bundle_info["digest"]
    # The bundle has velocity features: each unpickled copy is a new engine with empty
    # velocity state (riskkit/_pickle.py), never one shared from the cache.
    assert copy is not pickle.loads(data)
    fresh = riskkit.Engine(EXAMPLE_BUNDLE)  # the module's engine has seen other tests' records
    for record in records:
        assert copy.decide(record).to_dict()["scores"] == fresh.decide(record).to_dict()["scores"]


def test_engine_pickle_carries_the_key_only_when_asked(monkeypatch, records):
    keyed = riskkit.Engine(EXAMPLE_BUNDLE, pseudonym_key=TEST_PSEUDONYM_KEY, pickle_key=True)
    data = pickle.dumps(keyed)
    assert TEST_PSEUDONYM_KEY.encode() in data
    # fail_closed: an engine no earlier test has unpickled into this process's cache
    unkeyed = pickle.dumps(riskkit.Engine(EXAMPLE_BUNDLE, pseudonym_key=TEST_PSEUDONYM_KEY,
                                          velocity_failure="fail_closed"))
    monkeypatch.delenv("RISKKIT_PSEUDONYM_KEY")
    clean = next(r for r in records if r["application_id"] == "X-0001")
    assert pickle.loads(data).decide(clean).outcome == "approve"
    with pytest.raises(riskkit.RiskkitError, match="no pseudonymization key"):
        pickle.loads(unkeyed)


def test_stateful_engine_unpickles_with_fresh_velocity_state():
    history = linked_history(9, n=200)
    engine = riskkit.Engine(FEATURES_BUNDLE)
    first = engine.decide_frame(history)
    data = pickle.dumps(engine)
    a, b = pickle.loads(data), pickle.loads(data)
    assert a is not b
    pd.testing.assert_frame_equal(a.decide_frame(history), first)
    pd.testing.assert_frame_equal(b.decide_frame(history), first)


def test_model_pickles_as_its_bytes(engine, records):
    model = riskkit.load_model(MODEL)
    data = pickle.dumps(model)
    copy = pickle.loads(data)
    assert copy is pickle.loads(data)
    X = example_inputs(engine, records)
    np.testing.assert_array_equal(copy.predict(X).to_numpy(), model.predict(X).to_numpy())


def test_objects_whose_load_failed_repr_safely():
    # A traceback through a failed __init__ reprs the half-made object (pytest does).
    assert repr(riskkit.Engine.__new__(riskkit.Engine)) == "<riskkit.Engine (not loaded)>"
    assert repr(riskkit.Model.__new__(riskkit.Model)) == "<riskkit.Model (not loaded)>"
    with pytest.raises(riskkit.RiskkitError):
        riskkit.Engine(FEATURES_BUNDLE / "no-such-bundle")
