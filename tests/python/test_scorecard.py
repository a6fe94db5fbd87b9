"""riskkit.scorecard against independent oracles: pandas brute force for bins/WOE/IV,
scikit-learn and a numpy IRLS for the logistic fit, and riskkit's own engine for the
exported scorecard (every row's points and reasons)."""

import hashlib
import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import riskkit
from riskkit import scorecard as sc


def make_data(n=20000, seed=7):
    """Four characteristics with a known direction, special values and missing values."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 75, n).astype(float)
    income = np.round(rng.lognormal(8.5, 0.6, n), 2)
    utilization = np.round(rng.beta(2, 3, n), 3)
    inquiries = rng.poisson(1.5, n).astype(float)
    eta = -2.0 - 0.03 * (age - 40) - 0.5 * (np.log(income) - 8.5) + 2.0 * (utilization - 0.4) + 0.25 * inquiries
    bad = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    income[rng.random(n) < 0.04] = np.nan
    inquiries[rng.random(n) < 0.03] = -1  # bureau: no file
    utilization[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({"age": age, "income": income, "utilization": utilization, "inquiries": inquiries,
                         "bad": bad})


@pytest.fixture(scope="module")
def data():
    return make_data()


def brute_force_table(x, y, edges, special, smoothing=0.5):
    """Bin by hand (float32 values, special first, NaN missing) and compute WOE/IV with pandas."""
    x32 = np.asarray(x, dtype=np.float32).astype(np.float64)
    bins = np.searchsorted(np.asarray(edges), x32, side="right").astype(object)
    for j, s in enumerate(special):
        bins[x32 == np.float32(s)] = f"s{j}"
    bins[np.isnan(x32)] = "missing"
    frame = pd.DataFrame({"bin": bins, "y": y})
    order = list(range(len(edges) + 1)) + [f"s{j}" for j in range(len(special))] + ["missing"]
    g = frame.groupby("bin")["y"].agg(["count", "sum"]).reindex(order, fill_value=0)
    goods, bads = (g["count"] - g["sum"]).astype(float), g["sum"].astype(float)
    G, B = goods.sum(), bads.sum()
    thin = ((goods == 0) | (bads == 0)) & (g["count"] > 0)
    gs, bs = goods + thin * smoothing, bads + thin * smoothing
    woe = np.where(g["count"] > 0, np.log((gs / G) / (bs / B)), 0.0)
    iv = np.where(g["count"] > 0, (gs / G - bs / B) * woe, 0.0)
    return g["count"].to_numpy(), g["sum"].to_numpy(), woe, iv


@pytest.mark.parametrize("method", ["chimerge", "quantile"])
def test_bins_woe_iv_equal_pandas_brute_force(data, method):
    b = sc.bin(data["inquiries"], data["bad"], method=method, max_bins=5, special=[-1])
    count, bads, woe, iv = brute_force_table(data["inquiries"], data["bad"], b.edges, b.special)
    t = b.table
    assert list(t["kind"]) == ["numeric"] * (len(b.edges) + 1) + ["special", "missing"]
    np.testing.assert_array_equal(t["count"], count)
    np.testing.assert_array_equal(t["bads"], bads)
    np.testing.assert_allclose(t["woe"], woe, rtol=1e-12, atol=1e-14)
    assert b.iv == pytest.approx(iv.sum(), rel=1e-12)
    np.testing.assert_allclose(b.transform(data["inquiries"]), woe[b.bin_indices(data["inquiries"])])


def quantile_edges(x, bins):
    """The documented equal-frequency rule: the value at position k·n/bins, ascending,
    duplicates and the smallest value dropped."""
    s = np.sort(np.asarray(x, dtype=np.float32).astype(float))
    edges = []
    for k in range(1, bins):
        e = s[k * len(s) // bins]
        if e > s[0] and (not edges or e > edges[-1]):
            edges.append(e)
    return edges


def test_quantile_edges_equal_numpy_and_fixed_edges_are_kept(data):
    x = data["age"].to_numpy()
    b = sc.bin(x, data["bad"], method="quantile", max_bins=6, monotonic="none")
    assert b.edges == quantile_edges(x, 6)
    fixed = sc.bin(x, data["bad"], edges=[25, 35, 50])
    assert fixed.edges == [25, 35, 50] and fixed.direction == "none"


def test_monotonic_woe_in_the_auto_direction(data):
    for col, direction in [("age", "ascending"), ("utilization", "descending")]:
        b = sc.bin(data[col], data["bad"], max_bins=8, monotonic="auto")
        woe = b.woe[: len(b.edges) + 1]
        assert b.direction == direction
        assert np.all(np.diff(woe) >= 0) if direction == "ascending" else np.all(np.diff(woe) <= 0)
        assert len(woe) <= 8


def test_bin_frame_threads_equal_single_calls_and_pickle(data):
    bins = sc.bin_frame(data[["age", "income", "utilization"]], data["bad"], nthread=2, max_bins=6)
    for name, b in bins.items():
        single = sc.bin(data[name], data["bad"], max_bins=6)
        assert b.edges == single.edges and b.iv == single.iv and b.name == name
    clone = pickle.loads(pickle.dumps(bins["income"]))
    np.testing.assert_array_equal(clone.transform(data["income"]), bins["income"].transform(data["income"]))
    table = sc.iv_table(bins)
    assert list(table["iv"]) == sorted(table["iv"], reverse=True)
    with pytest.raises(riskkit.RiskkitError) as error:
        sc.bin(data["age"], data["bad"] * 2)
    assert error.value.code == "invalid_argument"


def numpy_irls(X, y, l2=0.0):
    A = np.column_stack([np.ones(len(X)), X])
    beta = np.zeros(A.shape[1])
    penalty = np.r_[0.0, np.full(X.shape[1], l2)]
    for _ in range(50):
        p = 1 / (1 + np.exp(-A @ beta))
        H = A.T @ (A * (p * (1 - p))[:, None]) + np.diag(penalty)
        step = np.linalg.solve(H, A.T @ (y - p) - penalty * beta)
        beta += step
        if np.max(np.abs(step)) < 1e-13:
            break
    return beta, H


@pytest.fixture(scope="module")
def woe(data):
    bins = sc.bin_frame(data[["age", "income", "utilization", "inquiries"]], data["bad"], special=[-1])
    return bins, sc.woe_frame(data, bins)


def test_logistic_equals_sklearn_and_numpy_irls(data, woe):
    bins, X = woe
    y = data["bad"].to_numpy()
    fit = sc.fit_logistic(X, y)
    assert fit.converged and fit.features == list(X.columns)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(fit.coefficients, ref.coef_[0], atol=1e-6)
    assert fit.intercept == pytest.approx(ref.intercept_[0], abs=1e-6)
    beta, H = numpy_irls(X.to_numpy(), y)
    np.testing.assert_allclose(np.r_[fit.intercept, fit.coefficients], beta, atol=1e-9)
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    np.testing.assert_allclose(fit.summary["std_err"], se, rtol=1e-7)
    from scipy.stats import norm

    np.testing.assert_allclose(fit.summary["p_value"], 2 * norm.sf(np.abs(beta / se)), rtol=1e-6, atol=1e-300)


def test_l2_equals_sklearn_with_matching_c(data, woe):
    _, X = woe
    y = data["bad"].to_numpy()
    fit = sc.fit_logistic(X, y, l2=50.0)
    ref = LogisticRegression(C=1 / 50.0, tol=1e-12, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(fit.coefficients, ref.coef_[0], atol=1e-6)
    assert fit.intercept == pytest.approx(ref.intercept_[0], abs=1e-6)
    assert np.isnan(fit.p_values).all()


def manifest(card_fragment, model_file):
    return {
        "format": 1, "name": "scorecard-roundtrip", "version": "1", "stage": "application",
        "schema": {"app_id": {"type": "string", "role": "event_id"}, "age": {"type": "number"},
                   "income": {"type": "number"}, "utilization": {"type": "number"}, "inquiries": {"type": "number"}},
        "features": [], "rules": [],
        "models": card_fragment["models"],
        "policy": {"cutoffs": [{"score": "scorecard", "below": 560, "outcome": "decline"}], "default": "approve",
                   "reasons": {"top": 4, "catalogue": card_fragment["catalogue"]}},
    }


def test_exported_scorecard_scores_and_explains_like_the_notebook(data, woe, tmp_path):
    bins, X = woe
    fit = sc.fit_logistic(X, data["bad"])
    card = sc.Scorecard(bins, fit, base_points=600, base_odds=50, pdo=20)
    notebook = card.score(data)
    # The points imply the fit's probabilities.
    np.testing.assert_allclose(card.probability(data), fit.predict_proba(X), rtol=1e-10)

    (tmp_path / "models").mkdir()
    digest = card.save(tmp_path / "models" / "scorecard.json")
    assert digest == hashlib.sha256((tmp_path / "models" / "scorecard.json").read_bytes()).hexdigest()
    model = riskkit.load_model(tmp_path / "models" / "scorecard.json")
    cols = ["age", "income", "utilization", "inquiries"]
    assert model.kind == "scorecard" and model.feature_names == cols
    np.testing.assert_array_equal(model.predict(data[cols], output="margin"), notebook)

    fragment = card.bundle_fragment()
    (tmp_path / "bundle.json").write_text(json.dumps(manifest(fragment, "models/scorecard.json")))
    engine = riskkit.Engine(tmp_path)
    records = data[cols].assign(app_id=[f"A{i}" for i in range(len(data))])
    out = engine.decide_frame(records)
    np.testing.assert_array_equal(out["score_scorecard"].to_numpy(), notebook)  # every row, bit for bit
    declined = notebook < 560
    assert (out["outcome"] == np.where(declined, "decline", "approve")).all()
    codes = {f: fragment["catalogue"][f]["code"] for f in cols}
    expected = [[codes[f] for f in r] if d else [] for r, d in zip(card.reasons(data), declined)]
    assert out["reasons"].tolist() == expected


def test_special_value_inside_the_numeric_range_round_trips(tmp_path):
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(0, 10, 5000), 1)
    y = (rng.random(5000) < 0.1 + 0.03 * x).astype(float)
    x[:300] = 5.0  # a special value in the middle of the range, with its own risk
    y[:300] = (rng.random(300) < 0.6)
    b = sc.bin(x, y, special=[5.0], max_bins=4)
    fit = sc.fit_logistic(pd.DataFrame({"x": b.transform(x)}), y)
    card = sc.Scorecard({"x": b}, fit, round_points=True)
    card.save(tmp_path / "card.json")
    probe = np.array([5.0, np.nextafter(np.float32(5), np.float32(0)), np.nextafter(np.float32(5), np.float32(9)),
                      *b.edges, np.nan, -1e30, 1e30])
    frame = pd.DataFrame({"x": probe})
    engine_points = riskkit.load_model(tmp_path / "card.json").predict(frame, output="margin")
    np.testing.assert_array_equal(engine_points, card.score(frame))
    assert card.score(frame)[0] == card.intercept_points + card.table.query("bin == 'special 5'")["points"].iloc[0]


def test_select_drops_weak_and_correlated_features(data, woe):
    bins, X = woe
    X = X.assign(age_copy=X["age"])
    bins = {**bins, "age_copy": bins["age"]}
    kept = sc.select(bins, X, min_iv=0.01, max_correlation=0.9)
    assert "age" in kept and "age_copy" not in kept
    assert all(bins[f].iv >= 0.01 for f in kept)
    feature = bins["inquiries"].to_feature("inquiries_woe")
    assert feature["bins"]["special"][0]["value"] == -1 and len(feature["bins"]["woe"]) == len(bins["inquiries"].edges) + 1


def test_chimerge_starts_from_equal_frequency_pre_bins_so_rare_values_pool():
    # A count characteristic whose tail values hold a few rows each: with max_bins as large as
    # initial_bins nothing is merged, so the bins are the pre-bins themselves.
    rng = np.random.default_rng(4)
    x = np.r_[rng.poisson(2.0, 19_990), np.arange(20, 30)].astype(float)  # ten values of one row each
    y = (rng.random(len(x)) < 0.2).astype(float)
    b = sc.bin(x, y, method="chimerge", max_bins=40, initial_bins=40, monotonic="none")
    assert b.edges == quantile_edges(x, 40)
    assert b.table["count"].iloc[: len(b.edges) + 1].min() >= 20  # no one-row tail bin
    assert b.edges[-1] < 20


def brute_force_csi(expected, actual, b, floor=1e-4):
    """CSI by hand over a binning's bins: float32 values, special values first, NaN missing;
    special and missing bins only when either sample has rows there; shares floored."""
    def bin_of(x):
        x32 = np.asarray(x, dtype=np.float32).astype(float)
        out = np.searchsorted(np.asarray(b.edges), x32, side="right")
        for j, s in enumerate(b.special):
            out[x32 == np.float32(s)] = len(b.edges) + 1 + j
        out[np.isnan(x32)] = len(b.edges) + 1 + len(b.special)
        return out
    k = len(b.edges) + 2 + len(b.special)
    e, a = (np.bincount(bin_of(v), minlength=k).astype(float) for v in (expected, actual))
    used = np.r_[np.ones(len(b.edges) + 1, bool), (e + a)[len(b.edges) + 1:] > 0]
    e, a = (np.maximum(v[used] / v.sum(), floor) for v in (e, a))
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def test_stability_over_time_equals_brute_force_and_drives_selection(data, woe):
    bins, X = woe
    periods = np.random.default_rng(5).integers(0, 3, len(data))
    frame = data.assign(age=data["age"] + 12.0 * periods)  # age drifts from period to period
    table = sc.stability(frame, bins, periods)
    assert list(table.index) == [0, 1, 2] and list(table.columns) == list(bins)
    for name, b in bins.items():
        for p in (0, 1, 2):
            ref = brute_force_csi(frame.loc[periods == 0, name], frame.loc[periods == p, name], b)
            assert table.loc[p, name] == pytest.approx(ref, abs=1e-12)
    against_training = sc.stability(frame, bins, periods, reference=data)
    assert against_training.loc[0, "income"] == pytest.approx(
        brute_force_csi(data["income"], frame.loc[periods == 0, "income"], bins["income"]), abs=1e-12)

    everything = sc.select(bins, X, min_iv=0.0, max_correlation=1.0)
    stable = sc.select(bins, X, min_iv=0.0, max_correlation=1.0, stability=table, max_csi=0.25)
    assert table["age"].max() > 0.25 and (table.drop(columns="age") < 0.25).all().all()
    assert set(everything) == set(bins) and stable == [f for f in everything if f != "age"]
