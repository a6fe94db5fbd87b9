"""riskkit's Model.contributions against shap's TreeExplainer on the same models.

Models are trained here with fixed seeds (XGBoost: binary, multiclass and a regression
without categorical splits; LightGBM: binary and multiclass) on float32 rows with NaN,
saved, and loaded by riskkit from the file. shap explains the in-memory booster.

Layouts. shap returns `shap_values(X)` as (n, f) for one output and (n, f, k) for k
classes, and the base value apart as `expected_value` (a scalar, or k values). riskkit
follows XGBoost's `pred_contribs`: (n, f + 1) or (n, k, f + 1), the bias last. The bias
column is that expected value: the mean margin of the model over its training data as
TreeSHAP's cover weights give it (for XGBoost plus base_score in margin space; LightGBM
folds its initial score into the first trees), the same for every row. Hence
  riskkit[:, :f] == shap_values,  riskkit[:, f] == expected_value   (one output)
  riskkit[:, c, :f] == shap_values[:, :, c],  riskkit[:, c, f] == expected_value[c]
and every row of either sums to the model's margin (`predict(output="margin")`).
Run:  .venv/bin/python -m pytest tests/python/test_shap_python.py
"""

from __future__ import annotations

import numpy as np
import pytest

import riskkit

shap = pytest.importorskip("shap")
xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

NROW, NFEAT, EXPLAIN_ROWS = 3_000, 7, 400
CONTRIB_TOL = 1e-5
# shap warns on every LightGBM binary model that its output format changed in the past.
pytestmark = pytest.mark.filterwarnings("ignore:LightGBM binary classifier with TreeExplainer:UserWarning")


def make_data(seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(NROW, NFEAT)).astype(np.float32)
    X[:, 4] = np.round(X[:, 4] * 2)  # ties on thresholds
    X[rng.random(X.shape) < 0.06] = np.nan
    z = np.nan_to_num(X)
    signal = z[:, 0] - 0.8 * z[:, 1] + 0.5 * z[:, 2] * z[:, 3] + 0.3 * z[:, 4] + 0.6 * np.isnan(X[:, 5])
    return X, signal + rng.normal(scale=0.4, size=NROW)


def binary(y):
    return (y > 0).astype(np.float32)


def three_classes(y):
    return np.digitize(y, [-0.6, 0.6]).astype(np.float32)


CASES = {
    "xgboost-binary": ("xgboost", {"objective": "binary:logistic"}, binary),
    "xgboost-multiclass": ("xgboost", {"objective": "multi:softprob", "num_class": 3}, three_classes),
    "xgboost-regression": ("xgboost", {"objective": "reg:squarederror"}, lambda y: y.astype(np.float32)),
    "lightgbm-binary": ("lightgbm", {"objective": "binary"}, binary),
    "lightgbm-multiclass": ("lightgbm", {"objective": "multiclass", "num_class": 3}, three_classes),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def explained(request, tmp_path_factory):
    """(riskkit model, shap explainer, rows) for one case."""
    library, params, label = CASES[request.param]
    X, y = make_data()
    folder = tmp_path_factory.mktemp("shap")
    if library == "xgboost":
        booster = xgb.train({"max_depth": 5, "eta": 0.3, "seed": 2, "nthread": 1, **params},
                            xgb.DMatrix(X, label=label(y)), num_boost_round=30)
        path = folder / f"{request.param}.json"
    else:
        booster = lgb.train({"num_leaves": 15, "learning_rate": 0.2, "seed": 2, "num_threads": 1, "verbose": -1,
                             "deterministic": True, **params}, lgb.Dataset(X, label=label(y)), num_boost_round=30)
        path = folder / f"{request.param}.txt"
    booster.save_model(str(path))
    return riskkit.load_model(str(path)), shap.TreeExplainer(booster), X[:EXPLAIN_ROWS]


def test_contributions_equal_shap_values_and_expected_value(explained):
    model, explainer, X = explained
    k, f = model.num_outputs, model.num_features
    ours = model.contributions(X)
    values = np.asarray(explainer.shap_values(X), dtype=np.float64)
    expected = np.asarray(explainer.expected_value, dtype=np.float64).reshape(k)
    if k == 1:
        assert ours.shape == (len(X), f + 1) and values.shape == (len(X), f)
        np.testing.assert_allclose(ours[:, :f], values, rtol=0, atol=CONTRIB_TOL)
        np.testing.assert_allclose(ours[:, f], np.full(len(X), expected[0]), rtol=0, atol=CONTRIB_TOL)
    else:
        assert ours.shape == (len(X), k, f + 1) and values.shape == (len(X), f, k)
        np.testing.assert_allclose(ours[:, :, :f], values.transpose(0, 2, 1), rtol=0, atol=CONTRIB_TOL)
        np.testing.assert_allclose(ours[:, :, f], np.broadcast_to(expected, (len(X), k)), rtol=0, atol=CONTRIB_TOL)


def test_both_sum_to_the_margin(explained):
    model, explainer, X = explained
    k = model.num_outputs
    margin = model.predict(X, output="margin").reshape(len(X), k)
    ours = model.contributions(X).reshape(len(X), k, -1)
    values = np.asarray(explainer.shap_values(X), dtype=np.float64).reshape(len(X), -1, k)
    expected = np.asarray(explainer.expected_value, dtype=np.float64).reshape(k)
    np.testing.assert_allclose(ours.sum(axis=2), margin, rtol=0, atol=CONTRIB_TOL)
    np.testing.assert_allclose(values.sum(axis=1) + expected, margin, rtol=0, atol=CONTRIB_TOL)
