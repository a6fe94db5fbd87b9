"""riskkit.load_model / Model against XGBoost's own predictions (the oracle).

Models are trained here with fixed seeds and saved as JSON and UBJSON; every check
compares riskkit with `Booster.predict` on the same float32 rows, including NaN.
Run:  .venv/bin/python -m pytest tests/python/test_models_python.py
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import subprocess
import sys
import threading
import tracemalloc

import numpy as np
import pytest

import riskkit
from riskkit import _core

xgb = pytest.importorskip("xgboost")
pd = pytest.importorskip("pandas")

NROW = 12_000
NFEAT = 8
VALUE_TOL = 1e-6
CONTRIB_TOL = 1e-5


def make_data(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Rows with ~5% NaN cells and a label driven by a few of the columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(NROW, NFEAT)).astype(np.float32)
    X[rng.random(X.shape) < 0.05] = np.nan
    signal = np.nan_to_num(X[:, 0]) - 0.7 * np.nan_to_num(X[:, 1]) + 0.4 * np.nan_to_num(X[:, 2] * X[:, 3])
    return X, signal + rng.normal(scale=0.5, size=NROW)


OBJECTIVES = {
    "binary": ({"objective": "binary:logistic"}, lambda y: (y > 0).astype(np.float32)),
    "regression": ({"objective": "reg:squarederror"}, lambda y: y.astype(np.float32)),
    "multiclass": ({"objective": "multi:softprob", "num_class": 3}, lambda y: np.digitize(y, [-0.5, 0.5])),
}


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return make_data()[0]


def train(objective: str, folder, **extra):
    """(booster, {"json": path, "ubj": path}) of a small model for one objective."""
    params, label = OBJECTIVES[objective]
    X, y = make_data()
    names = [f"f{i}" for i in range(NFEAT)]
    dtrain = xgb.DMatrix(X, label=label(y), feature_names=names)
    config = {**params, "max_depth": 4, "eta": 0.3, "seed": 1, "nthread": 1, **extra}
    booster = xgb.train(config, dtrain, num_boost_round=25)
    paths = {fmt: folder / f"model.{fmt}" for fmt in ("json", "ubj")}
    for path in paths.values():
        booster.save_model(str(path))
    return booster, paths


@pytest.fixture(scope="module", params=sorted(OBJECTIVES))
def trained(request, tmp_path_factory):
    """A model as XGBoost 3 trains it by default (with an estimated intercept)."""
    return train(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module", params=sorted(OBJECTIVES))
def trained_for_capi(request, tmp_path_factory):
    """A model the reference backend reads as XGBoost 3 does. That backend links the
    system's libxgboost (1.7 on Debian 12), which ignores the vector-valued intercept
    XGBoost 3 saves, so the intercept is pinned at 1.7's default, 0.5."""
    return train(request.param, tmp_path_factory.mktemp(request.param + "_capi"), base_score=0.5)


def oracle(booster, X: np.ndarray, **kwargs) -> np.ndarray:
    return booster.predict(xgb.DMatrix(X, feature_names=booster.feature_names), **kwargs)


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_predict_matches_xgboost(trained, data, fmt):
    booster, paths = trained
    model = riskkit.load_model(paths[fmt])
    assert model.num_features == NFEAT
    assert model.feature_names == booster.feature_names
    value = model.predict(data)
    margin = model.predict(data, output="margin")
    expected_value = oracle(booster, data)
    expected_margin = oracle(booster, data, output_margin=True)
    assert value.shape == expected_value.shape and value.dtype == np.float64
    assert model.num_outputs == (1 if expected_value.ndim == 1 else expected_value.shape[1])
    np.testing.assert_allclose(value, expected_value, rtol=0, atol=VALUE_TOL)
    np.testing.assert_allclose(margin, expected_margin, rtol=0, atol=VALUE_TOL)


def test_reference_backend_matches_xgboost(trained_for_capi, data):
    booster, paths = trained_for_capi
    reference = riskkit.load_model(paths["ubj"], backend="xgboost")
    native = riskkit.load_model(paths["ubj"])
    assert reference.kind == "xgboost-capi"
    for model in (reference, native):
        np.testing.assert_allclose(model.predict(data), oracle(booster, data), rtol=0, atol=VALUE_TOL)
        np.testing.assert_allclose(model.predict(data, output="margin"), oracle(booster, data, output_margin=True),
                                   rtol=0, atol=VALUE_TOL)
        np.testing.assert_allclose(model.contributions(data), oracle(booster, data, pred_contribs=True),
                                   rtol=0, atol=CONTRIB_TOL)


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_contributions_match_pred_contribs(trained, data, fmt):
    booster, paths = trained
    model = riskkit.load_model(paths[fmt])
    got = model.contributions(data)
    expected = oracle(booster, data, pred_contribs=True)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=CONTRIB_TOL)
    # Each row's contributions sum to its margin.
    np.testing.assert_allclose(got.sum(axis=-1), model.predict(data, output="margin"), rtol=0, atol=CONTRIB_TOL)


@pytest.mark.parametrize("fmt", ["json", "ubj"])
def test_pruned_trees_keep_their_deleted_nodes_and_still_score(tmp_path, data, fmt):
    """The exact tree method with gamma (min_split_loss) prunes splits after growing a tree
    and keeps the deleted nodes in the file, unreachable, with split index 2**31 - 1."""
    booster, paths = train("regression", tmp_path, gamma=40.0, max_depth=6, tree_method="exact")
    saved = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    assert sum(int(tree["tree_param"]["num_deleted"]) for tree in saved) > 0
    assert max(max(tree["split_indices"]) for tree in saved) == 2**31 - 1
    model = riskkit.load_model(paths[fmt])
    np.testing.assert_allclose(model.predict(data, output="margin"), oracle(booster, data, output_margin=True),
                               rtol=0, atol=VALUE_TOL)
    np.testing.assert_allclose(model.contributions(data[:500]), oracle(booster, data[:500], pred_contribs=True),
                               rtol=0, atol=CONTRIB_TOL)


def test_every_input_layout_gives_the_same_scores(trained, data):
    booster, paths = trained
    model = riskkit.load_model(paths["json"])
    reference = model.predict(data[:500])
    frame = pd.DataFrame(data[:500], columns=booster.feature_names)
    layouts = {
        "fortran": np.asfortranarray(data[:500]),
        "float64": data[:500].astype(np.float64),
        "list": data[:500].tolist(),
        "frame": frame,
        "frame with shuffled columns": frame[list(reversed(frame.columns))],
        "nullable frame": frame.astype("Float64"),  # NaN cells become pd.NA
    }
    for name, X in layouts.items():
        np.testing.assert_array_equal(model.predict(X), reference, err_msg=name)
    # One 1-D row is one row.
    np.testing.assert_array_equal(model.predict(data[3]), reference[3:4])


def test_c_contiguous_float32_is_read_in_place(trained, data):
    _, paths = trained
    model = riskkit.load_model(paths["json"])
    X = np.ascontiguousarray(np.tile(data, (20, 1)))  # 240k rows, ~7.7 MB
    assert riskkit._model.as_rows(X) is X
    model.predict(X[:10])  # warm up one-time allocations
    tracemalloc.start()
    try:
        out = model.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Only the output was allocated, not a copy of X.
    assert out.shape[0] == X.shape[0]
    assert peak < out.nbytes + X.nbytes // 4
    # The core never converts on its own: anything but C-contiguous float32 is refused.
    with pytest.raises(TypeError):
        _core.Model.predict(model, np.asfortranarray(data))
    with pytest.raises(TypeError):
        _core.Model.predict(model, data.astype(np.float64))


def test_predict_from_two_threads(trained, data):
    booster, paths = trained
    model = riskkit.load_model(paths["ubj"])
    expected = oracle(booster, data)
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = model.predict(data, nthread=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        np.testing.assert_allclose(results[i], expected, rtol=0, atol=VALUE_TOL)


def test_missing_sentinel_and_nthread(trained, data):
    booster, paths = trained
    model = riskkit.load_model(paths["json"])
    sentinel = np.where(np.isnan(data), np.float32(-999), data)
    np.testing.assert_array_equal(model.predict(sentinel, missing=-999.0), model.predict(data))
    np.testing.assert_array_equal(model.predict(data, nthread=1), model.predict(data, nthread=3))
    assert model.predict(np.empty((0, NFEAT), np.float32)).shape[0] == 0


def test_missing_file_raises_naming_it(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(riskkit.RiskkitError) as info:
        riskkit.load_model(path)
    assert info.value.code == "io"
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content", [b"{not json", b"\x00\x01\x02garbage", b'{"learner": 3}'])
def test_malformed_file_raises_naming_it(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(riskkit.RiskkitError) as info:
        riskkit.load_model(path)
    assert info.value.code in {"parse", "invalid_model"}
    assert "broken.json" in str(info.value)


def test_bad_arguments_raise(trained, data):
    _, paths = trained
    model = riskkit.load_model(paths["json"])
    with pytest.raises(riskkit.RiskkitError) as info:
        model.predict(data[:, :3])
    assert info.value.code == "invalid_argument"
    with pytest.raises(riskkit.RiskkitError):
        model.predict(data, output="probability")
    with pytest.raises(riskkit.RiskkitError):
        model.predict(data.reshape(2, -1, NFEAT))
    with pytest.raises(riskkit.RiskkitError):
        riskkit.load_model(paths["json"], backend="onnx")


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (/proc/cpuinfo)."""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def test_tree_kernel_is_the_fastest_the_cpu_runs_or_the_cap_and_scores_the_same(trained, data, tmp_path):
    """Each setting of RISKKIT_TREE_KERNEL in a fresh process: the kernel riskkit reports,
    against the CPU's flags, and its scores of a batch, bit for bit the same."""
    _, paths = trained
    flags = cpu_flags()
    avx512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags
    fastest = "avx512" if avx512 else "avx2" if "avx2" in flags else "portable"
    np.save(tmp_path / "X.npy", data[:3000])
    script = (
        "import sys, numpy as np, riskkit\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        f"np.save(sys.argv[1], riskkit.load_model({str(paths['ubj'])!r}).predict(X, output='margin'))\n"
        "print(riskkit.tree_kernel())\n"
    )
    scores = {}
    for cap, expected in (("", fastest), ("avx2", "avx2" if "avx2" in flags else fastest), ("portable", "portable")):
        env = {**os.environ, "RISKKIT_TREE_KERNEL": cap}
        out = tmp_path / f"scores_{cap or 'default'}.npy"
        run = subprocess.run([sys.executable, "-c", script, str(out)], env=env, capture_output=True, text=True,
                             check=True)
        assert run.stdout.strip() == expected, (cap, run.stdout, run.stderr)
        scores[cap] = np.load(out)
    assert riskkit.tree_kernel() in ("avx512", "avx2", "portable")
    for cap in ("avx2", "portable"):
        assert np.array_equal(scores[cap], scores[""]), cap


def test_model_describes_itself(trained):
    _, paths = trained
    model = riskkit.load_model(paths["json"])
    assert model.kind == "xgboost"
    assert isinstance(model, riskkit.Model)
    assert repr(model).startswith("<riskkit.Model kind='xgboost'")
    # The library's runtime version is the one the package was built as (version.hpp).
    assert riskkit.__version__ == importlib.metadata.version("riskkit")
