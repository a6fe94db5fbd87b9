"""riskkit.load_model on models written by XGBoost 1.7, 2.x and 3.x, against each release's
own outputs, and on the malformed-model corpus.

The fixtures under tests/data/models/releases/<version>/ come from
tests/data/make_xgboost_release_fixtures.py, run under each release (see its docstring):
the model as JSON and UBJSON, and that release's inplace_predict margins and values and
pred_contribs on a 10,000-row matrix with NaN, +-inf and values exactly on thresholds.
Run:  .venv/bin/python -m pytest tests/python/test_model_releases_python.py
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import riskkit

MODELS = pathlib.Path(__file__).resolve().parents[1] / "data" / "models"
RELEASES = sorted((MODELS / "releases").iterdir())
CASES = [(release, entry, fmt)
         for release in RELEASES
         for entry in json.loads((release / "index.json").read_text())["models"]
         for fmt in ("json", "ubj")]


def floats(path: pathlib.Path) -> np.ndarray:
    return np.fromfile(path, dtype="<f4")


def test_one_release_of_each_major_version():
    majors = {json.loads((r / "index.json").read_text())["xgboost_version"].split(".")[0] for r in RELEASES}
    assert majors >= {"1", "2", "3"}


@pytest.mark.parametrize("release,entry,fmt", CASES,
                         ids=[f"{r.name}-{e['name']}-{f}" for r, e, f in CASES])
def test_release_model_matches_its_release(release, entry, fmt):
    index = json.loads((release / "index.json").read_text())
    rows, cols, head = index["rows"], index["cols"], index["contrib_rows"]
    x = floats(release / index["matrix"]).reshape(rows, cols)
    k = entry["num_outputs"]
    model = riskkit.load_model(str(release / entry[fmt]))
    assert (model.num_features, model.num_outputs) == (cols, k)

    shape = (rows,) if k == 1 else (rows, k)
    margin = model.predict(x, output="margin")
    value = model.predict(x, output="value")
    np.testing.assert_allclose(margin, floats(release / entry["margin"]).reshape(shape), rtol=0, atol=1e-6)
    np.testing.assert_allclose(value, floats(release / entry["value"]).reshape(shape), rtol=0, atol=1e-6)

    contribs = model.contributions(x[:head])
    oracle = floats(release / entry["contribs"]).reshape(head, k, cols + 1)
    np.testing.assert_allclose(contribs.reshape(head, k, cols + 1), oracle, rtol=0, atol=1e-5)


def test_malformed_corpus_is_refused_with_the_pointer():
    expected = json.loads((MODELS / "malformed" / "expected.json").read_text())
    refused = 0
    for item in expected:
        path = MODELS / "malformed" / item["file"]
        if item["code"] == "ok":
            assert riskkit.load_model(str(path)).num_features == 3
            continue
        with pytest.raises(riskkit.RiskkitError) as error:
            riskkit.load_model(str(path))
        message = str(error.value)
        assert error.value.code == item["code"], (item["file"], message)
        assert message.startswith(f"{path}: ")
        for part in item["contains"]:
            assert part in message, (item["file"], message)
        refused += 1
    assert refused >= 50
