"""riskkit.metrics against scikit-learn (AUC, roc_curve-based KS), numpy PSI/CSI and pandas
brute force (score bands, decision and rule-hit rates)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

import riskkit
from riskkit import metrics


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(11)
    y = (rng.random(20000) < 0.1).astype(float)
    s = np.round(rng.normal(y * 0.8, 1.0), 2)  # rounding makes many ties
    return s, y


def test_auc_gini_ks_equal_sklearn(scored):
    s, y = scored
    assert metrics.auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert metrics.gini(s, y) == pytest.approx(2 * roc_auc_score(y, s) - 1, abs=1e-12)
    fpr, tpr, _ = roc_curve(y, s)
    assert metrics.ks(s, y) == pytest.approx(np.max(tpr - fpr), abs=1e-12)


def test_nan_scores_are_left_out(scored):
    s, y = scored
    s2 = s.copy()
    s2[:100] = np.nan
    assert metrics.auc(s2, y) == pytest.approx(roc_auc_score(y[100:], s[100:]), abs=1e-12)


def test_psi_matches_numpy_with_missing_and_empty_bins():
    rng = np.random.default_rng(5)
    e = rng.normal(0, 1, 5000)
    a = rng.normal(0.3, 1.2, 3000)
    e[:50] = np.nan
    a[:300] = np.nan
    edges = [-1.0, 0.0, 1.0, 5.0]  # the last bin [5, inf) is empty in both
    value, bins = metrics.psi(e, a, edges=edges, return_bins=True)

    def shares(x):
        c = np.zeros(len(edges) + 2)
        for v in x:
            c[len(edges) + 1 if np.isnan(v) else np.searchsorted(edges, v, side="right")] += 1
        c = np.maximum(c / len(x), 1e-4)
        return c / c.sum()

    E, A = shares(e), shares(a)
    assert value == pytest.approx(float(np.sum((A - E) * np.log(A / E))), abs=1e-12)
    assert list(bins["bin"])[-1] == "missing"
    assert bins["contribution"].sum() == pytest.approx(value)


def test_bad_labels_raise():
    with pytest.raises(riskkit.RiskkitError, match="not 0 or 1"):
        metrics.auc([0.1, 0.2], [0, 2])


def test_csi_equals_numpy_over_training_bins_with_special_and_missing():
    from riskkit import scorecard

    rng = np.random.default_rng(8)
    train = np.round(rng.normal(50, 10, 8000), 1)
    train[:200] = -1
    train[200:400] = np.nan
    y = (rng.random(8000) < 0.2).astype(float)
    b = scorecard.bin(train, y, max_bins=6, special=[-1])
    recent = np.round(rng.normal(55, 12, 3000), 1)
    recent[:400] = -1  # more "no file" than in training, no missing at all
    value, table = metrics.csi(train, recent, b, return_bins=True)

    def shares(x):
        x32 = x.astype(np.float32).astype(float)
        idx = np.searchsorted(np.asarray(b.edges), x32, side="right")
        counts = [np.sum((idx == i) & (x32 != -1) & ~np.isnan(x32)) for i in range(len(b.edges) + 1)]
        counts += [np.sum(x32 == -1), np.sum(np.isnan(x32))]
        s = np.maximum(np.array(counts) / len(x), 1e-4)
        return s / s.sum()

    e, a = shares(train), shares(recent)
    assert value == pytest.approx(np.sum((a - e) * np.log(a / e)), rel=1e-12)
    assert list(table["bin"])[-2:] == ["special -1", "missing"]
    assert metrics.csi(train, train, b) == 0.0


def test_score_bands_equal_pandas_brute_force():
    rng = np.random.default_rng(9)
    y = (rng.random(5000) < 0.15).astype(float)
    s = rng.normal(y, 1.0)
    bands = metrics.score_bands(s, y, bands=5)
    edges = list(bands["upper"][:-1])
    frame = pd.DataFrame({"band": np.searchsorted(edges, s, side="right"), "y": y})
    g = frame.groupby("band")["y"].agg(["count", "sum"])
    np.testing.assert_array_equal(bands["count"], g["count"])
    np.testing.assert_array_equal(bands["bads"], g["sum"])
    np.testing.assert_allclose(bands["bad_rate"], g["sum"] / g["count"])
    np.testing.assert_allclose(bands["cumulative_bads"], g["sum"].cumsum() / y.sum())
    np.testing.assert_allclose(bands["ks"], np.abs(g["sum"].cumsum() / y.sum() - (g["count"] - g["sum"]).cumsum() / (1 - y).sum()))
    assert bands["ks"].max() <= metrics.ks(s, y) + 1e-12


def test_iv_over_fixed_edges_equals_a_hand_computation():
    x = np.array([1, 2, 3, 4, 12, 15, 18, 25, 30, np.nan])
    y = np.array([0, 0, 1, 1, 0, 1, 1, 0, 0, 1.0])
    g = np.array([2, 1, 2, 0]) + np.array([0, 0, 0.5, 0.5])   # goods per bin, smoothed where a count is 0
    b = np.array([2, 2, 0, 1]) + np.array([0, 0, 0.5, 0.5])
    woe = np.log((g / 5) / (b / 5))
    assert metrics.iv(x, y, edges=[10, 20]) == pytest.approx(np.sum((g / 5 - b / 5) * woe), rel=1e-12)


def test_decision_rates_and_rule_hit_rates_equal_pandas(tmp_path):
    rng = np.random.default_rng(4)
    outcomes = rng.choice(["approve", "review", "decline", "error"], 1000, p=[0.6, 0.2, 0.15, 0.05])
    days = pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 10, 1000), unit="D")
    hits = [["R1"] if o == "decline" else (["R2", "R3"] if o == "review" else []) for o in outcomes]
    frame = pd.DataFrame({"outcome": outcomes, "rule_hits": hits, "time": days})
    r = metrics.decision_rates(frame)
    counts = pd.Series(outcomes).value_counts()
    decided = 1000 - counts["error"]
    assert r["approve_rate"] == pytest.approx(counts["approve"] / decided)
    assert r["automated_rate"] == pytest.approx((counts["approve"] + counts["decline"]) / decided)
    daily = metrics.decision_rates(frame, by="time", freq="D")
    assert daily["total"].sum() == 1000 and len(daily) == 10
    rates = metrics.rule_hit_rates(frame, by="time", freq="D")
    expected = frame.assign(R1=frame["outcome"] == "decline").groupby("time")["R1"].mean()
    np.testing.assert_allclose(rates["R1"].to_numpy(), expected.to_numpy())

    path = tmp_path / "decisions.jsonl"
    with open(path, "w") as f:
        for o, h, t in zip(outcomes, hits, days):
            f.write(json.dumps({"outcome": o, "rule_hits": [{"id": i} for i in h], "scores": {"credit": 0.1},
                                "decided_at": t.isoformat()}) + "\n")
    read = metrics.read_decisions(path)
    assert list(read.columns) == ["event_id", "outcome", "rule_hits", "reasons", "score_credit", "time"]
    assert metrics.decision_rates(str(path)) == r
