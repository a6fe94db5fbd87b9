"""What Spark and Dask tasks run on a partition: the shipped bundle or model, and the
functions that decide, compute features for or score one pandas partition.

A task carries a :class:`BundlePayload` or :class:`ModelPayload` (bytes, not a loaded
object); the worker process loads it once (riskkit._pickle) and reuses it for every
later partition. An engine for a bundle with velocity features is created afresh for
each partition, so no velocity state crosses partitions or jobs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from . import _core, _frames, _manifest, _partition, _pickle

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class BundlePayload:
    """A bundle as shipped to workers: its files, digest and engine options.

    ``options`` holds ``pseudonym_key`` only when the caller passed one explicitly;
    otherwise each worker reads RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE.
    """

    digest: str
    files: dict
    options: dict
    model_names: tuple
    feature_names: tuple
    required: tuple
    plan: _manifest.VelocityPlan

    @classmethod
    def of(cls, bundle: Any, pseudonym_key: str | None = None, velocity_failure: str = "fail_open") -> BundlePayload:
        """The payload of a bundle directory or a loaded :class:`riskkit.Engine`."""
        from ._engine import Engine

        if isinstance(bundle, _core.Engine):
            engine = bundle
            velocity_failure = getattr(bundle, "_velocity_failure", velocity_failure)
            pseudonym_key = pseudonym_key or getattr(bundle, "_pickled_key", None)
        else:
            engine = Engine(os.fspath(bundle), pseudonym_key=pseudonym_key, velocity_failure=velocity_failure)
        info = engine.bundle_info
        manifest = _manifest.read(info["directory"])
        options: dict[str, Any] = {"velocity_failure": velocity_failure}
        if pseudonym_key is not None:
            options["pseudonym_key"] = pseudonym_key
        return cls(info["digest"], _pickle.bundle_files(info["directory"]), options, tuple(info["model_names"]),
                   tuple(info["feature_names"]), tuple(_manifest.required_fields(manifest)),
                   _manifest.velocity_plan(manifest))

    def engine(self) -> Any:
        """This process's engine (a new one per call when the bundle is stateful)."""
        return _pickle.load_engine(self.digest, self.files, self.options)

    def directory(self) -> str:
        """The bundle's files in this machine's cache directory."""
        return os.fspath(_pickle.bundle_directory(self.digest, self.files))

    def check_columns(self, columns: Sequence[str]) -> None:
        """Raises RiskkitError (before any task runs) naming required fields without a column."""
        missing = [name for name in self.required if name not in set(map(str, columns))]
        if missing:
            raise _core.RiskkitError(f"the frame has no column for required field(s) {missing}", "invalid_record")


@dataclass(frozen=True)
class ModelPayload:
    """A model as shipped to workers: its file's bytes, backend and file suffix."""

    data: bytes
    backend: str
    suffix: str
    feature_names: tuple
    num_outputs: int

    @classmethod
    def of(cls, model: Any, backend: str = "native") -> ModelPayload:
        """The payload of a model file path or a loaded :class:`riskkit.Model`."""
        from ._model import load_model

        loaded = model if isinstance(model, _core.Model) else load_model(model, backend=backend)
        _, (data, backend, suffix) = loaded.__reduce__()
        return cls(data, backend, suffix, tuple(loaded.feature_names), loaded.num_outputs)

    def model(self) -> Any:
        """This process's model, loaded once."""
        return _pickle.load_model_bytes(self.data, self.backend, self.suffix)


def decision_columns(payload: BundlePayload) -> list[str]:
    """The decision columns appended to each row."""
    return _frames.decision_columns(payload.model_names)


def _records_frame(pdf: pd.DataFrame, drop: Sequence[str], timezone: str | None) -> pd.DataFrame:
    """The record fields of a partition: helper columns dropped and, for Spark, naive
    timestamps (which Spark hands over in its session time zone) made explicit."""
    import pandas as pd

    fields = pdf.drop(columns=[c for c in drop if c in pdf.columns])
    if timezone:
        for name in fields.columns:
            if pd.api.types.is_datetime64_any_dtype(fields[name].dtype) and getattr(fields[name].dtype, "tz", None) is None:
                fields[name] = fields[name].dt.tz_localize(timezone).dt.tz_convert("UTC")
    return fields


def decide_partitions(batches: Iterable[pd.DataFrame], payload: BundlePayload, keep: Sequence[str],
                      drop: Sequence[str] = (), timezone: str | None = None) -> Iterator[pd.DataFrame]:
    """Decides the batches of one partition, in order, with one engine; yields ``keep``
    columns followed by the decision columns, one row per input row."""
    import pandas as pd

    engine = payload.engine()
    for pdf in batches:
        decisions = engine.decide_frame(_records_frame(pdf, drop, timezone))
        yield pd.concat([pdf[list(keep)], decisions], axis=1)


def features_partitions(batches: Iterable[pd.DataFrame], payload: BundlePayload, keep: Sequence[str],
                        drop: Sequence[str] = (), timezone: str | None = None,
                        country_code: str = "86") -> Iterator[pd.DataFrame]:
    """riskkit.features.compute over one partition: ``keep`` columns, then one float
    column per feature. A stateful bundle's partition is computed in one piece (already
    sorted by event time), a stateless one batch by batch."""
    import pandas as pd

    from . import features

    directory = payload.directory()
    key = payload.options.get("pseudonym_key")
    if payload.plan.stateful:
        collected = list(batches)
        pieces: Iterable[pd.DataFrame] = [pd.concat(collected)] if collected else []
    else:
        pieces = batches
    for pdf in pieces:
        if len(pdf) == 0:
            continue
        computed = features.compute(directory, _records_frame(pdf, drop, timezone), pseudonym_key=key,
                                    country_code=country_code)
        yield pd.concat([pdf[list(keep)], computed], axis=1)


def predict_partitions(batches: Iterable[pd.DataFrame], payload: ModelPayload, keep: Sequence[str],
                       output: str, column: str) -> Iterator[pd.DataFrame]:
    """Model.predict over the batches of one partition: ``keep`` columns, then ``column``
    (one output) or ``<column>_<k>`` (k outputs)."""
    import pandas as pd

    model = payload.model()
    for pdf in batches:
        yield pd.concat([pdf[list(keep)], score_frame(model.predict(pdf, output=output), column)], axis=1)


def score_frame(scores: Any, column: str) -> pd.DataFrame:
    """predict's Series or DataFrame as score columns named after ``column``."""
    if scores.ndim == 1:
        return scores.rename(column).to_frame()
    return scores.set_axis([f"{column}_{k}" for k in range(scores.shape[1])], axis=1)


def partitioned(pdf: pd.DataFrame, plan: _manifest.VelocityPlan, rows: Iterable[int],
                mapping: dict | None, country_code: str) -> pd.DataFrame:
    """A pandas partition with the helper columns of riskkit._partition added."""
    keys = _partition.entity_keys(pdf, plan, country_code)
    out = pdf.copy()
    rows = list(rows)
    out[_partition.ROW] = rows
    out[_partition.TIME] = keys[_partition.TIME].to_numpy()
    out[_partition.LABEL] = _partition.labels(keys, rows, plan, mapping)
    return out
