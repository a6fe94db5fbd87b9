"""Tree-model prediction and contributions: riskkit against xgboost, treelite's GTIL,
onnxruntime, lightgbm and shap, on the same models and rows in one process.

    .venv-bench/bin/python benchmarks/bench_models_peers.py            # ~35 min on 2 busy cores
    .venv-bench/bin/python benchmarks/bench_models_peers.py --quick    # small models, ~1 min

(.venv-bench: see benchmarks/README.md; riskkit comes from `pip install .` there or from
a build tree's `PYTHONPATH=<build>/python`.)

Models (fixed seeds, cached in --cache): XGBoost `binary:logistic` with 100 trees of depth
4, 500 of depth 6 and 1000 of depth 8, and a LightGBM `binary` model of 500 trees of 63
leaves, all over 60 features with 5 % missing values. Every peer loads the same saved file
(treelite from the file, onnxruntime from onnxmltools' conversion of the booster).

First the program checks that every peer predicts what riskkit predicts on the batch rows
(probabilities; |Δ| ≤ 1e-6, else it says why the peer differs) and that riskkit's
contributions equal xgboost's `pred_contribs` / lightgbm's `pred_contrib` and shap's
TreeExplainer (values and expected_value; |Δ| ≤ 1e-5). It refuses to time anything that
disagrees beyond that unless the reason is known (onnxruntime sums in float32).

Then, medians of --repeat runs (CPU time of the process for one thread, so that other
work on a shared machine does not skew it; wall time for two threads):
- single row: one row per call, `Model.predict(row)` against `Booster.inplace_predict(row)`,
  `gtil.predict(model, row, nthread=1)`, `InferenceSession.run` and lightgbm's
  `Booster.predict(row, num_threads=1)`: µs per call over --single distinct rows;
- batch: --rows rows per call at nthread 1 and 2 (xgboost's `nthread`, GTIL's `nthread`,
  onnxruntime's `intra_op_num_threads`, lightgbm's `num_threads`): rows per second;
- contributions: --contrib-rows rows at nthread 1 and 2: `Model.contributions` against
  `pred_contribs` (with its DMatrix, which a caller must build), lightgbm's `pred_contrib`
  and `shap.TreeExplainer(model).shap_values` (which calls the same library routine).
Ratios are peer time / riskkit time: above 1, riskkit is faster.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import riskkit

NFEAT, MISSING, SEED = 60, 0.05, 20261126
PREDICT_TOL, CONTRIB_TOL = 1e-6, 1e-5


@dataclass
class Spec:
    name: str
    library: str  # "xgboost" or "lightgbm"
    trees: int
    size: int  # depth (xgboost) or leaves (lightgbm)


FULL = [Spec("xgb 100x4", "xgboost", 100, 4), Spec("xgb 500x6", "xgboost", 500, 6),
        Spec("xgb 1000x8", "xgboost", 1000, 8), Spec("lgb 500x63", "lightgbm", 500, 63)]
QUICK = [Spec("xgb 20x4", "xgboost", 20, 4), Spec("xgb 50x6", "xgboost", 50, 6),
         Spec("xgb 100x8", "xgboost", 100, 8), Spec("lgb 50x15", "lightgbm", 50, 15)]


def make_rows(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """float32 rows with 5 % NaN and a label that depends on a dozen columns."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, NFEAT)).astype(np.float32)
    x[:, 7] = np.round(x[:, 7] * 3)  # a discrete column: ties on thresholds
    x[rng.random(x.shape) < MISSING] = np.nan
    z = np.nan_to_num(x)
    eta = z[:, :12] @ np.linspace(-1, 1, 12) + 0.5 * z[:, 12] * z[:, 13] + 0.8 * np.isnan(x[:, 14])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.float32)
    return x, y


def train(spec: Spec, cache: Path) -> Path:
    """The saved model file of `spec` (trained once, then reused from `cache`)."""
    cache.mkdir(parents=True, exist_ok=True)
    suffix = "json" if spec.library == "xgboost" else "txt"
    path = cache / f"{spec.library}-{spec.trees}x{spec.size}-{SEED}.{suffix}"
    if path.exists():
        return path
    x, y = make_rows(20_000, SEED)
    t = time.perf_counter()
    if spec.library == "xgboost":
        import xgboost as xgb

        params = {"objective": "binary:logistic", "max_depth": spec.size, "eta": 0.1, "tree_method": "hist",
                  "subsample": 0.8, "colsample_bytree": 0.8, "seed": 1, "nthread": os.cpu_count()}
        xgb.train(params, xgb.DMatrix(x, label=y), num_boost_round=spec.trees).save_model(str(path))
    else:
        import lightgbm as lgb

        params = {"objective": "binary", "num_leaves": spec.size, "learning_rate": 0.1, "min_data_in_leaf": 5,
                  "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 1, "verbose": -1}
        lgb.train(params, lgb.Dataset(x, label=y), num_boost_round=spec.trees).save_model(str(path))
    print(f"  trained {spec.name} in {time.perf_counter() - t:.0f} s -> {path}", flush=True)
    return path


@dataclass
class Peer:
    """One library's way of scoring a model: `batch(x, nthread)` and `single(row)`
    return probabilities; `note` says why it may differ from riskkit."""
    name: str
    batch: Callable[[np.ndarray, int], np.ndarray]
    single: Callable[[np.ndarray], np.ndarray]
    note: str = ""


@dataclass
class Explainer:
    """One library's contributions: `run(x, nthread)` returns (values (n, f), bias (n,))."""
    name: str
    run: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]


@dataclass
class Setup:
    peers: list[Peer] = field(default_factory=list)
    explainers: list[Explainer] = field(default_factory=list)


def onnx_session(onx, nthread: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = nthread
    options.inter_op_num_threads = 1
    return ort.InferenceSession(onx.SerializeToString(), options, providers=["CPUExecutionProvider"])


def onnx_peer(onx) -> Peer:
    sessions = {n: onnx_session(onx, n) for n in (1, 2)}
    output = [o.name for o in sessions[1].get_outputs()][-1]  # "probabilities", (n, 2)

    def run(x: np.ndarray, nthread: int) -> np.ndarray:
        return sessions[nthread].run([output], {"input": x})[0][:, 1]

    return Peer("onnxruntime", run, lambda row: run(row, 1),
                "TreeEnsembleClassifier sums leaves and applies the sigmoid in float32")


def treelite_peer(model) -> Peer:
    import treelite.gtil

    def run(x: np.ndarray, nthread: int) -> np.ndarray:
        return treelite.gtil.predict(model, x, nthread=nthread).reshape(len(x))

    return Peer("treelite GTIL", run, lambda row: run(row, 1))


def xgboost_setup(path: Path) -> Setup:
    import onnxmltools
    import shap
    import treelite
    import xgboost as xgb
    from onnxmltools.convert.common.data_types import FloatTensorType

    booster = xgb.Booster(model_file=str(path))
    # A booster of its own for single rows, on one thread: set_param per call costs ~1 µs,
    # and a booster left at 2 threads pays OpenMP's fork/join on every row.
    single = xgb.Booster(model_file=str(path))
    single.set_param({"nthread": 1})

    def inplace(x: np.ndarray, nthread: int) -> np.ndarray:
        booster.set_param({"nthread": nthread})
        return booster.inplace_predict(x)

    onx = onnxmltools.convert_xgboost(booster, initial_types=[("input", FloatTensorType([None, NFEAT]))])
    setup = Setup([Peer("xgboost inplace_predict", inplace, single.inplace_predict),
                   treelite_peer(treelite.frontend.load_xgboost_model(str(path))), onnx_peer(onx)])

    def contribs(x: np.ndarray, nthread: int):
        booster.set_param({"nthread": nthread})
        phi = booster.predict(xgb.DMatrix(x, nthread=nthread), pred_contribs=True)
        return phi[:, :-1], phi[:, -1]

    explainer = shap.TreeExplainer(booster)

    def shap_values(x: np.ndarray, nthread: int):
        booster.set_param({"nthread": nthread})
        values = explainer.shap_values(x)
        return values, np.full(len(x), float(explainer.expected_value))

    setup.explainers = [Explainer("xgboost pred_contribs", contribs), Explainer("shap TreeExplainer", shap_values)]
    return setup


def lightgbm_setup(path: Path) -> Setup:
    import lightgbm as lgb
    import onnxmltools
    import shap
    import treelite
    from onnxmltools.convert.common.data_types import FloatTensorType

    booster = lgb.Booster(model_file=str(path))

    def predict(x: np.ndarray, nthread: int) -> np.ndarray:
        return booster.predict(x, num_threads=nthread)

    onx = onnxmltools.convert_lightgbm(booster, initial_types=[("input", FloatTensorType([None, NFEAT]))],
                                       zipmap=False)
    setup = Setup([Peer("lightgbm predict", predict, lambda row: predict(row, 1)),
                   treelite_peer(treelite.frontend.load_lightgbm_model(str(path))), onnx_peer(onx)])

    def contribs(x: np.ndarray, nthread: int):
        phi = booster.predict(x, pred_contrib=True, num_threads=nthread)
        return phi[:, :-1], phi[:, -1]

    explainer = shap.TreeExplainer(booster)
    # shap warns on every LightGBM binary model that its output format changed in the past.
    warnings.filterwarnings("ignore", "LightGBM binary classifier with TreeExplainer", UserWarning)

    def shap_values(x: np.ndarray, nthread: int):
        values = explainer.shap_values(x)
        return values, np.full(len(x), float(np.ravel(explainer.expected_value)[0]))

    setup.explainers = [Explainer("lightgbm pred_contrib", contribs), Explainer("shap TreeExplainer", shap_values)]
    return setup


def median_seconds(fn: Callable[[], object], repeat: int, nthread: int = 1) -> float:
    """Median over `repeat` calls: CPU time of the process on one thread (a busy shared
    machine then does not skew it), wall time on more."""
    clock = time.process_time if nthread == 1 else time.perf_counter
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def single_row_seconds(predict: Callable[[np.ndarray], object], rows: list[np.ndarray], repeat: int) -> float:
    def loop():
        for row in rows:
            predict(row)

    return median_seconds(loop, repeat) / len(rows)


def check_predictions(model, setup: Setup, x: np.ndarray) -> dict[str, float]:
    ours = model.predict(x)
    worst = {}
    for peer in setup.peers:
        theirs = np.asarray(peer.batch(x, 2), dtype=np.float64)
        singles = np.concatenate([np.ravel(peer.single(x[i:i + 1])) for i in range(50)])
        worst[peer.name] = max(float(np.max(np.abs(theirs - ours))), float(np.max(np.abs(singles - ours[:50]))))
        status = "equal" if worst[peer.name] <= PREDICT_TOL else f"DIFFERS: {peer.note or 'unexplained'}"
        print(f"  predictions   {peer.name:24s} max |Δ| = {worst[peer.name]:.3g}  {status}", flush=True)
        if worst[peer.name] > PREDICT_TOL and not peer.note:
            raise SystemExit(f"{peer.name} disagrees with riskkit beyond {PREDICT_TOL}")
    return worst


def check_contributions(model, setup: Setup, x: np.ndarray) -> None:
    ours = model.contributions(x)
    for explainer in setup.explainers:
        values, bias = explainer.run(x, 2)
        diff = max(float(np.max(np.abs(values - ours[:, :-1]))), float(np.max(np.abs(bias - ours[:, -1]))))
        print(f"  contributions {explainer.name:24s} max |Δ| = {diff:.3g}  "
              f"{'equal' if diff <= CONTRIB_TOL else 'DIFFERS'}", flush=True)
        if diff > CONTRIB_TOL:
            raise SystemExit(f"{explainer.name} disagrees with riskkit beyond {CONTRIB_TOL}")


def bench_model(spec: Spec, args, x: np.ndarray, results: list[tuple[str, str, str, float, float]]) -> None:
    path = train(spec, args.cache)
    model = riskkit.load_model(str(path))
    setup = xgboost_setup(path) if spec.library == "xgboost" else lightgbm_setup(path)
    print(f"\n{spec.name}: {path.name}", flush=True)
    check_predictions(model, setup, x[:20_000])
    contrib_rows = x[:args.contrib_rows]
    check_contributions(model, setup, contrib_rows)

    rows = [x[i:i + 1] for i in range(args.single)]
    ours = single_row_seconds(model.predict, rows, args.repeat)
    for peer in setup.peers:
        theirs = single_row_seconds(peer.single, rows, args.repeat)
        results.append((spec.name, "single row", peer.name, ours * 1e6, theirs * 1e6))
    batch = x[:args.rows]
    for nthread in (1, 2):
        ours = median_seconds(lambda: model.predict(batch, nthread=nthread), args.repeat, nthread)
        for peer in setup.peers:
            theirs = median_seconds(lambda: peer.batch(batch, nthread), args.repeat, nthread)
            results.append((spec.name, f"batch {len(batch) // 1000}k, {nthread} thr", peer.name,
                            len(batch) / ours, len(batch) / theirs))
    for nthread in (1, 2):
        ours = median_seconds(lambda: model.contributions(contrib_rows, nthread=nthread), args.repeat, nthread)
        for explainer in setup.explainers:
            theirs = median_seconds(lambda: explainer.run(contrib_rows, nthread), args.repeat, nthread)
            results.append((spec.name, f"contribs {len(contrib_rows)}, {nthread} thr", explainer.name,
                            len(contrib_rows) / ours, len(contrib_rows) / theirs))
    for row in results[-(len(setup.peers) * 3 + len(setup.explainers) * 2):]:
        print_row(row)


def print_row(row: tuple[str, str, str, float, float]) -> None:
    model, what, peer, ours, theirs = row
    if what == "single row":  # µs per call
        ratio = theirs / ours
        print(f"| {model} | {what} | {peer} | {ours:.2f} µs | {theirs:.2f} µs | {ratio:.1f}× |", flush=True)
    else:  # rows per second
        ratio = ours / theirs
        print(f"| {model} | {what} | {peer} | {ours:,.0f} rows/s | {theirs:,.0f} rows/s | {ratio:.1f}× |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small models and batches (a smoke run)")
    parser.add_argument("--rows", type=int, default=None, help="batch rows (default 100,000; quick 10,000)")
    parser.add_argument("--single", type=int, default=None, help="single-row calls per repeat (2,000; quick 200)")
    parser.add_argument("--contrib-rows", type=int, default=None, help="contribution rows (200; quick 100)")
    parser.add_argument("--repeat", type=int, default=None, help="repeats, median taken (5; quick 3)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/riskkit-bench-peers"), help="trained models")
    parser.add_argument("--models", default=None, help="comma-separated subset of model names, e.g. 'xgb 100x4'")
    args = parser.parse_args()
    quick = args.quick
    args.rows = args.rows or (10_000 if quick else 100_000)
    args.single = args.single or (200 if quick else 2_000)
    args.contrib_rows = args.contrib_rows or (100 if quick else 200)
    args.repeat = args.repeat or (3 if quick else 5)
    specs = QUICK if quick else FULL
    if args.models:
        wanted = {m.strip() for m in args.models.split(",")}
        specs = [s for s in specs if s.name in wanted]
    x, _ = make_rows(max(args.rows, 20_000), SEED + 1)
    print(f"riskkit {riskkit.__version__}; {len(x):,} rows x {NFEAT} features, {MISSING:.0%} missing; "
          f"median of {args.repeat}", flush=True)
    results: list[tuple[str, str, str, float, float]] = []
    print("| model | measurement | peer | riskkit | peer | peer / riskkit time |")
    print("|---|---|---|---|---|---|")
    for spec in specs:
        bench_model(spec, args, x, results)
    print("\nAll results:\n| model | measurement | peer | riskkit | peer | peer / riskkit time |\n|---|---|---|---|---|---|")
    for row in results:
        print_row(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
