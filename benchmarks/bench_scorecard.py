"""Scorecard development speed and quality: riskkit vs toad (and optbinning), one process,
same data.

For each tool: chi-merge binning of every characteristic (at most 10 bins), WOE transform,
logistic regression on the WOE — timed together — then the IV of each characteristic over
the tool's own bins (one formula for all tools) and the AUC of the fitted scorecard on a
held-out sample. Prints the per-tool figures and the time ratios against riskkit.

    python -m venv .venv-bench && .venv-bench/bin/pip install -r benchmarks/requirements-bench.txt
    .venv-bench/bin/pip install --no-build-isolation .      # riskkit itself (needs pybind11, scikit-build-core)
    .venv-bench/bin/python benchmarks/bench_scorecard.py                 # 1,000,000 rows × 50 features
    .venv-bench/bin/python benchmarks/bench_scorecard.py --rows 100000 --tools riskkit,toad

Data: synthetic applications; each characteristic has a few hundred to ~1,500 distinct
values (ages, counts, amounts rounded as bureaus report them), some with missing values;
the bad flag follows a logistic model of 30 of the 50 (monotone, U-shaped and step effects).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make_data(rows: int, features: int, seed: int):
    rng = np.random.default_rng(seed)
    columns, eta = {}, np.full(rows, -2.5)
    for j in range(features):
        kind = j % 5
        if kind == 0:
            x = rng.integers(18, 80, rows).astype(float)                      # age-like
        elif kind == 1:
            x = np.round(rng.lognormal(8, 0.7, rows), -1)                     # amount to 10s
            x = np.minimum(x, 30000)
        elif kind == 2:
            x = rng.poisson(2 + j % 3, rows).astype(float)                    # counts
        elif kind == 3:
            x = np.round(rng.beta(2, 3, rows), 3)                             # ratio to 0.001
        else:
            x = np.round(rng.normal(0, 1, rows), 2)                           # a score to 0.01
        z = (x - np.nanmean(x)) / np.nanstd(x)
        if j < 30:
            shape = j % 3
            effect = z if shape == 0 else (z * z - 1) * 0.5 if shape == 1 else np.where(z > 0.5, 1.0, 0.0)
            eta += (0.35 if j % 2 else -0.25) * effect
        if j % 4 == 1:
            x[rng.random(rows) < 0.05] = np.nan
        columns[f"x{j:02d}"] = x
    y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame(columns), y


def iv_of_bins(bins, y) -> float:
    """IV over given per-row bin labels; a bin without goods or bads gets +0.5 on both."""
    g = pd.DataFrame({"b": np.asarray(bins).astype(str), "y": y}).groupby("b")["y"].agg(["count", "sum"])
    bads, goods = g["sum"].to_numpy(float), (g["count"] - g["sum"]).to_numpy(float)
    B, G = bads.sum(), goods.sum()
    thin = (bads == 0) | (goods == 0)
    bads, goods = bads + 0.5 * thin, goods + 0.5 * thin
    return float(np.sum((goods / G - bads / B) * np.log((goods / G) / (bads / B))))


def auc(scores, y) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


def run_riskkit(train, y, test, yt, nthread):
    import riskkit.scorecard as sc

    t = time.perf_counter()
    bins = sc.bin_frame(train, y, method="chimerge", max_bins=10, monotonic="none",
                        nthread=nthread)
    fit = sc.fit_logistic(sc.woe_frame(train, bins), y, nthread=nthread)
    seconds = time.perf_counter() - t
    ivs = {c: iv_of_bins(b.bin_indices(train[c]), y) for c, b in bins.items()}
    return seconds, ivs, auc(fit.predict_proba(sc.woe_frame(test, bins)), yt)


def run_toad(train, y, test, yt):
    import toad
    from sklearn.linear_model import LogisticRegression

    # toad's chi-merge cannot take NaN (its splits then break np.digitize): the usual
    # practice is a sentinel below every value, which gives missing values a bin of their own.
    train, test = train.fillna(-999), test.fillna(-999)
    t = time.perf_counter()
    combiner = toad.transform.Combiner().fit(train, y, method="chi", n_bins=10)
    binned = combiner.transform(train)
    woe = toad.transform.WOETransformer()
    X = woe.fit_transform(binned, y)
    model = LogisticRegression(C=np.inf, max_iter=1000).fit(X, y)
    seconds = time.perf_counter() - t
    ivs = {c: iv_of_bins(binned[c], y) for c in train.columns}
    Xt = woe.transform(combiner.transform(test))
    return seconds, ivs, auc(model.predict_proba(Xt)[:, 1], yt)


def run_optbinning(train, y, test, yt):
    from optbinning import BinningProcess
    from sklearn.linear_model import LogisticRegression

    t = time.perf_counter()
    process = BinningProcess(list(train.columns), max_n_bins=10).fit(train, y)
    X = process.transform(train, metric="woe")
    model = LogisticRegression(C=np.inf, max_iter=1000).fit(X, y)
    seconds = time.perf_counter() - t
    indices = process.transform(train, metric="indices")
    ivs = {c: iv_of_bins(indices[c], y) for c in train.columns}
    return seconds, ivs, auc(model.predict_proba(process.transform(test, metric="woe"))[:, 1], yt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--tools", default="riskkit,toad,optbinning")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data, labels = make_data(args.rows + args.test_rows, args.features, args.seed)
    train, test = data.iloc[: args.rows].reset_index(drop=True), data.iloc[args.rows:].reset_index(drop=True)
    y, yt = labels[: args.rows], labels[args.rows:]
    print(f"{args.rows} rows x {args.features} features, bad rate {y.mean():.3f}; test {args.test_rows} rows")

    results = {}
    tools = args.tools.split(",")
    if "riskkit" in tools:
        results["riskkit (all cores)"] = run_riskkit(train, y, test, yt, 0)
        results["riskkit (1 thread)"] = run_riskkit(train, y, test, yt, 1)
    runners = {"toad": run_toad, "optbinning": run_optbinning}
    for tool in tools:
        if tool in runners:
            try:
                results[tool] = runners[tool](train, y, test, yt)
            except ImportError as error:
                print(f"{tool}: not installed ({error})")

    base = results.get("riskkit (all cores)")
    one = results.get("riskkit (1 thread)")
    print(f"\n{'tool':<22}{'seconds':>10}{'x riskkit':>11}{'x riskkit 1t':>14}{'mean IV':>10}{'AUC':>10}")
    for name, (seconds, ivs, score) in results.items():
        ratio = f"{seconds / base[0]:.1f}" if base else "-"
        ratio1 = f"{seconds / one[0]:.1f}" if one else "-"
        print(f"{name:<22}{seconds:>10.2f}{ratio:>11}{ratio1:>14}{np.mean(list(ivs.values())):>10.4f}{score:>10.5f}")
    if base:
        for name, (_, ivs, _) in results.items():
            if name.startswith("riskkit"):
                continue
            diff = np.array([base[1][c] - ivs[c] for c in ivs])
            print(f"IV riskkit - {name}: min {diff.min():+.4f}, mean {diff.mean():+.4f}, "
                  f"features where riskkit's IV is lower by > 0.001: {int(np.sum(diff < -0.001))}")


if __name__ == "__main__":
    main()
