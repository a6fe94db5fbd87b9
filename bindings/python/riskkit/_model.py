"""Model: riskkit._core.Model plus the conversion of any array-like input to float32 rows."""

from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from . import _core


def as_rows(X: Any, feature_names: Sequence[str] = ()) -> np.ndarray:
    """X as the C-contiguous float32 array the core reads in place.

    A C-contiguous float32 numpy array is returned as is (no copy). Anything else —
    float64, Fortran order, a list, a pandas DataFrame — is converted with exactly one
    copy. A DataFrame holding every name in ``feature_names`` is read in that column
    order; otherwise its columns are taken by position. NaN, None and pd.NA are missing.
    """
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        columns = [str(c) for c in X.columns]
        if feature_names and set(feature_names) <= set(columns):
            X = X.iloc[:, [columns.index(name) for name in feature_names]]
        rows = np.empty(X.shape, dtype=np.float32)
        for j in range(X.shape[1]):
            rows[:, j] = X.iloc[:, j].to_numpy(dtype=np.float32, na_value=np.nan)
        return rows
    return np.ascontiguousarray(X, dtype=np.float32)


class Model(_core.Model):
    """A loaded, immutable model; thread-safe. Create it with :func:`load_model`.

    ``kind``, ``num_features``, ``num_outputs`` and ``feature_names`` describe it;
    :meth:`predict` and :meth:`contributions` score rows. Both release the GIL while
    computing, so several Python threads can score at once.
    """

    def predict(self, X: Any, *, output: str = "value", missing: float = math.nan, nthread: int = 0) -> np.ndarray:
        """Scores the rows of X (2-D, or 1-D for one row).

        output: "value" (probability / objective output) or "margin" (before the link).
        missing: a value treated as missing besides NaN. nthread: 0 = all cores.
        Returns float64 of shape (n,) for one output, (n, k) for k classes.
        X is read in place when it is C-contiguous float32, otherwise copied once (as_rows).
        """
        return super().predict(as_rows(X, self.feature_names), output=output, missing=missing, nthread=nthread)

    def contributions(self, X: Any, *, missing: float = math.nan, nthread: int = 0) -> np.ndarray:
        """Per-feature contributions to the margin in XGBoost's ``pred_contribs`` layout.

        Returns float64 of shape (n, f+1), or (n, k, f+1) for k classes; the last
        column is the bias and each row sums to its margin.
        """
        return super().contributions(as_rows(X, self.feature_names), missing=missing, nthread=nthread)


def load_model(path: str | os.PathLike[str], *, backend: str = "native") -> Model:
    """Loads an XGBoost JSON/UBJSON model or a riskkit logistic/scorecard model.

    backend: "native" (riskkit's evaluator) or "xgboost" (the XGBoost C API, a reference).
    Raises RiskkitError (code "io", "parse" or "invalid_model") naming the file.
    """
    return Model(path, backend=backend)
