"""riskkit.metrics against scikit-learn (AUC, roc_curve-based KS) and a numpy PSI."""

import numpy as np
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
