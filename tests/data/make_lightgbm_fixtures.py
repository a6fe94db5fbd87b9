"""Writes the LightGBM parity fixtures under tests/data/lightgbm/ (deterministic).

Run with the project's virtual environment: `.venv/bin/python tests/data/make_lightgbm_fixtures.py`.

Trains small models with PyPI lightgbm 4.x on synthetic float32 data, saves each with
`Booster.save_model` (model.txt), and stores lightgbm's own predictions on one shared
test matrix. The inputs are float32 because riskkit's rows are float32: LightGBM widens
them to double, exactly as riskkit does, so the comparison is exact.

- matrix.f32         test matrix, little-endian float32, row-major (rows x cols): NaN,
                     zeros, values within LightGBM's zero band (|x| <= 1e-35), +-inf,
                     values on and next to split thresholds, odd category codes
- NAME.txt           the model
- NAME.margin.f64    predict(raw_score=True)     rows x num_outputs, float64
- NAME.value.f64     predict()                   rows x num_outputs, float64
- NAME.contribs.f64  predict(pred_contrib=True)  contrib_rows x num_outputs x (cols + 1);
                     absent (index: "contribs": null, "contribs_refused": LightGBM's
                     message) for linear trees, whose pred_contrib LightGBM refuses
- index.json         shapes, file names and the lightgbm version
"""
import json
import pathlib

import lightgbm as lgb
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "lightgbm"
ROWS, COLS, CONTRIB_ROWS, CAT_COL, NCAT = 4_000, 12, 400, 11, 10


def features(rng, n, missing=0.05):
    x = rng.normal(size=(n, COLS)).astype(np.float32)
    x[:, 3] = np.round(x[:, 3] * 4)  # a discrete column: many zeros and ties with thresholds
    x[:, CAT_COL] = rng.integers(0, NCAT, n)
    x[rng.random((n, COLS)) < missing] = np.nan
    return x


def labels(rng, x):
    z = np.nan_to_num(x, nan=0.0)
    cat_effect = np.array([0.9, -0.4, 0.1, 1.3, -1.1, 0.0, 0.5, -0.7, 0.3, 1.0])
    cat = np.where(np.isnan(x[:, CAT_COL]), 0, x[:, CAT_COL]).astype(int)
    lin = 1.2 * z[:, 0] - 0.8 * z[:, 1] + 0.5 * z[:, 2] * z[:, 4] + 0.3 * z[:, 3] + cat_effect[cat]
    lin += 0.8 * np.isnan(x[:, 5])  # missingness itself carries signal
    noise = rng.normal(scale=0.5, size=len(x))
    return {
        "binary": (lin + noise > 0).astype(np.float64),
        "regression": (lin + noise).astype(np.float64),
        "multi": np.digitize(lin + noise, [-0.5, 0.7]).astype(np.float64),
        "count": rng.poisson(np.exp(0.4 * np.clip(lin, -3, 3))).astype(np.float64),
    }


# name, label kind, params, rounds, categorical
MODELS = [
    ("binary", "binary", {"objective": "binary", "num_leaves": 15}, 30, False),
    ("binary_sigmoid", "binary", {"objective": "binary", "sigmoid": 0.7, "num_leaves": 7}, 20, False),
    ("regression", "regression", {"objective": "regression", "num_leaves": 31}, 25, False),
    ("multiclass", "multi", {"objective": "multiclass", "num_class": 3, "num_leaves": 7}, 10, False),
    ("categorical", "binary", {"objective": "binary", "num_leaves": 15, "min_data_per_group": 10,
                               "cat_smooth": 1.0, "max_cat_to_onehot": 2}, 20, True),
    ("zero_missing", "regression", {"objective": "regression", "num_leaves": 15, "zero_as_missing": True}, 20, False),
    ("no_missing", "regression", {"objective": "regression", "num_leaves": 15, "use_missing": False}, 20, False),
    ("poisson", "count", {"objective": "poisson", "num_leaves": 7}, 15, False),
    ("random_forest", "binary", {"objective": "binary", "boosting": "rf", "num_leaves": 15,
                                 "bagging_fraction": 0.7, "bagging_freq": 1, "feature_fraction": 0.8}, 10, False),
    ("cross_entropy", "binary", {"objective": "cross_entropy", "num_leaves": 7}, 10, False),
    ("multiclassova", "multi", {"objective": "multiclassova", "num_class": 3, "sigmoid": 1.3, "num_leaves": 7}, 10, False),
    # Linear trees: a leaf's value is const + sum(coeff * x) over its features, or the plain
    # leaf value when one of them is NaN; pred_contrib refuses them.
    ("linear", "regression", {"objective": "regression", "linear_tree": True, "linear_lambda": 0.01,
                              "num_leaves": 15}, 15, False),
    ("linear_categorical", "binary", {"objective": "binary", "linear_tree": True, "num_leaves": 7,
                                      "min_data_per_group": 10, "cat_smooth": 1.0, "max_cat_to_onehot": 2}, 10, True),
]


def train(xtrain, ys, kind, params, rounds, categorical):
    base = {"learning_rate": 0.2, "seed": 7, "num_threads": 1, "deterministic": True, "force_row_wise": True,
            "verbose": -1, "min_data_in_leaf": 10}
    data = lgb.Dataset(xtrain, label=ys[kind], feature_name=[f"f{i}" for i in range(COLS)],
                       categorical_feature=[CAT_COL] if categorical else [], free_raw_data=False)
    return lgb.train({**base, **params}, data, num_boost_round=rounds)


def thresholds(booster):
    out = []

    def walk(node):
        if "split_index" not in node:
            return
        if node["decision_type"] == "<=":
            out.append((node["split_feature"], float(node["threshold"])))
        walk(node["left_child"])
        walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return out


def test_matrix(rng, boosters):
    x = features(rng, ROWS, missing=0.08)
    x[rng.random((ROWS, COLS)) < 0.04] = 0.0
    # Values on LightGBM's zero band edges and inside it: treated as 0 by its dense reader.
    band = np.array([1e-35, -1e-35, 1e-36, -1e-36, 1e-30, -1e-30], dtype=np.float32)
    x[rng.random((ROWS, COLS)) < 0.02] = rng.choice(band)
    # Float32 values nearest to, just below and just above split thresholds (stored as double).
    pairs = [p for b in boosters for p in thresholds(b)]
    for r in range(0, ROWS, 5):
        for feat, cond in (pairs[i] for i in rng.integers(0, len(pairs), 4)):
            f = np.float32(cond)
            x[r, feat] = rng.choice([f, np.nextafter(f, np.float32(-np.inf)), np.nextafter(f, np.float32(np.inf))])
    x[rng.integers(0, ROWS, 150), rng.integers(0, COLS - 1, 150)] = np.inf
    x[rng.integers(0, ROWS, 150), rng.integers(0, COLS - 1, 150)] = -np.inf
    x[rng.integers(0, ROWS, 200), CAT_COL] = rng.choice([-1.0, -0.5, 2.5, 100.0, 1e9, np.inf, -np.inf], 200)
    return x


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(20261126)
    xtrain = features(rng, 3000)
    ys = labels(rng, xtrain)
    boosters = [train(xtrain, ys, kind, params, rounds, cat) for _, kind, params, rounds, cat in MODELS]
    x = test_matrix(rng, boosters)
    x.astype("<f4").tofile(OUT / "matrix.f32")
    index = {"lightgbm_version": lgb.__version__, "matrix": "matrix.f32", "rows": ROWS, "cols": COLS,
             "contrib_rows": CONTRIB_ROWS, "models": []}
    for (name, *_), booster in zip(MODELS, boosters):
        booster.save_model(OUT / f"{name}.txt")
        # Predict with the saved model so that the oracle is exactly what riskkit reads.
        saved = lgb.Booster(model_file=str(OUT / f"{name}.txt"))
        margin = saved.predict(x, raw_score=True).reshape(ROWS, -1)
        value = saved.predict(x).reshape(ROWS, -1)
        margin.astype("<f8").tofile(OUT / f"{name}.margin.f64")
        value.astype("<f8").tofile(OUT / f"{name}.value.f64")
        entry = {"name": name, "model": f"{name}.txt", "num_outputs": int(margin.shape[1]),
                 "margin": f"{name}.margin.f64", "value": f"{name}.value.f64"}
        try:
            contribs = saved.predict(x[:CONTRIB_ROWS], pred_contrib=True)
            contribs.astype("<f8").tofile(OUT / f"{name}.contribs.f64")
            entry["contribs"] = f"{name}.contribs.f64"
        except lgb.basic.LightGBMError as refused:  # linear trees: riskkit must refuse as well
            entry["contribs"] = None
            entry["contribs_refused"] = str(refused)
        index["models"].append(entry)
    (OUT / "index.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
