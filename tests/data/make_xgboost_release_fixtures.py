"""Writes fixtures from one XGBoost release under tests/data/models/releases/<version>/.

riskkit must read models as written by XGBoost 1.x, 2.x and 3.x (their JSON and UBJSON
differ: base_score as "5E-1" or "[5E-1]", booleans or integers in default_left, typed
arrays, categorical fields). This script trains small models with whichever xgboost it
runs under and stores, next to each model, that release's own outputs on one test matrix.
It reuses make_model_fixtures.py's helpers and layout (index.json, little-endian float32 files):

- matrix.f32        rows x cols test matrix: NaN, +-inf (rows >= contrib_rows only, since
                    the DMatrix that pred_contribs needs rejects inf), values exactly on
                    split thresholds, out-of-range categories
- NAME.json/.ubj    the model as this release saves it (UBJSON from 1.6 on)
- NAME.value.f32    inplace_predict(predict_type="value")    rows x num_outputs
- NAME.margin.f32   inplace_predict(predict_type="margin")   rows x num_outputs
- NAME.contribs.f32 pred_contribs on the first contrib_rows rows,
                    contrib_rows x num_outputs x (cols + 1)
- index.json        shapes, file names and the xgboost version

Regenerate (each release in a throwaway virtual environment; PyPI serves them all):

    python3 -m venv /tmp/xgb17 && /tmp/xgb17/bin/pip install xgboost==1.7.6 "numpy<2"
    python3 -m venv /tmp/xgb21 && /tmp/xgb21/bin/pip install xgboost-cpu==2.1.4 "numpy<2"
    /tmp/xgb17/bin/python tests/data/make_xgboost_release_fixtures.py
    /tmp/xgb21/bin/python tests/data/make_xgboost_release_fixtures.py
    .venv/bin/python tests/data/make_xgboost_release_fixtures.py      # the pinned 3.x

Output is deterministic for a given release (fixed seeds, one thread).
"""
import pathlib

import numpy as np
import xgboost as xgb

from make_model_fixtures import features, labels, test_matrix, train, write_fixtures

ROWS, COLS, CONTRIB_ROWS, CAT_COL, NCAT = 10_000, 8, 1_000, 7, 9
CAT_EFFECT = [0.9, -0.4, 0.1, 1.3, -1.1, 0.0, 0.5, -0.7, 0.3]
OUT = pathlib.Path(__file__).resolve().parent / "models" / "releases" / xgb.__version__

# name, objective, label kind, extra params, rounds, categorical
MODELS = [
    ("binary_logistic", "binary:logistic", "binary", {"max_depth": 4}, 12, False),
    ("multi_softprob", "multi:softprob", "multi", {"max_depth": 3, "num_class": 3}, 5, False),
    ("regression", "reg:squarederror", "regression", {"max_depth": 5}, 10, False),
    ("categorical", "binary:logistic", "binary", {"max_depth": 4, "max_cat_to_onehot": 1}, 10, True),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261126)
    xtrain = features(rng, 2000, COLS, CAT_COL, NCAT)
    ys = labels(rng, xtrain, CAT_COL, CAT_EFFECT, multi_edges=(-0.5, 0.8), count=False)
    boosters = train(MODELS, xtrain, ys, CAT_COL)
    x = test_matrix(rng, boosters, COLS, CAT_COL, NCAT, ROWS, CONTRIB_ROWS, per_row=4)
    write_fixtures(OUT, MODELS, boosters, x, CONTRIB_ROWS, CAT_COL)


if __name__ == "__main__":
    main()
