"""Writes the XGBoost parity fixtures under tests/data/models/ (deterministic).

Run with the project's virtual environment: `.venv/bin/python tests/data/make_model_fixtures.py`.

Trains small models with PyPI xgboost (3.x) on synthetic data with missing values, saves
each as JSON and UBJSON, and stores xgboost's own predictions on one shared test matrix:

- matrix.f32       test matrix, little-endian float32, row-major (rows x cols): NaN,
                   +-inf (rows >= contrib_rows only, since xgboost's DMatrix rejects inf)
                   and values exactly equal to split thresholds of the models
- NAME.json/.ubj   the model
- NAME.value.f32   inplace_predict(predict_type="value")   rows x num_outputs
- NAME.margin.f32  inplace_predict(predict_type="margin")  rows x num_outputs
- NAME.contribs.f32 pred_contribs on the first contrib_rows rows,
                   contrib_rows x num_outputs x (cols + 1)
- index.json       shapes, file names and the xgboost version
"""
import json
import pathlib

import numpy as np
import xgboost as xgb

OUT = pathlib.Path(__file__).resolve().parent / "models"
ROWS, COLS, CONTRIB_ROWS, CAT_COL, NCAT = 10_000, 20, 1_000, 19, 12


def features(rng, n):
    x = rng.normal(size=(n, COLS)).astype(np.float32)
    x[:, 3] = np.round(x[:, 3] * 4)  # a discrete column: many ties with thresholds
    x[:, CAT_COL] = rng.integers(0, NCAT, n)
    x[rng.random((n, COLS)) < 0.05] = np.nan
    return x


def labels(rng, x):
    z = np.nan_to_num(x, nan=0.0)
    cat_effect = np.array([0.9, -0.4, 0.1, 1.3, -1.1, 0.0, 0.5, -0.7, 0.3, 1.0, -0.2, 0.6])
    cat = np.where(np.isnan(x[:, CAT_COL]), 0, x[:, CAT_COL]).astype(int)
    lin = 1.2 * z[:, 0] - 0.8 * z[:, 1] + 0.5 * z[:, 2] * z[:, 4] + 0.3 * z[:, 3] + cat_effect[cat]
    noise = rng.normal(scale=0.5, size=len(x))
    return {
        "binary": (lin + noise > 0).astype(np.float32),
        "regression": (lin + noise).astype(np.float32),
        "multi": np.digitize(lin + noise, [-1.0, 0.0, 1.0]).astype(np.float32),
        "count": rng.poisson(np.exp(0.4 * np.clip(lin, -3, 3))).astype(np.float32),
    }


# name, objective, label kind, extra params, rounds, categorical
MODELS = [
    ("binary_logistic_d4", "binary:logistic", "binary", {"max_depth": 4}, 40, False),
    ("regression_d6", "reg:squarederror", "regression", {"max_depth": 6}, 25, False),
    ("multi_softprob_d3", "multi:softprob", "multi", {"max_depth": 3, "num_class": 4}, 12, False),
    ("binary_logitraw_d1", "binary:logitraw", "binary", {"max_depth": 1}, 30, False),
    ("categorical_d5", "binary:logistic", "binary", {"max_depth": 5, "max_cat_to_onehot": 1}, 20, True),
    ("poisson_d8", "count:poisson", "count", {"max_depth": 8, "min_child_weight": 5}, 6, False),
]


def dmatrix(x, y, categorical):
    types = ["q"] * COLS
    if categorical:
        types[CAT_COL] = "c"
    return xgb.DMatrix(x, label=y, feature_types=types, enable_categorical=categorical,
                       feature_names=[f"f{i}" for i in range(COLS)])


def thresholds(booster):
    out = []
    for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]:
        for left, feat, cond, kind in zip(tree["left_children"], tree["split_indices"],
                                          tree["split_conditions"], tree["split_type"]):
            if left != -1 and kind == 0:
                out.append((feat, np.float32(cond)))
    return out


def test_matrix(rng, models):
    x = features(rng, ROWS)
    # Values exactly on split thresholds, in every tenth row (contribution rows included).
    pairs = [p for _, b, _ in models for p in thresholds(b)]
    for r in range(0, ROWS, 10):
        for feat, cond in (pairs[i] for i in rng.integers(0, len(pairs), 6)):
            x[r, feat] = cond
    # Infinities and out-of-range categories beyond the contribution rows.
    tail = np.arange(CONTRIB_ROWS, ROWS)
    x[rng.choice(tail, 300), rng.integers(0, COLS - 1, 300)] = np.inf
    x[rng.choice(tail, 300), rng.integers(0, COLS - 1, 300)] = -np.inf
    x[rng.choice(tail, 100), CAT_COL] = rng.choice([-1.0, 2.5, 100.0, 1e9], 100)
    return x


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(20261125)
    xtrain = features(rng, 3000)
    ys = labels(rng, xtrain)
    trained = []
    for name, objective, kind, extra, rounds, categorical in MODELS:
        params = {"objective": objective, "eta": 0.3, "seed": 7, "nthread": 1, "tree_method": "hist", **extra}
        booster = xgb.train(params, dmatrix(xtrain, ys[kind], categorical), rounds)
        trained.append((name, booster, categorical))
    x = test_matrix(rng, trained)
    x.astype("<f4").tofile(OUT / "matrix.f32")
    index = {"xgboost_version": xgb.__version__, "matrix": "matrix.f32", "rows": ROWS, "cols": COLS,
             "contrib_rows": CONTRIB_ROWS, "models": []}
    for (name, booster, categorical), spec in zip(trained, MODELS):
        booster.save_model(OUT / f"{name}.json")
        booster.save_model(OUT / f"{name}.ubj")
        value = booster.inplace_predict(x, predict_type="value")
        margin = booster.inplace_predict(x, predict_type="margin")
        head = dmatrix(x[:CONTRIB_ROWS], None, categorical)
        contribs = booster.predict(head, pred_contribs=True, strict_shape=True)
        num_outputs = contribs.shape[1]
        value.astype("<f4").tofile(OUT / f"{name}.value.f32")
        margin.astype("<f4").tofile(OUT / f"{name}.margin.f32")
        contribs.astype("<f4").tofile(OUT / f"{name}.contribs.f32")
        index["models"].append({"name": name, "objective": spec[1], "json": f"{name}.json", "ubj": f"{name}.ubj",
                                "num_outputs": int(num_outputs), "value": f"{name}.value.f32",
                                "margin": f"{name}.margin.f32", "contribs": f"{name}.contribs.f32"})
    (OUT / "index.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
