"""Rule back-testing: how each rule of a bundle performs on labelled history.

    import riskkit.rules
    report = riskkit.rules.backtest("examples/bundles/application", history, label="is_bad")
    report.sort_values("lift", ascending=False)
    report, overlap = riskkit.rules.backtest(engine, history, label="is_bad", with_overlap=True)

Definitions (docs/backtest.md): over the rows the schema accepts, ``hits`` = rows where
the rule fired, ``hit_rate`` = hits / rows, ``bad_rate`` = bad hits / hits, ``recall`` =
bad hits / all bads, ``lift`` = bad_rate / overall bad rate. Rates are NaN when their
denominator is 0. ``overlap`` counts the rows where two rules both fired (diagonal = hits);
:func:`jaccard` turns it into |A ∩ B| / |A ∪ B|.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from typing import TYPE_CHECKING, Union

from . import _core
from ._engine import Engine

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["backtest", "jaccard"]

_COLUMNS = ["action", "mode", "tags", "hits", "hit_rate", "bad_hits", "bad_rate", "recall", "lift"]


def backtest(bundle: Union[str, os.PathLike, Engine], df: "pd.DataFrame", label: str = "is_bad", *,
             nthread: int = 0, with_overlap: bool = False):
    """Back-tests every enabled rule (active and shadow) of ``bundle`` on ``df``.

    ``bundle`` is a bundle directory or an :class:`riskkit.Engine`; ``df`` holds one
    record per row (columns = fields) and the ``label`` column: 1/True = bad, 0/False =
    good; rows whose label is missing are left out. Runs the production rule stage
    (fields, features, rules; no models) on ``nthread`` threads (0 = all cores).

    Returns a DataFrame indexed by rule_id with the columns action, mode, tags, hits,
    hit_rate, bad_hits, bad_rate, recall and lift; ``.attrs`` holds rows, bads,
    bad_rate and rejected (records the schema refused). With ``with_overlap=True``
    returns ``(report, overlap)``, overlap being a rules × rules DataFrame of counts.
    Raises RiskkitError for a bundle that does not load or a label that is not 0/1.
    """
    import numpy as np
    import pandas as pd

    engine = bundle if isinstance(bundle, _core.Engine) else Engine(os.fspath(bundle))
    if label not in df.columns:
        raise _core.RiskkitError(f"backtest: no label column '{label}'")
    raw = df[label]
    keep = raw.notna().to_numpy()
    values = raw[keep].astype("float64").to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        raise _core.RiskkitError(f"backtest: label column '{label}' must hold 0/1 (or True/False)")
    frame = df.loc[keep].drop(columns=[label])
    records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    result = _core.rules.backtest(engine, records, values.astype(np.uint8), nthread=nthread)

    ids = [r["rule_id"] for r in result["rules"]]
    report = pd.DataFrame([{c: r[c] for c in _COLUMNS} for r in result["rules"]], columns=_COLUMNS,
                          index=pd.Index(ids, name="rule_id"))
    report.attrs.update(rows=result["rows"], bads=result["bads"], bad_rate=result["bad_rate"],
                        rejected=result["rejected"], unlabelled=int((~keep).sum()))
    if not with_overlap:
        return report
    overlap = pd.DataFrame(result["overlap"].astype("int64"), index=pd.Index(ids, name="rule_id"), columns=ids)
    return report, overlap


def jaccard(overlap: "pd.DataFrame") -> "pd.DataFrame":
    """|A ∩ B| / |A ∪ B| for every pair of rules, from :func:`backtest`'s overlap counts
    (NaN where neither rule fired)."""
    import numpy as np

    both = overlap.to_numpy(dtype="float64")
    hits = np.diag(both)
    union = hits[:, None] + hits[None, :] - both
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, both / np.where(union > 0, union, 1), np.nan)
    return overlap.__class__(out, index=overlap.index, columns=overlap.columns)


def _plain(v):
    """A DataFrame cell as None, bool, int, float or str (timestamps as ISO 8601 text)."""
    if v is None:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (bool, int, str)):
        return v
    if hasattr(v, "item") and not hasattr(v, "isoformat"):  # numpy scalars
        return _plain(v.item())
    try:
        import pandas as pd

        if v is pd.NaT or v is pd.NA:
            return None
        if isinstance(v, pd.Timestamp):
            return (v.tz_convert("UTC") if v.tzinfo else v.tz_localize("UTC")).isoformat()
    except ImportError:  # pragma: no cover - pandas is required by backtest itself
        pass
    if isinstance(v, _dt.datetime):
        return (v if v.tzinfo else v.replace(tzinfo=_dt.timezone.utc)).isoformat()
    return str(v)
