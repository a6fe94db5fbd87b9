"""riskkit over Dask DataFrames: decisions, features and model scores per partition.

    import riskkit.dask
    decisions = riskkit.dask.decide(applications, "bundles/application")   # lazy dask DataFrame
    features = riskkit.dask.features(history, "bundles/application")
    scores = riskkit.dask.predict(inputs, "models/credit.json")

As riskkit.spark: the bundle or model travels to the workers as bytes and is loaded once
per worker process; a bundle with velocity features is shuffled so that every entity
(and chain of rows sharing one) is in one partition, sorted by event time then input
order, and each partition is decided by a fresh engine — the result equals the
single-process run over the history sorted by event time. The result keeps ``df``'s
index; with velocity features its rows come in partition order (sort by the index to
restore the input order). Workers read the pseudonymization key from their environment
unless ``pseudonym_key=`` is passed (docs/python-scale.md).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import _distributed, _partition
from ._distributed import BundlePayload, ModelPayload

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = ["decide", "features", "predict"]

#: Input positions of one partition start at partition_index << ROW_BITS.
ROW_BITS = 40


def decide(df: dd.DataFrame, bundle: Any, *, keep: Sequence[str] = (), partitions: int | None = None,
           pseudonym_key: str | None = None, velocity_failure: str = "fail_open",
           country_code: str = "86") -> dd.DataFrame:
    """Decides every row of a Dask DataFrame (columns = record fields) with ``bundle``
    (a bundle directory or a :class:`riskkit.Engine`).

    Returns a lazy Dask DataFrame with ``df``'s index, the ``keep`` columns, then
    decide_frame's columns (event_id, outcome, grade, score_<model>, rule_hits, reasons,
    issues, error). ``partitions``: output partitions for a bundle with velocity features
    (default: as many as ``df`` has). Raises RiskkitError at once if a required field has
    no column.
    """
    payload = BundlePayload.of(bundle, pseudonym_key, velocity_failure)
    payload.check_columns(df.columns)
    meta = _meta(df, keep, _decision_meta(payload, _empty_index(df)))
    run = functools.partial(_one, per_partition=_distributed.decide_partitions, payload=payload, keep=list(keep))
    return _map(df, payload, run, meta, partitions, country_code)


def features(df: dd.DataFrame, bundle: Any, *, keep: Sequence[str] = (), partitions: int | None = None,
             pseudonym_key: str | None = None, country_code: str = "86") -> dd.DataFrame:
    """riskkit.features.compute over a Dask DataFrame: ``df``'s index, the ``keep``
    columns, then one float column per feature (same partitioning as :func:`decide`)."""
    import pandas as pd

    payload = BundlePayload.of(bundle, pseudonym_key)
    payload.check_columns(df.columns)
    empty = pd.DataFrame({n: pd.Series(dtype="float64") for n in payload.feature_names}, index=_empty_index(df))
    meta = _meta(df, keep, empty)
    per_partition = functools.partial(_distributed.features_partitions, country_code=country_code)
    run = functools.partial(_one, per_partition=per_partition, payload=payload, keep=list(keep), with_empty=meta)
    return _map(df, payload, run, meta, partitions, country_code)


def predict(df: dd.DataFrame, model: Any, *, keep: Sequence[str] = (), output: str = "value",
            column: str = "score", backend: str = "native") -> dd.DataFrame:
    """Model.predict over a Dask DataFrame of model inputs (matched by ``feature_names``):
    ``df``'s index, the ``keep`` columns, then ``column`` (one output) or
    ``<column>_<k>`` (k outputs).
    A model without stored input names reads the frame's columns by position: the frame
    must then hold exactly its inputs, in order."""
    import pandas as pd

    payload = ModelPayload.of(model, backend)
    names = [column] if payload.num_outputs == 1 else [f"{column}_{k}" for k in range(payload.num_outputs)]
    meta = _meta(df, keep, pd.DataFrame({n: pd.Series(dtype="float64") for n in names}, index=_empty_index(df)))

    def run(pdf: pd.DataFrame) -> pd.DataFrame:
        if len(pdf) == 0:
            return meta
        return next(_distributed.predict_partitions([pdf], payload, list(keep), output, column))

    return df.map_partitions(run, meta=meta)


# ---- plumbing -------------------------------------------------------------------------------


def _decision_meta(payload: BundlePayload, index: Any) -> pd.DataFrame:
    """An empty frame with decide_frame's columns and dtypes."""
    import pandas as pd

    dtypes = {"event_id": "object", "outcome": "object", "grade": "object",
              **{f"score_{m}": "float64" for m in payload.model_names},
              "rule_hits": "object", "reasons": "object", "issues": "int64", "error": "object"}
    return pd.DataFrame({n: pd.Series(dtype=t) for n, t in dtypes.items()}, index=index)


def _empty_index(df: dd.DataFrame) -> Any:
    return df._meta.index[:0]


def _meta(df: dd.DataFrame, keep: Sequence[str], added: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.concat([df._meta[list(keep)], added], axis=1)


def _one(pdf: pd.DataFrame, per_partition: Any, payload: BundlePayload, keep: list[str],
         drop: Sequence[str] = (), with_empty: pd.DataFrame | None = None) -> pd.DataFrame:
    """per_partition over one pandas partition (one batch)."""
    pieces = list(per_partition([pdf], payload=payload, keep=keep, drop=drop))
    if not pieces:
        return with_empty
    return pieces[0]


def _map(df: dd.DataFrame, payload: BundlePayload, run: Any, meta: pd.DataFrame, partitions: int | None,
         country_code: str) -> dd.DataFrame:
    """Shuffles by entity for velocity features when needed, then maps ``run``."""
    plan = payload.plan
    if not plan.stateful:
        return df.map_partitions(run, meta=meta)
    mapping = None
    if len(plan.entity_sets) > 1 and not plan.global_only:
        columns = _partition.key_columns(plan)
        keys = df.map_partitions(lambda p: _partition.entity_keys(p, plan, country_code)[columns],
                                 meta={c: "object" for c in columns})
        mapping = _partition.components(keys.drop_duplicates().compute(), columns)
    labelled = df.map_partitions(_label, plan=plan, mapping=mapping, country_code=country_code,
                                 meta=_labelled_meta(df))
    shuffled = labelled.shuffle(on=_partition.LABEL, npartitions=partitions or df.npartitions)
    drop = [_partition.ROW, _partition.TIME, _partition.LABEL]

    def ordered(pdf: pd.DataFrame) -> pd.DataFrame:
        return run(_partition.sort_partition(pdf), drop=drop)

    return shuffled.map_partitions(ordered, meta=meta)


def _labelled_meta(df: dd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    meta = df._meta.copy()
    meta[_partition.ROW] = pd.Series(dtype="int64")
    meta[_partition.TIME] = pd.Series(dtype="int64")
    meta[_partition.LABEL] = pd.Series(dtype="object")
    return meta


def _label(pdf: pd.DataFrame, plan: Any, mapping: Any, country_code: str, partition_info: dict | None = None):
    """The helper columns of riskkit._partition for one partition; input positions are
    the partition's number followed by the row's position in it."""
    number = partition_info["number"] if partition_info else 0
    rows = (np.int64(number) << ROW_BITS) + np.arange(len(pdf), dtype=np.int64)
    return _distributed.partitioned(pdf, plan, rows.tolist(), mapping, country_code)
