"""Splitting a history so that partitions can be decided independently (Spark, Dask).

A velocity feature reads what earlier events of the same entity recorded. Deciding
partitions independently gives the single-process result exactly when (1) every event
of an entity is in one partition and (2) each partition is decided in event-time order.
This module computes, per row, what both need, with pandas only:

* the *entity keys* — for each distinct entity field list of the bundle's velocity
  features, the key the engine uses (personal-data fields by their normalized value,
  which the engine's pseudonym is a function of; numbers by value; the rest as text);
* the *event time* in microseconds (UTC) and the input position, for a stable sort;
* a *partition label*: with one entity list, the key itself; with several (a device
  and a phone, say), the connected component of the entity graph, found by union-find
  over the distinct keys, so that two events sharing any entity get the same label.

Rows without any entity key cannot share state with others and are spread by position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

from ._manifest import VelocityPlan

if TYPE_CHECKING:
    import pandas as pd

ROW = "_rk_row"
TIME = "_rk_time"
LABEL = "_rk_part"
NO_TIME = np.iinfo(np.int64).max  # rows without an event time sort last (they touch no state)


def key_columns(plan: VelocityPlan) -> list[str]:
    """Names of the entity key columns entity_keys adds, one per entity field list."""
    return [f"_rk_k{i}" for i in range(len(plan.entity_sets))]


def helper_columns(plan: VelocityPlan) -> list[str]:
    """Every column this module adds."""
    return [ROW, TIME, LABEL, *key_columns(plan)]


def _field_text(series: pd.Series, field: str, plan: VelocityPlan, country_code: str) -> pd.Series:
    """One entity field as the text that identifies it for the engine (None = missing)."""
    import pandas as pd

    from . import privacy

    if field in plan.pii:
        values = [None if _missing(v) else v if isinstance(v, str) else str(v) for v in series.tolist()]
        return pd.Series(privacy.normalize(values, kind=plan.pii[field], country_code=country_code),
                         index=series.index, dtype=object)
    kind = plan.types.get(field, "string")
    if kind == "number":
        numbers = pd.to_numeric(series, errors="coerce").astype("float64")
        return pd.Series([None if np.isnan(x) else repr(float(x)) for x in numbers], index=series.index, dtype=object)
    if kind == "timestamp":
        micros = event_micros(series)
        return pd.Series([None if t == NO_TIME else str(t) for t in micros], index=series.index, dtype=object)
    return pd.Series([None if _missing(v) else str(v) for v in series.tolist()], index=series.index, dtype=object)


def _missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    return type(v).__name__ in ("NAType", "NaTType")


def event_micros(series: pd.Series) -> np.ndarray:
    """Event times as int64 microseconds since the epoch, UTC (naive times are UTC, as in
    the engine); missing or unreadable times are NO_TIME."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        times = series
    else:
        times = pd.to_datetime(series.astype(object).where(series.notna(), None), utc=True, errors="coerce",
                               format="ISO8601")
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    micros = times.to_numpy(dtype="datetime64[us]").astype(np.int64)
    micros[times.isna().to_numpy()] = NO_TIME
    return micros


def entity_keys(pdf: pd.DataFrame, plan: VelocityPlan, country_code: str = "86") -> pd.DataFrame:
    """The entity key columns (key_columns(plan); None = no key) and TIME of every row."""
    import pandas as pd

    out = pd.DataFrame(index=pdf.index)
    for column, fields in zip(key_columns(plan), plan.entity_sets):
        parts = [_field_text(pdf[f], f, plan, country_code) if f in pdf.columns
                 else pd.Series([None] * len(pdf), index=pdf.index, dtype=object) for f in fields]
        keys = []
        for values in zip(*(p.tolist() for p in parts)):
            keys.append(None if any(v is None for v in values) else "\x1f".join(values))
        out[column] = pd.Series(keys, index=pdf.index, dtype=object)
    time = plan.event_time
    out[TIME] = event_micros(pdf[time]) if time in pdf.columns else np.full(len(pdf), NO_TIME, dtype=np.int64)
    return out


def components(keys: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, str]]:
    """Union-find over rows of distinct entity keys: column -> key -> component label.

    Two keys get the same label when some row holds both, directly or through a chain
    of rows; the label is the smallest node name of the component, so it is the same
    whatever order the keys come in."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for row in keys[columns].itertuples(index=False, name=None):
        nodes = [f"{i}:{v}" for i, v in enumerate(row) if not _missing(v)]  # NaN/NA after a round trip
        for node in nodes:
            parent.setdefault(node, node)
        for node in nodes[1:]:
            union(nodes[0], node)
    mapping: dict[str, dict[str, str]] = {c: {} for c in columns}
    for node in parent:
        i, value = node.split(":", 1)
        mapping[columns[int(i)]][value] = find(node)
    return mapping


def labels(keys: pd.DataFrame, rows: Iterable[int], plan: VelocityPlan,
           mapping: dict[str, dict[str, str]] | None) -> list[str]:
    """The partition label of every row (see the module docstring). ``mapping`` is
    components()'s result when the plan has several entity lists, else None."""
    if plan.global_only:
        return ["all"] * len(keys)
    columns = key_columns(plan)
    out = []
    for row, values in zip(rows, keys[columns].itertuples(index=False, name=None)):
        label = None
        for column, value in zip(columns, values):
            if not _missing(value):
                label = value if mapping is None else mapping[column][value]
                break
        out.append(f"k:{label}" if label is not None else f"row:{row}")
    return out


def sort_partition(pdf: pd.DataFrame) -> pd.DataFrame:
    """A partition in event-time order, input order among equal times."""
    return pdf.sort_values([TIME, ROW], kind="stable")
