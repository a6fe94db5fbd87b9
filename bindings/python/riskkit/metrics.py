"""Model-monitoring metrics, computed by riskkit's C++ core.

Labels are 1 for bad (the event the score predicts) and 0 for good; larger scores mean
riskier. Inputs may be lists, numpy arrays or pandas Series.

>>> from riskkit import metrics
>>> metrics.auc([0.1, 0.8, 0.4], [0, 1, 0])
1.0
"""

from __future__ import annotations

import math

import numpy as np

from ._core import metrics as _m

__all__ = ["auc", "csi", "csi_by_period", "decision_rates", "gini", "iv", "ks", "psi", "read_decisions",
           "rule_hit_rates", "score_bands"]


def _column(x) -> np.ndarray:
    # One explicit conversion to contiguous float64 (pandas NA and None become NaN).
    if hasattr(x, "to_numpy"):
        x = x.to_numpy(dtype=np.float64, na_value=np.nan)
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
    return (value, _table(rows)) if return_bins else value


def csi(expected, actual, binning=None, *, edges=None, special=(), floor: float = 1e-4, return_bins: bool = False):
    """Characteristic Stability Index: the PSI of a characteristic's ``actual`` values against
    its ``expected`` (training) values over the training bins.

    The bins are those of ``binning`` (a :class:`riskkit.scorecard.Binning`: its edges and
    special values), or ``edges`` and ``special``; values are binned as the scorecard binning
    does (float32, special values first), NaN in a missing bin. Special and missing bins
    count when either sample has rows there; empty bins take the share ``floor``.
    With ``return_bins=True`` returns ``(csi, DataFrame of bins)``.
    """
    if binning is not None:
        edges, special = binning.edges, binning.special
    value, rows = _m.csi(_column(expected), _column(actual), _column([] if edges is None else edges),
                         _column(list(special)), floor)
    return (value, _table(rows)) if return_bins else value


def iv(values, labels, *, binning=None, edges=None, special=(), smoothing: float = 0.5, return_bins: bool = False):
    """Information value of ``values`` against ``labels`` (1 = bad) over fixed bins: those of
    ``binning``, or ``edges``/``special`` (default: the 10-quantile edges of ``values``).
    WOE per bin is ln(share of goods / share of bads) with ``smoothing`` added to a bin's
    counts when it lacks goods or bads. With ``return_bins=True`` returns ``(iv, table)``."""
    from . import scorecard

    if binning is not None:
        edges, special = binning.edges, binning.special
    if edges is None:
        b = scorecard.bin(values, labels, method="quantile", max_bins=10, monotonic="none", special=special,
                          smoothing=smoothing)
    else:
        b = scorecard.bin(values, labels, edges=list(edges), special=special, smoothing=smoothing)
    return (b.iv, b.table) if return_bins else b.iv


def score_bands(scores, labels, *, bands: int = 10, edges=None):
    """Score-band table, lowest scores first: band, lower, upper, count, bads, bad_rate, share,
    cumulative_share, cumulative_bads, cumulative_goods (shares of all bads/goods so far) and
    ks (|cumulative_bads − cumulative_goods|). Bands are ``edges`` ([lo, hi)) or the
    ``bands``-quantiles of the scores; NaN scores form a last "missing" band."""
    return _table(_m.score_bands(_column(scores), _column(labels), _column([] if edges is None else edges), bands))


def _table(rows):
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return rows
    return pd.DataFrame(rows)


def read_decisions(path):
    """Reads decisions from a JSONL file — ``riskkit decide`` output or an audit log — into a
    DataFrame with columns event_id, outcome, rule_hits (list of rule ids), reasons (list of codes),
    score_<model> per model, and time when the lines carry one.

    Each line is a decision object (docs/bundle-format.md, "The decision"), or an object
    holding one under ``"decision"``; the time is the first of ``decided_at``, ``event_time``,
    ``time``, ``timestamp`` found at the top level or in ``"record"``.
    """
    import json

    import pandas as pd

    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}: line {number}: not JSON: {error.msg}") from None
            d = doc.get("decision", doc)
            row = {"event_id": d.get("event_id", doc.get("event_id")), "outcome": d.get("outcome", "error"),
                   "rule_hits": [h.get("id") for h in d.get("rule_hits", [])],
                   "reasons": [r.get("code") for r in d.get("reasons", [])]}
            for model, score in (d.get("scores") or {}).items():
                row[f"score_{model}"] = math.nan if score is None else score
            for source in (doc, d, doc.get("record") or {}):
                t = next((source[k] for k in ("decided_at", "event_time", "time", "timestamp") if k in source), None)
                if t is not None:
                    row["time"] = t
                    break
            rows.append(row)
    frame = pd.DataFrame(rows)
    if "time" in frame:
        numeric = pd.api.types.is_numeric_dtype(frame["time"])
        frame["time"] = pd.to_datetime(frame["time"], unit="s" if numeric else None, utc=True)
    return frame


def _decisions(decisions):
    """Decisions as a DataFrame: a DataFrame (decide_frame output), a JSONL path, or a list
    of Decision objects or decision dicts."""
    import os

    import pandas as pd

    if isinstance(decisions, (str, os.PathLike)):
        return read_decisions(decisions)
    if isinstance(decisions, pd.DataFrame):
        return decisions
    rows = []
    for d in decisions:
        d = d.to_dict() if hasattr(d, "to_dict") else d
        rows.append({"outcome": d.get("outcome", "error"),
                     "rule_hits": [h["id"] if isinstance(h, dict) else h for h in d.get("rule_hits", [])]})
    return pd.DataFrame(rows)


def _periods(frame, by, freq):
    """The grouping key: a column of ``frame`` or an aligned Series; with ``freq``, the
    start of each value's period (time zones dropped after conversion to UTC)."""
    if by is None:
        return None
    import pandas as pd

    key = frame[by] if isinstance(by, str) else pd.Series(np.asarray(by), index=frame.index)
    if freq is not None:
        t = pd.to_datetime(key)
        if t.dt.tz is not None:
            t = t.dt.tz_convert(None)
        key = t.dt.to_period(freq).dt.start_time
    return key


def decision_rates(decisions, *, by=None, freq: str | None = None):
    """Decision-rate report: counts of approve/review/decline/error/other, their shares of
    the decided rows (errors excluded), the error share, and ``automated_rate`` — the share
    decided without manual review, (approve + decline) / decided.

    ``decisions``: ``Engine.decide_frame`` output, a JSONL path (``riskkit decide`` output or
    an audit log, see :func:`read_decisions`), or a list of Decisions/dicts. Without ``by``
    returns a dict; with ``by`` (a column name or a Series aligned with the decisions) a
    DataFrame with one row per group — for a time column, ``freq`` ("D", "W", "M") groups by
    period.
    """
    frame = _decisions(decisions)
    key = _periods(frame, by, freq)
    if key is None:
        return _m.decision_rates([str(o) for o in frame["outcome"]])
    import pandas as pd

    rows = {k: _m.decision_rates([str(o) for o in g]) for k, g in frame["outcome"].groupby(key, sort=True)}
    return pd.DataFrame.from_dict(rows, orient="index")


def rule_hit_rates(decisions, *, by=None, freq: str | None = None):
    """Share of decisions in which each rule fired (columns: rule ids; rows: groups of ``by``
    — a column or Series, with ``freq`` for periods of a time column — or one row "all")."""
    import pandas as pd

    frame = _decisions(decisions)
    hits = frame["rule_hits"].map(lambda ids: list(ids) if ids is not None else [])
    rules = sorted({r for ids in hits for r in ids})
    matrix = pd.DataFrame({r: hits.map(lambda ids, r=r: r in ids) for r in rules}, index=frame.index, dtype=float)
    key = _periods(frame, by, freq)
    if key is None:
        return matrix.mean().to_frame("all").T
    return matrix.groupby(key, sort=True).mean()


def csi_by_period(values, periods, binning, *, reference=None, floor: float = 1e-4):
    """Stability over time: the CSI of each period's ``values`` against ``reference`` (default:
    the first period's values) over the training ``binning``'s bins. ``periods`` labels each
    value (e.g. a month column). Returns a Series indexed by period."""
    import pandas as pd

    frame = pd.DataFrame({"x": _column(values), "period": np.asarray(periods)})
    groups = list(frame.groupby("period", sort=True)["x"])
    base = _column(reference) if reference is not None else groups[0][1].to_numpy()
    return pd.Series({p: csi(base, g.to_numpy(), binning, floor=floor) for p, g in groups}, name="csi")
