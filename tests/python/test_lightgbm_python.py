"""riskkit.load_model on LightGBM text models against lightgbm's own Booster.predict.

Models are trained here with fixed seeds on float32 rows (NaN, zeros, a categorical
column) and saved with Booster.save_model; riskkit must match predict(raw_score=True),
predict() and predict(pred_contrib=True) on the same rows (for linear trees, which
pred_contrib refuses, riskkit must refuse contributions too).
Run:  .venv/bin/python -m pytest tests/python/test_lightgbm_python.py
"""

from __future__ import annotations

import numpy as np
import pytest

import riskkit

lgb = pytest.importorskip("lightgbm")

NROW, NFEAT, CAT = 4_000, 6, 5
MARGIN_TOL, CONTRIB_TOL = 1e-6, 1e-5


def make_data(seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(NROW, NFEAT)).astype(np.float32)
    X[:, CAT] = rng.integers(0, 8, NROW)
    X[rng.random(X.shape) < 0.05] = np.nan
    X[rng.random(X.shape) < 0.03] = 0.0
    z = np.nan_to_num(X)
    signal = z[:, 0] - 0.7 * z[:, 1] + 0.4 * z[:, 2] * z[:, 3] + 0.3 * (z[:, CAT] % 3)
    return X, signal + rng.normal(scale=0.5, size=NROW)


CASES = {
    "binary": ({"objective": "binary"}, lambda y: (y > 0).astype(float), False),
    "regression_zero_missing": ({"objective": "regression", "zero_as_missing": True}, lambda y: y, False),
    "multiclass": ({"objective": "multiclass", "num_class": 3}, lambda y: np.digitize(y, [-0.5, 0.5]), False),
    "categorical": ({"objective": "binary", "max_cat_to_onehot": 2, "min_data_per_group": 20},
                    lambda y: (y > 0).astype(float), True),
    "multiclassova": ({"objective": "multiclassova", "num_class": 3}, lambda y: np.digitize(y, [-0.5, 0.5]), False),
    # Linear trees: leaves are linear models of the row, the plain leaf value where one of
    # their features is NaN; LightGBM has no pred_contrib for them.
    "linear": ({"objective": "regression", "linear_tree": True}, lambda y: y, False),
    "linear_binary": ({"objective": "binary", "linear_tree": True, "max_cat_to_onehot": 2},
                      lambda y: (y > 0).astype(float), True),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def trained(request, tmp_path_factory):
    params, label, categorical = CASES[request.param]
    X, y = make_data()
    data = lgb.Dataset(X, label=label(y), categorical_feature=[CAT] if categorical else [])
    booster = lgb.train({"num_leaves": 15, "learning_rate": 0.2, "seed": 3, "num_threads": 1, "verbose": -1,
                         "deterministic": True, **params}, data, num_boost_round=25)
    path = tmp_path_factory.mktemp("lgb") / f"{request.param}.txt"
    booster.save_model(str(path))
    return lgb.Booster(model_file=str(path)), riskkit.load_model(str(path)), X, params.get("linear_tree", False)


def test_margins_and_values_match_lightgbm(trained):
    booster, model, X, _ = trained
    assert model.num_features == NFEAT
    k = model.num_outputs
    margin = booster.predict(X, raw_score=True).reshape(NROW, k)
    value = booster.predict(X).reshape(NROW, k)
    ours_margin = model.predict(X, output="margin").reshape(NROW, k)
    ours_value = model.predict(X).reshape(NROW, k)
    np.testing.assert_allclose(ours_margin, margin, rtol=0, atol=MARGIN_TOL)
    np.testing.assert_allclose(ours_value, value, rtol=0, atol=MARGIN_TOL)


def test_contributions_match_pred_contrib(trained):
    booster, model, X, linear = trained
    rows = X[:500]
    if linear:  # refused by both
        with pytest.raises(lgb.basic.LightGBMError, match="linear trees"):
            booster.predict(rows, pred_contrib=True)
        with pytest.raises(riskkit.RiskkitError, match="linear trees"):
            model.contributions(rows)
        return
    expected = booster.predict(rows, pred_contrib=True)  # (n, k * (f + 1)), bias last per class
    ours = model.contributions(rows)
    np.testing.assert_allclose(ours.reshape(len(rows), -1), expected, rtol=0, atol=CONTRIB_TOL)


def test_threads_give_identical_results(trained):
    _, model, X, _ = trained
    np.testing.assert_array_equal(model.predict(X, nthread=1), model.predict(X, nthread=4))
