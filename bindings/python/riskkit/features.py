"""Offline features: the values the online engine would have computed (docs/features.md).

    import riskkit.features
    X = riskkit.features.compute("bundles/application", history)   # history sorted by event time

Each row of the history is replayed, in order, through a fresh engine with its own
in-process velocity store — the same pseudonymization, velocity reads and recordings and
feature definitions as ``Engine.decide`` — so training data has no train/serve skew.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from . import _core, _frames, _manifest

if TYPE_CHECKING:
    import pandas as pd

_NO_TIME = np.iinfo(np.int64).min


def _column(series: pd.Series, declared: str | None) -> tuple[str, np.ndarray | list]:
    """One frame column as (kind, data) for the compiled replay."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        times = series.dt.tz_convert("UTC") if getattr(dtype, "tz", None) is not None else series
        micros = times.to_numpy(dtype="datetime64[us]").astype(np.int64)
        micros[times.isna().to_numpy()] = _NO_TIME
        return "time", np.ascontiguousarray(micros)
    if pd.api.types.is_bool_dtype(dtype) and declared == "bool":
        return "bool", series.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return "number", np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    values = [None if (v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)) else v
              for v in series.tolist()]
    values = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return "object", values


def compute(bundle_dir: str | os.PathLike, df: pd.DataFrame, *, pseudonym_key: str | None = None,
            country_code: str = "86") -> pd.DataFrame:
    """The features of every row of ``df``, as the online engine computes them.

    ``df`` holds records (columns = schema fields, matched by name in any order; a frame
    without a column for a required field raises RiskkitError naming it) **sorted by event
    time**; a frame that is not raises ValueError. Returns a DataFrame with ``df``'s index and one float column
    per feature (NaN = missing), in the bundle's feature order. ``pseudonym_key`` defaults
    to RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE, as for the engine.
    """
    import pandas as pd

    info = _core.features.info(os.fspath(bundle_dir))
    _frames.check_required(df, _manifest.required_fields(_manifest.read(bundle_dir)), "features.compute")
    event_time = info["event_time"]
    if event_time is not None and event_time in df.columns:
        times = pd.to_datetime(df[event_time], utc=True, errors="coerce").dropna()
        if not times.is_monotonic_increasing:
            raise ValueError(f"riskkit.features.compute: sort the history by its event time column "
                             f"'{event_time}' first (velocity features replay events in order)")
    types = info["field_types"]
    columns = [(str(name), *_column(df[name], types.get(str(name)))) for name in df.columns]
    values = _core.features.compute(os.fspath(bundle_dir), columns, len(df), pseudonym_key, country_code)
    return pd.DataFrame(values, columns=info["features"], index=df.index)


__all__ = ["compute"]
