"""pandas DataFrames in and out of the engine: records, column checks, progress, results.

Cells become record values as ``Engine.decide`` takes them: NaN, None, pd.NA and NaT are
missing; nullable dtypes (Int64, Float64, boolean, string) and categoricals give their
values; numpy scalars and Timestamps are converted in the binding.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from . import _core

if TYPE_CHECKING:
    import pandas as pd

#: Rows decided per call when a progress bar is shown (the bar moves once per chunk).
PROGRESS_CHUNK = 4096


def column_names(df: pd.DataFrame) -> list[str]:
    """The frame's column names as text; a repeated name is an error (a record has one value per field)."""
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise _core.RiskkitError(f"columns {repeated} appear more than once", "invalid_argument")
    return names


def check_required(df: pd.DataFrame, required: Sequence[str], what: str) -> None:
    """Raises RiskkitError naming every required field that has no column in ``df``."""
    present = set(column_names(df))
    missing = [name for name in required if name not in present]
    if missing:
        raise _core.RiskkitError(f"{what}: the frame has no column for required field(s) {missing}", "invalid_record")


def records(df: pd.DataFrame) -> list[dict]:
    """One dict per row, keyed by column name; categorical cells give their category."""
    frame = df.copy(deep=False)
    frame.columns = column_names(df)
    for name in frame.columns:
        if isinstance(frame[name].dtype, _categorical_dtype()):
            frame[name] = frame[name].astype(object)
    return frame.to_dict(orient="records")


def _categorical_dtype() -> type:
    import pandas as pd

    return pd.CategoricalDtype


def progress_bar(total: int, enabled: bool, desc: str) -> Any:
    """A tqdm bar over ``total`` rows when ``enabled``, else None."""
    if not enabled:
        return None
    try:
        import ipywidgets  # noqa: F401  (a notebook widget bar when available)
        from tqdm.auto import tqdm
    except ImportError:
        try:
            from tqdm import tqdm  # text bar: terminals, and notebooks without ipywidgets
        except ImportError as error:  # pragma: no cover - tqdm is a dev requirement
            raise ImportError("progress=True needs tqdm: pip install tqdm") from error
    return tqdm(total=total, desc=desc, unit="rows")


def chunks(n: int, size: int) -> Iterator[slice]:
    """Consecutive slices of ``range(n)`` of at most ``size`` rows."""
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def decide_records(engine: Any, rows: list[dict], *, nthread: int = 0, progress: bool = False) -> list:
    """Engine.decide_many(rows, errors="return"), in chunks that advance a tqdm bar when
    ``progress``. The chunks run in order on the same engine, so velocity state carries
    from one to the next exactly as in one call."""
    bar = progress_bar(len(rows), progress, "riskkit decide")
    if bar is None:
        return engine.decide_many(rows, nthread=nthread, errors="return")
    results: list = []
    with bar:
        for part in chunks(len(rows), PROGRESS_CHUNK):
            results.extend(engine.decide_many(rows[part], nthread=nthread, errors="return"))
            bar.update(part.stop - part.start)
    return results


def decision_columns(model_names: Sequence[str]) -> list[str]:
    """The columns of decide_frame's result, in order."""
    return ["event_id", "outcome", "grade", *(f"score_{m}" for m in model_names),
            "rule_hits", "reasons", "issues", "error"]


def decision_row(result: Any, record: dict, info: dict) -> dict:
    """One output row of decide_frame for a Decision or a RiskkitError."""
    if isinstance(result, _core.RiskkitError):
        field = info["event_id_field"]
        event_id = record.get(field) if field else None
        if event_id is not None and _is_missing(event_id):
            event_id = None
        return {"event_id": "" if event_id is None else str(event_id), "outcome": "error", "grade": "",
                **{f"score_{m}": math.nan for m in info["model_names"]},
                "rule_hits": [], "reasons": [], "issues": 0, "error": str(result)}
    scores = result.scores
    return {"event_id": result.event_id, "outcome": result.outcome, "grade": result.grade,
            **{f"score_{m}": scores.get(m, math.nan) for m in info["model_names"]},
            "rule_hits": [hit["id"] for hit in result.rule_hits],
            "reasons": [reason["code"] for reason in result.reasons],
            "issues": len(result.issues), "error": None}


def decision_frame(results: list, rows: list[dict], info: dict, index: Any) -> pd.DataFrame:
    """decide_frame's result for ``results`` (Decision or RiskkitError per row)."""
    import pandas as pd

    out = [decision_row(result, record, info) for result, record in zip(results, rows)]
    frame = pd.DataFrame(out, columns=decision_columns(info["model_names"]), index=index)
    frame["issues"] = frame["issues"].astype("int64")
    return frame


def _is_missing(value: Any) -> bool:
    """NaN, pd.NA and NaT (None is tested by the caller)."""
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")
