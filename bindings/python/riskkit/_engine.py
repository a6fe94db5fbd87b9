"""Engine: riskkit._core.Engine plus decide_frame over pandas DataFrames."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:
    import pandas as pd


class Engine(_core.Engine):
    """A decision engine serving one bundle at a time.

    ``Engine(bundle_dir, *, pseudonym_key=None, velocity_failure="fail_open")``:
    pseudonym_key is the key text for the bundle's personal-data fields (default: the
    RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE environment variables);
    velocity_failure says what happens when velocity state is unavailable.

    :meth:`decide` decides one dict, :meth:`decide_many` a list of dicts on all cores,
    :meth:`decide_frame` a pandas DataFrame; :meth:`reload` swaps in a new bundle only
    if it loads cleanly. All are thread-safe and release the GIL while deciding.
    Raises RiskkitError (e.g. code "invalid_bundle", "digest_mismatch") naming the file
    and JSON path of the problem.
    """

    def decide_frame(self, df: pd.DataFrame, *, nthread: int = 0) -> pd.DataFrame:
        """Decides every row of ``df`` (columns = record fields) and returns one row per input row.

        The result has ``df``'s index and the columns event_id, outcome, grade,
        score_<model> (one per model, NaN when missing), rule_hits (list of rule ids),
        reasons (list of reason codes), issues (number of data issues) and error. A
        rejected row (e.g. a required field missing) never raises: its outcome is
        "error" and ``error`` holds the message (missing — None or NaN — for decided rows). Cells that
        are NaN, None, pd.NA or NaT are missing; numpy scalars and Timestamps are converted.
        """
        import pandas as pd

        info = self.bundle_info
        records = df.to_dict(orient="records")
        results = self.decide_many(records, nthread=nthread, errors="return")
        rows = [_row(result, record, info) for result, record in zip(results, records)]
        columns = ["event_id", "outcome", "grade", *(f"score_{m}" for m in info["model_names"]),
                   "rule_hits", "reasons", "issues", "error"]
        return pd.DataFrame(rows, columns=columns, index=df.index)


def _row(result: Any, record: dict, info: dict) -> dict:
    """One output row of decide_frame for a Decision or a RiskkitError."""
    if isinstance(result, _core.RiskkitError):
        field = info["event_id_field"]
        event_id = record.get(field) if field else None
        if isinstance(event_id, float) and math.isnan(event_id):
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
