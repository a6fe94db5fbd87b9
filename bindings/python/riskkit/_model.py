"""Model: riskkit._core.Model plus any array-like or DataFrame input, pickling and notebook display."""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from . import _core, _html, _pickle


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "to_numpy") and hasattr(X, "iloc")


def frame_columns(X: Any, feature_names: Sequence[str]) -> list[int]:
    """Positions of ``X``'s columns in the model's input order.

    With stored feature names, every name must be a column (any order, extra columns
    ignored); a missing one raises RiskkitError naming it. Without names, the columns
    are taken by position.
    """
    columns = [str(c) for c in X.columns]
    if not feature_names:
        return list(range(len(columns)))
    missing = [name for name in feature_names if name not in columns]
    if missing:
        raise _core.RiskkitError(f"the frame has no column for model input(s) {missing}", "invalid_argument")
    return [columns.index(name) for name in feature_names]


def as_rows(X: Any, feature_names: Sequence[str] = ()) -> np.ndarray:
    """X as the C-contiguous float32 array the core reads in place.

    A C-contiguous float32 numpy array is returned as is (no copy). Anything else —
    float64, Fortran order, a list, a pandas DataFrame — is converted with exactly one
    copy. A DataFrame is read by name in the order of ``feature_names`` (see
    :func:`frame_columns`). NaN, None, pd.NA and NaT are missing; nullable dtypes and
    categoricals with numeric categories give their numbers.
    """
    if _is_frame(X):
        positions = frame_columns(X, feature_names)
        rows = np.empty((X.shape[0], len(positions)), dtype=np.float32)
        for j, position in enumerate(positions):
            column = X.iloc[:, position]
            try:
                rows[:, j] = column.to_numpy(dtype=np.float32, na_value=np.nan)
            except (TypeError, ValueError) as error:
                raise _core.RiskkitError(f"column '{X.columns[position]}' is not numeric ({column.dtype}): {error}",
                                         "invalid_argument") from error
        return rows
    return np.ascontiguousarray(X, dtype=np.float32)


class Model(_core.Model):
    """A loaded, immutable model; thread-safe. Create it with :func:`load_model`.

    ``kind``, ``num_features``, ``num_outputs`` and ``feature_names`` describe it;
    :meth:`predict` and :meth:`contributions` score rows. Both release the GIL while
    computing, so several Python threads can score at once. A Model pickles as its
    file's bytes; unpickling loads it once per process.
    """

    def __init__(self, path: str | os.PathLike[str], *, backend: str = "native") -> None:
        data = Path(path).read_bytes() if os.path.isfile(path) else None
        super().__init__(path, backend=backend)
        self._backend = backend
        self._path = os.fspath(path)
        self._sha256 = hashlib.sha256(data).hexdigest() if data is not None else None
        self._loaded = True

    def __repr__(self) -> str:
        # A failed __init__ leaves an instance without a C++ model, which tracebacks still
        # repr (pytest, debuggers): never touch the core then.
        return super().__repr__() if getattr(self, "_loaded", False) else "<riskkit.Model (not loaded)>"

    def predict(self, X: Any, *, output: str = "value", missing: float = math.nan, nthread: int = 0) -> Any:
        """Scores the rows of X (2-D, or 1-D for one row).

        output: "value" (probability / objective output) or "margin" (before the link).
        missing: a value treated as missing besides NaN. nthread: 0 = all cores.
        Returns float64 of shape (n,) for one output, (n, k) for k classes. For a pandas
        DataFrame, columns are matched to ``feature_names`` by name and the result keeps
        its index: a Series named ``output`` (one output) or a DataFrame with columns
        ``class_0`` … ``class_<k-1>``. X is read in place when it is C-contiguous float32,
        otherwise copied once (as_rows).
        """
        scores = super().predict(as_rows(X, self.feature_names), output=output, missing=missing, nthread=nthread)
        if not _is_frame(X):
            return scores
        import pandas as pd

        if scores.ndim == 1:
            return pd.Series(scores, index=X.index, name=output)
        return pd.DataFrame(scores, index=X.index, columns=[f"class_{k}" for k in range(scores.shape[1])])

    def contributions(self, X: Any, *, missing: float = math.nan, nthread: int = 0) -> Any:
        """Per-feature contributions to the margin in XGBoost's ``pred_contribs`` layout.

        Returns float64 of shape (n, f+1), or (n, k, f+1) for k classes; the last
        column is the bias and each row sums to its margin. For a one-output model and a
        DataFrame, a DataFrame with X's index and one column per feature, then ``bias``.
        """
        phi = super().contributions(as_rows(X, self.feature_names), missing=missing, nthread=nthread)
        if not _is_frame(X) or phi.ndim != 2:
            return phi
        import pandas as pd

        names = list(self.feature_names) or [f"f{j}" for j in range(self.num_features)]
        return pd.DataFrame(phi, index=X.index, columns=[*names, "bias"])

    def __reduce__(self) -> tuple:
        """Pickles as the model file's bytes and backend. Raises RiskkitError if the file
        changed since it was loaded (the pickle would not be this model)."""
        data = Path(self._path).read_bytes()
        if hashlib.sha256(data).hexdigest() != self._sha256:
            raise _core.RiskkitError(f"{self._path}: the model file changed since it was loaded; load it again "
                                     "before pickling", "io")
        return (_pickle.load_model_bytes, (data, self._backend, Path(self._path).suffix))

    def _repr_html_(self) -> str:
        """Kind, number of inputs and outputs, and input names, as HTML."""
        return _html.model_html(self)


def load_model(path: str | os.PathLike[str], *, backend: str = "native") -> Model:
    """Loads an XGBoost JSON/UBJSON model or a riskkit logistic/scorecard model.

    backend: "native" (riskkit's evaluator) or "xgboost" (the XGBoost C API, a reference).
    Raises RiskkitError (code "io", "parse" or "invalid_model") naming the file.
    """
    return Model(path, backend=backend)
