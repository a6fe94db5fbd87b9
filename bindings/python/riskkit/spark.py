"""riskkit over Spark DataFrames: decisions, features and model scores with ``mapInPandas``.

    import riskkit.spark
    decisions = riskkit.spark.decide(applications, "bundles/application")   # a Spark DataFrame
    features = riskkit.spark.features(history, "bundles/application")
    scores = riskkit.spark.predict(inputs, "models/credit.json")

The bundle (or model) travels to the executors as its files' bytes in each task; every
Python worker loads it once and reuses it. A bundle with velocity features is run so
that the result equals the single-process run over the history sorted by event time:
rows are repartitioned so that every entity (and every chain of rows sharing a device,
a phone, …) is in one partition, sorted by event time (then input order) within it, and
each partition is decided by a fresh engine. Without velocity features partitions are
decided where they are.

The pseudonymization key: pass ``pseudonym_key=`` to ship it inside the tasks, or — the
default, and the better choice on a shared cluster — set RISKKIT_PSEUDONYM_KEY_FILE (or
RISKKIT_PSEUDONYM_KEY) on the executors (docs/python-scale.md).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Sequence

from . import _distributed, _partition
from ._distributed import BundlePayload, ModelPayload

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["decide", "features", "predict"]


def decide(df: DataFrame, bundle: Any, *, keep: Sequence[str] | None = None, partitions: int | None = None,
           order_by: Sequence[str] = (), pseudonym_key: str | None = None, velocity_failure: str = "fail_open",
           country_code: str = "86") -> DataFrame:
    """Decides every row of a Spark DataFrame (columns = record fields) with ``bundle``.

    ``bundle``: a bundle directory (readable on the driver) or a :class:`riskkit.Engine`.
    Returns a Spark DataFrame with the ``keep`` columns (default: all of ``df``'s) followed
    by decide_frame's columns: event_id, outcome, grade, score_<model>, rule_hits,
    reasons (arrays of strings), issues, error. ``partitions``: how many partitions a
    bundle with velocity features is repartitioned into (default:
    spark.sql.shuffle.partitions). ``order_by``: columns that order events with the same
    event time (default: the DataFrame's own row order, as monotonically_increasing_id
    sees it — the file order for a plain file scan; give a sequence column or the event id
    when the frame was shuffled, to match a single-process run sorted the same way).
    Raises RiskkitError at once if a required field has no column.
    """
    payload = BundlePayload.of(bundle, pseudonym_key, velocity_failure)
    payload.check_columns(df.columns)
    keep = list(df.columns if keep is None else keep)
    _check_names(keep, _distributed.decision_columns(payload))
    schema = _join(_select_schema(df, keep), _decision_schema(payload))
    return _run(df, payload, keep, schema, partitions, order_by, country_code, _distributed.decide_partitions)


def features(df: DataFrame, bundle: Any, *, keep: Sequence[str] | None = None, partitions: int | None = None,
             order_by: Sequence[str] = (), pseudonym_key: str | None = None, country_code: str = "86") -> DataFrame:
    """riskkit.features.compute over a Spark DataFrame: the ``keep`` columns (default: the
    event id field, if any) followed by one double column per feature, as the online
    engine computes them (same partitioning as :func:`decide`)."""
    payload = BundlePayload.of(bundle, pseudonym_key)
    payload.check_columns(df.columns)
    if keep is None:
        keep = [payload.plan.event_id] if payload.plan.event_id in df.columns else []
    keep = list(keep)
    _check_names(keep, payload.feature_names)
    from pyspark.sql.types import DoubleType, StructField, StructType

    schema = _join(_select_schema(df, keep), StructType([StructField(n, DoubleType()) for n in payload.feature_names]))
    run = functools.partial(_distributed.features_partitions, country_code=country_code)
    return _run(df, payload, keep, schema, partitions, order_by, country_code, run)


def predict(df: DataFrame, model: Any, *, keep: Sequence[str] | None = None, output: str = "value",
            column: str = "score", backend: str = "native") -> DataFrame:
    """Model.predict over a Spark DataFrame whose columns hold the model's inputs (matched
    by ``feature_names``, else by position): the ``keep`` columns (default: all of
    ``df``'s), then ``column`` (one output) or ``<column>_<k>`` (k outputs), doubles.
    A model without stored input names reads the frame's columns by position: the frame
    must then hold exactly its inputs, in order."""
    from pyspark.sql.types import DoubleType, StructField, StructType

    payload = ModelPayload.of(model, backend)
    missing = [n for n in payload.feature_names if n not in df.columns]
    if missing:
        from ._core import RiskkitError

        raise RiskkitError(f"the frame has no column for model input(s) {missing}", "invalid_argument")
    keep = list(df.columns if keep is None else keep)
    names = [column] if payload.num_outputs == 1 else [f"{column}_{k}" for k in range(payload.num_outputs)]
    _check_names(keep, names)
    schema = _join(_select_schema(df, keep), StructType([StructField(n, DoubleType()) for n in names]))
    run = functools.partial(_distributed.predict_partitions, payload=payload, keep=keep, output=output, column=column)
    return df.mapInPandas(run, schema)


# ---- plumbing -------------------------------------------------------------------------------


def _run(df: DataFrame, payload: BundlePayload, keep: list[str], schema: Any, partitions: int | None,
         order_by: Sequence[str], country_code: str, per_partition: Any) -> DataFrame:
    """Repartitions for velocity features when needed, then maps ``per_partition``."""
    timezone = df.sparkSession.conf.get("spark.sql.session.timeZone")
    plan = payload.plan
    if not plan.stateful:
        run = functools.partial(per_partition, payload=payload, keep=keep, timezone=timezone)
        return df.mapInPandas(run, schema)
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    base = df.withColumn(_partition.ROW, F.monotonically_increasing_id())
    mapping = None
    if len(plan.entity_sets) > 1 and not plan.global_only:
        key_schema = _key_schema(plan)
        keys = base.mapInPandas(functools.partial(_entity_keys, plan=plan, country_code=country_code), key_schema)
        mapping = _partition.components(keys.distinct().toPandas(), _partition.key_columns(plan))
    labelled_schema = StructType([*base.schema.fields, StructField(_partition.TIME, LongType()),
                                  StructField(_partition.LABEL, StringType())])
    labelled = base.mapInPandas(functools.partial(_label, plan=plan, mapping=mapping, country_code=country_code),
                                labelled_schema)
    count = partitions or int(df.sparkSession.conf.get("spark.sql.shuffle.partitions"))
    ordered = labelled.repartition(count, _partition.LABEL).sortWithinPartitions(
        _partition.TIME, *order_by, _partition.ROW)
    drop = [_partition.ROW, _partition.TIME, _partition.LABEL]
    run = functools.partial(per_partition, payload=payload, keep=keep, drop=drop, timezone=timezone)
    return ordered.mapInPandas(run, schema)


def _entity_keys(batches: Any, plan: Any, country_code: str) -> Any:
    for pdf in batches:
        yield _partition.entity_keys(pdf, plan, country_code)[_partition.key_columns(plan)]


def _label(batches: Any, plan: Any, mapping: Any, country_code: str) -> Any:
    for pdf in batches:
        yield _distributed.partitioned(pdf, plan, pdf[_partition.ROW].tolist(), mapping, country_code)


def _key_schema(plan: Any) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(c, StringType()) for c in _partition.key_columns(plan)])


def _select_schema(df: DataFrame, keep: list[str]) -> Any:
    from pyspark.sql.types import StructType

    fields = {f.name: f for f in df.schema.fields}
    missing = [name for name in keep if name not in fields]
    if missing:
        raise ValueError(f"riskkit.spark: keep names columns the frame does not have: {missing}")
    return StructType([fields[name] for name in keep])


def _join(first: Any, second: Any) -> Any:
    from pyspark.sql.types import StructType

    return StructType([*first.fields, *second.fields])


def _decision_schema(payload: BundlePayload) -> Any:
    from pyspark.sql.types import ArrayType, DoubleType, LongType, StringType, StructField, StructType

    return StructType([
        StructField("event_id", StringType()), StructField("outcome", StringType()), StructField("grade", StringType()),
        *(StructField(f"score_{m}", DoubleType()) for m in payload.model_names),
        StructField("rule_hits", ArrayType(StringType())), StructField("reasons", ArrayType(StringType())),
        StructField("issues", LongType()), StructField("error", StringType()),
    ])


def _check_names(keep: Sequence[str], added: Sequence[str]) -> None:
    clash = sorted(set(keep) & set(added))
    if clash:
        raise ValueError(f"riskkit: kept columns {clash} clash with the columns added; pass keep= without them")

