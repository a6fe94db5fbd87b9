"""Files in and out: Parquet, CSV and JSON Lines for decisions, features and scores.

    import riskkit.io
    riskkit.io.decide_file("bundles/application", "applications.parquet", "decisions.parquet")
    riskkit.io.features_file("bundles/application", "history.parquet", "features.parquet")
    riskkit.io.predict_file("models/credit.json", "X.parquet", "scores.parquet")
    df = riskkit.io.read_frame("applications.csv", bundle="bundles/application")

The format follows the extension: ``.parquet``/``.pq``, ``.csv``, ``.jsonl``/``.ndjson``;
``-`` is standard input/output as JSON Lines. Parquet needs pyarrow.

:func:`decide_file` streams: it reads, decides and writes in chunks, so a file larger
than memory is decided with the memory of one chunk; the chunks go through one engine in
order, so velocity features see the whole file as one stream. CSV cells are read as text
and typed by the bundle's schema, exactly as ``riskkit decide`` (the CLI) reads them;
CSV and JSON Lines decisions are written in the CLI's layout too (docs/python-scale.md).
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, Iterator, Union

from . import _core, _frames, _manifest
from ._engine import Engine
from ._model import Model, load_model

if TYPE_CHECKING:
    import pandas as pd

PathLike = Union[str, os.PathLike]
#: Rows read, decided and written at a time by decide_file.
CHUNK_ROWS = 65536

__all__ = ["CHUNK_ROWS", "decide_file", "features_file", "format_of", "predict_file", "read_frame", "write_frame"]


def format_of(path: PathLike) -> str:
    """"parquet", "csv" or "jsonl" from a file name's extension ("-" is "jsonl")."""
    name = os.fspath(path).lower()
    if name == "-" or name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    raise _core.RiskkitError(f"{os.fspath(path)}: unknown file format (use .parquet, .csv or .jsonl)",
                             "invalid_argument")


# ---- whole frames ---------------------------------------------------------------------------


def read_frame(path: PathLike, *, bundle: PathLike | None = None) -> pd.DataFrame:
    """Reads a Parquet, CSV or JSON Lines file into a DataFrame.

    With ``bundle`` (a bundle directory), CSV columns that the schema declares as
    strings are read as text, so identifiers like ``+447700976655`` or ``007`` keep
    their characters instead of becoming numbers.
    """
    import pandas as pd

    kind = format_of(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(os.fspath(path)).to_pandas()
    if kind == "csv":
        dtype = None
        if bundle is not None:
            schema = _manifest.read(bundle).get("schema", {})
            dtype = {name: "string" for name, spec in schema.items() if spec.get("type") == "string"}
        with _open_text(path, "r") as f:
            header = next(csv.reader(f), [])
        dtype = {k: v for k, v in (dtype or {}).items() if k in header}
        return pd.read_csv(os.fspath(path), dtype=dtype or None)
    with _open_text(path, "r") as f:
        return pd.DataFrame([json.loads(line) for line in f if line.strip()])


def write_frame(df: pd.DataFrame, path: PathLike) -> None:
    """Writes a DataFrame as Parquet (list columns stay lists), CSV (lists joined by
    ``;``, no index) or JSON Lines (one object per row)."""
    kind = format_of(path)
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), os.fspath(path))
    elif kind == "csv":
        flat = df.copy()
        for name in flat.columns:
            if flat[name].map(lambda v: isinstance(v, list)).any():
                flat[name] = flat[name].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
        with _open_text(path, "w") as f:
            flat.to_csv(f, index=False, lineterminator="\n")
    else:
        with _open_text(path, "w") as f:
            for row in df.to_dict(orient="records"):
                f.write(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False) + "\n")


# ---- decisions ------------------------------------------------------------------------------


def decide_file(bundle: PathLike | Engine, input: PathLike, output: PathLike, *, nthread: int = 0,
                progress: bool = False, chunk_rows: int = CHUNK_ROWS, pseudonym_key: str | None = None) -> dict:
    """Decides every record of ``input`` and writes one result per record to ``output``.

    ``bundle``: a bundle directory or an Engine (whose velocity state it continues).
    Parquet output has decide_frame's columns (event_id, outcome, grade, score_<model>,
    rule_hits, reasons, issues, error); CSV and JSON Lines output are the CLI's
    (``line``, ``event_id``, …; JSON Lines: one decision object per line, or
    ``{"line", "error"}`` for a rejected record). Returns ``{"decided": n, "rejected": m}``.
    """
    engine = bundle if isinstance(bundle, _core.Engine) else Engine(bundle, pseudonym_key=pseudonym_key)
    info = engine.bundle_info
    counts = {"decided": 0, "rejected": 0}
    total = _count_rows(input) if progress else 0
    bar = _frames.progress_bar(total, progress, "riskkit decide")
    with _decision_writer(output, info) as write:
        for lines, rows, errors in _read_records(input, chunk_rows):
            usable = [i for i, e in enumerate(errors) if e is None]
            decided = engine.decide_many([rows[i] for i in usable], nthread=nthread, errors="return")
            results: list[Any] = list(errors)
            for j, (i, result) in enumerate(zip(usable, decided)):
                results[i] = _unprefixed(result, j)
            write(lines, rows, results)
            rejected = sum(isinstance(r, (_core.RiskkitError, str)) for r in results)
            counts["rejected"] += rejected
            counts["decided"] += len(results) - rejected
            if bar is not None:
                bar.update(len(results))
    if bar is not None:
        bar.close()
    return counts


def features_file(bundle: PathLike, input: PathLike, output: PathLike, *, pseudonym_key: str | None = None,
                  keep: list[str] | None = None) -> None:
    """riskkit.features.compute over a history file (sorted by event time) into ``output``.
    ``keep``: input columns copied in front of the features (e.g. the event id and a label)."""
    from . import features

    df = read_frame(input, bundle=bundle)
    out = features.compute(bundle, df, pseudonym_key=pseudonym_key)
    if keep:
        out = df[keep].join(out)
    write_frame(out, output)


def predict_file(model: PathLike | Model, input: PathLike, output: PathLike, *, output_kind: str = "value",
                 nthread: int = 0, keep: list[str] | None = None) -> None:
    """Model.predict over a file of model inputs (columns matched by name) into ``output``:
    a ``value`` (or ``margin``) column, or ``class_<k>`` columns; ``keep`` input columns first."""
    m = model if isinstance(model, _core.Model) else load_model(model)
    df = read_frame(input)
    scores = m.predict(df, output=output_kind, nthread=nthread)
    out = scores.to_frame() if scores.ndim == 1 else scores
    if keep:
        out = df[keep].join(out)
    write_frame(out, output)


# ---- streaming helpers ----------------------------------------------------------------------


@contextmanager
def _open_text(path: PathLike, mode: str) -> Iterator[IO[str]]:
    if os.fspath(path) == "-":
        yield sys.stdin if mode == "r" else sys.stdout
        return
    with open(path, mode, encoding="utf-8", newline="" if _is_csv(path) else None) as f:
        yield f


def _is_csv(path: PathLike) -> bool:
    return os.fspath(path).lower().endswith(".csv")


def _count_rows(path: PathLike) -> int:
    """Rows in a file, for the progress bar's total (0 when unknown, e.g. stdin)."""
    if os.fspath(path) == "-":
        return 0
    kind = format_of(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(os.fspath(path)).metadata.num_rows
    with open(path, "rb") as f:
        lines = sum(1 for line in f if line.strip())
    return max(0, lines - 1) if kind == "csv" else lines


def _read_records(path: PathLike, chunk_rows: int) -> Iterator[tuple[list[int], list[dict], list[str | None]]]:
    """Chunks of (line numbers, records, read errors or None) from a file, as the CLI reads
    them: CSV cells are text (empty = missing), JSON Lines objects are parsed per line."""
    kind = format_of(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        done = 0
        for batch in pq.ParquetFile(os.fspath(path)).iter_batches(batch_size=chunk_rows):
            rows = _frames.records(batch.to_pandas())
            yield list(range(done + 1, done + 1 + len(rows))), rows, [None] * len(rows)
            done += len(rows)
        return
    with _open_text(path, "r") as f:
        source = _csv_records(f, os.fspath(path)) if kind == "csv" else _jsonl_records(f, os.fspath(path))
        lines: list[int] = []
        rows: list[dict] = []
        errors: list[str | None] = []
        for line, row, error in source:
            lines.append(line)
            rows.append(row)
            errors.append(error)
            if len(rows) == chunk_rows:
                yield lines, rows, errors
                lines, rows, errors = [], [], []
        if rows:
            yield lines, rows, errors


def _csv_records(f: IO[str], origin: str) -> Iterator[tuple[int, dict, str | None]]:
    reader = csv.reader(f)
    header = next(reader, None)
    if header is None:
        raise _core.RiskkitError(f"{origin}: empty CSV: no header row", "parse")
    for cells in reader:
        line = reader.line_num
        if cells == [] or cells == [""]:
            continue
        if len(cells) != len(header):
            yield line, {}, f"{origin}:{line}: {len(cells)} cells, the header has {len(header)}"
            continue
        yield line, {name: (cell if cell != "" else None) for name, cell in zip(header, cells)}, None


def _jsonl_records(f: IO[str], origin: str) -> Iterator[tuple[int, dict, str | None]]:
    for line, text in enumerate(f, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield line, {}, f"{origin}:{line}: {error}"
            continue
        if not isinstance(record, dict):
            yield line, {}, f"{origin}:{line}: a record must be a JSON object"
            continue
        yield line, record, None


@contextmanager
def _decision_writer(path: PathLike, info: dict) -> Iterator[Any]:
    """A function write(lines, rows, results) appending decisions to ``path``."""
    kind = format_of(path)
    models = info["model_names"]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("event_id", pa.string()), ("outcome", pa.string()), ("grade", pa.string()),
                            *((f"score_{m}", pa.float64()) for m in models),
                            ("rule_hits", pa.list_(pa.string())), ("reasons", pa.list_(pa.string())),
                            ("issues", pa.int64()), ("error", pa.string())])
        with pq.ParquetWriter(os.fspath(path), schema) as writer:
            def write(lines: list[int], rows: list[dict], results: list) -> None:
                out = [_frames.decision_row(_as_error(r), row, info) for r, row in zip(results, rows)]
                writer.write_table(pa.Table.from_pylist(out, schema=schema))

            yield write
        return
    with _open_text(path, "w") as f:
        if kind == "csv":
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["line", "event_id", "outcome", "grade", *(f"score_{m}" for m in models),
                             "rule_hits", "reasons", "issues", "error"])

            def write(lines: list[int], rows: list[dict], results: list) -> None:
                for line, result in zip(lines, results):
                    writer.writerow(_csv_row(line, _as_error(result), models))
        else:
            def write(lines: list[int], rows: list[dict], results: list) -> None:
                for line, result in zip(lines, results):
                    if isinstance(result, _core.Decision):
                        f.write(result.to_json() + "\n")
                    else:
                        f.write(json.dumps({"line": line, "error": str(result)}, ensure_ascii=False,
                                           separators=(",", ":")) + "\n")

        yield write


def _unprefixed(result: Any, position: int) -> Any:
    """A RiskkitError from decide_many without its "records[i]: " prefix (the file's line
    number replaces it), as the CLI reports it; a Decision unchanged."""
    prefix = f"records[{position}]: "
    if isinstance(result, _core.RiskkitError) and str(result).startswith(prefix):
        return _core.RiskkitError(str(result)[len(prefix):], result.code)
    return result


def _as_error(result: Any) -> Any:
    """A read error (text) as a RiskkitError; decisions and RiskkitErrors unchanged."""
    return _core.RiskkitError(result, "parse") if isinstance(result, str) else result


def _csv_row(line: int, result: Any, models: list[str]) -> list:
    """One CSV row in the CLI's layout (src/cli/record_io.cpp)."""
    if isinstance(result, _core.RiskkitError):
        return [line, "", "error", "", *([""] * len(models)), "", "", "", str(result)]
    scores = result.scores
    return [line, result.event_id, result.outcome, result.grade, *(_number(scores.get(m, math.nan)) for m in models),
            ";".join(h["id"] for h in result.rule_hits), ";".join(r["code"] for r in result.reasons),
            "; ".join(f"{i['field']}: {i['message']}" for i in result.issues), ""]


def _number(x: float) -> str:
    """A score as the CLI prints it: the shortest text that reads back the same double,
    a whole number without ".0" (fmt's "{}": 580.0 prints as "580", like points do)."""
    if math.isnan(x):
        return "nan"
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _json_value(value: Any) -> Any:
    """A frame cell as a JSON value (NaN/NA/NaT → null, numpy scalars → Python, times → ISO)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value
