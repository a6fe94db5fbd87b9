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

make_xgboost_release_fixtures.py writes the same layout for other xgboost releases with
the helpers here (features, labels, dmatrix, test_matrix, write_model).
"""
import json
import pathlib

import numpy as np
import xgboost as xgb

OUT = pathlib.Path(__file__).resolve().parent / "models"
ROWS, COLS, CONTRIB_ROWS, CAT_COL, NCAT = 10_000, 20, 1_000, 19, 12
CAT_EFFECT = [0.9, -0.4, 0.1, 1.3, -1.1, 0.0, 0.5, -0.7, 0.3, 1.0, -0.2, 0.6]


def features(rng, n, cols=COLS, cat_col=CAT_COL, ncat=NCAT):
    """n rows of `cols` normal columns: column 3 discrete (many ties with thresholds),
    `cat_col` a category code below `ncat`, 5% of the cells missing."""
    x = rng.normal(size=(n, cols)).astype(np.float32)
    x[:, 3] = np.round(x[:, 3] * 4)  # a discrete column: many ties with thresholds
    x[:, cat_col] = rng.integers(0, ncat, n)
    x[rng.random((n, cols)) < 0.05] = np.nan
    return x


def labels(rng, x, cat_col=CAT_COL, cat_effect=CAT_EFFECT, multi_edges=(-1.0, 0.0, 1.0), count=True):
    """Labels per kind (binary, regression, multi and, with `count`, count) from one noisy
    latent score with an interaction and a category effect."""
    z = np.nan_to_num(x, nan=0.0)
    cat = np.where(np.isnan(x[:, cat_col]), 0, x[:, cat_col]).astype(int)
    lin = 1.2 * z[:, 0] - 0.8 * z[:, 1] + 0.5 * z[:, 2] * z[:, 4] + 0.3 * z[:, 3] + np.array(cat_effect)[cat]
    noise = rng.normal(scale=0.5, size=len(x))
    out = {
        "binary": (lin + noise > 0).astype(np.float32),
        "regression": (lin + noise).astype(np.float32),
        "multi": np.digitize(lin + noise, list(multi_edges)).astype(np.float32),
    }
    if count:
        out["count"] = rng.poisson(np.exp(0.4 * np.clip(lin, -3, 3))).astype(np.float32)
    return out


# name, objective, label kind, extra params, rounds, categorical
MODELS = [
    ("binary_logistic_d4", "binary:logistic", "binary", {"max_depth": 4}, 40, False),
    ("regression_d6", "reg:squarederror", "regression", {"max_depth": 6}, 25, False),
    ("multi_softprob_d3", "multi:softprob", "multi", {"max_depth": 3, "num_class": 4}, 12, False),
    ("binary_logitraw_d1", "binary:logitraw", "binary", {"max_depth": 1}, 30, False),
    ("categorical_d5", "binary:logistic", "binary", {"max_depth": 5, "max_cat_to_onehot": 1}, 20, True),
    ("poisson_d8", "count:poisson", "count", {"max_depth": 8, "min_child_weight": 5}, 6, False),
]


def dmatrix(x, y, categorical, cat_col=CAT_COL):
    types = ["q"] * x.shape[1]
    if categorical:
        types[cat_col] = "c"
    return xgb.DMatrix(x, label=y, feature_types=types, enable_categorical=categorical,
                       feature_names=[f"f{i}" for i in range(x.shape[1])])


def train(models, x, ys, cat_col=CAT_COL):
    """A booster per model spec (single-threaded, fixed seed)."""
    trained = []
    for _, objective, kind, extra, rounds, categorical in models:
        params = {"objective": objective, "eta": 0.3, "seed": 7, "nthread": 1, "tree_method": "hist", **extra}
        trained.append(xgb.train(params, dmatrix(x, ys[kind], categorical, cat_col), rounds))
    return trained


def thresholds(booster):
    """(feature, threshold) of every numerical split (releases before 1.6 write no split_type)."""
    out = []
    for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]:
        kinds = tree.get("split_type", [0] * len(tree["left_children"]))
        for left, feat, cond, kind in zip(tree["left_children"], tree["split_indices"],
                                          tree["split_conditions"], kinds):
            if left != -1 and kind == 0:
                out.append((feat, np.float32(cond)))
    return out


def test_matrix(rng, boosters, cols=COLS, cat_col=CAT_COL, ncat=NCAT, rows=ROWS, contrib_rows=CONTRIB_ROWS,
                per_row=6):
    x = features(rng, rows, cols, cat_col, ncat)
    # Values exactly on split thresholds, in every tenth row (contribution rows included).
    pairs = [p for b in boosters for p in thresholds(b)]
    for r in range(0, rows, 10):
        for feat, cond in (pairs[i] for i in rng.integers(0, len(pairs), per_row)):
            x[r, feat] = cond
    # Infinities and out-of-range categories beyond the contribution rows.
    tail = np.arange(contrib_rows, rows)
    x[rng.choice(tail, 300), rng.integers(0, cols - 1, 300)] = np.inf
    x[rng.choice(tail, 300), rng.integers(0, cols - 1, 300)] = -np.inf
    x[rng.choice(tail, 100), cat_col] = rng.choice([-1.0, 2.5, 100.0, 1e9], 100)
    return x


def write_fixtures(out, models, boosters, x, contrib_rows=CONTRIB_ROWS, cat_col=CAT_COL):
    """matrix.f32, each model with xgboost's own outputs on it, and index.json under `out`."""
    x.astype("<f4").tofile(out / "matrix.f32")
    index = {"xgboost_version": xgb.__version__, "matrix": "matrix.f32", "rows": x.shape[0], "cols": x.shape[1],
             "contrib_rows": contrib_rows, "models": []}
    for booster, (name, objective, _, _, _, categorical) in zip(boosters, models):
        booster.save_model(out / f"{name}.json")
        booster.save_model(out / f"{name}.ubj")
        value = booster.inplace_predict(x, predict_type="value")
        margin = booster.inplace_predict(x, predict_type="margin")
        contribs = booster.predict(dmatrix(x[:contrib_rows], None, categorical, cat_col), pred_contribs=True,
                                   strict_shape=True)
        value.astype("<f4").tofile(out / f"{name}.value.f32")
        margin.astype("<f4").tofile(out / f"{name}.margin.f32")
        contribs.astype("<f4").tofile(out / f"{name}.contribs.f32")
        index["models"].append({"name": name, "objective": objective, "json": f"{name}.json", "ubj": f"{name}.ubj",
                                "num_outputs": int(contribs.shape[1]), "value": f"{name}.value.f32",
                                "margin": f"{name}.margin.f32", "contribs": f"{name}.contribs.f32"})
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(20261125)
    xtrain = features(rng, 3000)
    boosters = train(MODELS, xtrain, labels(rng, xtrain))
    write_fixtures(OUT, MODELS, boosters, test_matrix(rng, boosters))


if __name__ == "__main__":
    main()
