"""Engine: riskkit._core.Engine plus DataFrames, progress bars, pickling and notebook display."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _core, _frames, _html, _manifest, _pickle

if TYPE_CHECKING:
    import pandas as pd


class Engine(_core.Engine):
    """A decision engine serving one bundle at a time.

    ``Engine(bundle_dir, *, pseudonym_key=None, velocity_failure="fail_open", audit_path=None,
    require_signature=False, signature_key=None, velocity_store=None, pickle_key=False,
    signature_public_key=None)``:
    pseudonym_key is the key text for the bundle's personal-data fields (default: the
    RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE environment variables);
    velocity_failure says what happens when velocity state is unavailable; audit_path
    appends one audit line per decision (docs/audit.md); require_signature refuses bundles
    without a valid bundle.sig checked with signature_key (HMAC) or signature_public_key (PEM
    bytes of an Ed25519 public key; then only Ed25519 signatures are accepted);
    velocity_store="redis://host:port"
    shares velocity state through Redis (default: in-process); pickle_key=True lets a pickle of
    this engine carry pseudonym_key (off by default: see __reduce__).

    :meth:`decide` decides one dict, :meth:`decide_many` a list of dicts on all cores,
    :meth:`decide_frame` a pandas DataFrame; :meth:`reload` swaps in a new bundle only
    if it loads cleanly. All are thread-safe and release the GIL while deciding.
    Raises RiskkitError (e.g. code "invalid_bundle", "digest_mismatch") naming the file
    and JSON path of the problem.
    """

    def __init__(self, bundle_dir: str | os.PathLike, *, pseudonym_key: str | None = None,
                 velocity_failure: str = "fail_open", audit_path: str | os.PathLike | None = None,
                 require_signature: bool = False, signature_key: bytes | None = None,
                 velocity_store: str | None = None, pickle_key: bool = False,
                 signature_public_key: bytes | None = None) -> None:
        super().__init__(bundle_dir, pseudonym_key=pseudonym_key, velocity_failure=velocity_failure,
                         audit_path=audit_path, require_signature=require_signature, signature_key=signature_key,
                         velocity_store=velocity_store, signature_public_key=signature_public_key)
        self._velocity_failure = velocity_failure
        self._require_signature = require_signature
        self._pickled_key = pseudonym_key if pickle_key else None
        self._loaded = True

    def __repr__(self) -> str:
        # A failed __init__ leaves an instance without a C++ engine, which tracebacks still
        # repr (pytest, debuggers): never touch the core then.
        return super().__repr__() if getattr(self, "_loaded", False) else "<riskkit.Engine (not loaded)>"

    def decide_frame(self, df: pd.DataFrame, *, nthread: int = 0, progress: bool = False) -> pd.DataFrame:
        """Decides every row of ``df`` (columns = record fields) and returns one row per input row.

        Columns are matched to the schema by name, in any order; a frame without a column
        for a required field raises RiskkitError naming it. The result has ``df``'s index
        and the columns event_id, outcome, grade, score_<model> (one per model, NaN when
        missing), rule_hits (list of rule ids), reasons (list of reason codes), issues
        (number of data issues) and error. A rejected row (e.g. a required field missing)
        never raises: its outcome is "error" and ``error`` holds the message (None for
        decided rows). NaN, None, pd.NA and NaT cells are missing; nullable dtypes,
        categoricals, numpy scalars and Timestamps are converted. Rows are decided on
        ``nthread`` threads (0 = all cores) without the GIL; ``progress=True`` shows a
        tqdm bar. Rows are decided in order: a bundle with velocity features sees them as
        a stream, continuing this engine's velocity state.
        """
        info = self.bundle_info
        _frames.check_required(df, _manifest.required_fields(_manifest.read(info["directory"])), "decide_frame")
        rows = _frames.records(df)
        results = _frames.decide_records(self, rows, nthread=nthread, progress=progress)
        return _frames.decision_frame(results, rows, info, df.index)

    def __reduce__(self) -> tuple:
        """Pickles as the bundle directory's files, digest and options.

        The pseudonymization key is included only if the engine was created with
        ``pickle_key=True``; otherwise the unpickling process reads its own
        RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE. Unpickling loads the bundle once
        per process (a bundle with velocity features: a new engine, empty state).
        """
        info = self.bundle_info
        # Never pickled: the audit path (each worker would append to the same file) and the
        # signature keys (workers read RISKKIT_BUNDLE_KEY_FILE / RISKKIT_BUNDLE_PUBLIC_KEY_FILE).
        options: dict[str, Any] = {"velocity_failure": self._velocity_failure,
                                   "require_signature": self._require_signature}
        if self._pickled_key is not None:
            options["pseudonym_key"] = self._pickled_key
            options["pickle_key"] = True
        return (_pickle.load_engine, (info["digest"], _pickle.bundle_files(info["directory"]), options))

    def _repr_html_(self) -> str:
        """The bundle's name, version, stage, digest, fields, features and models, as HTML."""
        return _html.engine_html(self.bundle_info)


_core.Decision._repr_html_ = _html.decision_html  # notebooks render decisions as a table
