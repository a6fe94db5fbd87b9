"""Model-monitoring metrics, computed by riskkit's C++ core.

Labels are 1 for bad (the event the score predicts) and 0 for good; larger scores mean
riskier. Inputs may be lists, numpy arrays or pandas Series.

>>> from riskkit import metrics
>>> metrics.auc([0.1, 0.8, 0.4], [0, 1, 0])
1.0
"""

from __future__ import annotations

import numpy as np

from ._core import metrics as _m

__all__ = ["auc", "gini", "ks", "psi"]


def _column(x) -> np.ndarray:
    # One explicit conversion to contiguous float64 (pandas NA and None become NaN).
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1))


def auc(scores, labels) -> float:
    """Area under the ROC curve; tied scores count half; rows with a NaN score are left out."""
    return _m.auc(_column(scores), _column(labels))


def gini(scores, labels) -> float:
    """Gini coefficient, 2·AUC − 1."""
    return _m.gini(_column(scores), _column(labels))


def ks(scores, labels) -> float:
    """Kolmogorov–Smirnov statistic: the largest gap between the cumulative score
    distributions of bads and goods."""
    return _m.ks(_column(scores), _column(labels))


def psi(expected, actual, *, edges=None, bins: int = 10, floor: float = 1e-4, return_bins: bool = False):
    """Population Stability Index of ``actual`` against ``expected`` (the training sample).

    Bins are ``edges`` (ascending; bin i is [edges[i-1], edges[i])), or the ``bins``-quantiles
    of ``expected``. NaN values form a "missing" bin; empty bins take the share ``floor``.
    Rule of thumb: < 0.1 stable, 0.1–0.25 watch, > 0.25 shifted.

    With ``return_bins=True`` returns ``(psi, DataFrame of bins)`` (a list of dicts when
    pandas is not installed).
    """
    cuts = _column([] if edges is None else edges)
    value, rows = _m.psi(_column(expected), _column(actual), cuts, bins, floor)
    if not return_bins:
        return value
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return value, rows
    return value, pd.DataFrame(rows)
