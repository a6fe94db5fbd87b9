"""Scorecard development: binning, WOE/IV, logistic regression on WOE, points, export.

The heavy lifting runs in riskkit's C++ core (binning on threads, IRLS with Eigen); this
module gives it a notebook shape. Labels are 1 for bad and 0 for good. Values are binned
as float32, exactly as riskkit's scorecard model compares them, so a scorecard exported
here scores in the engine exactly as it does in the notebook.

>>> import numpy as np, riskkit.scorecard as sc
>>> x = np.arange(1000.0); y = (np.arange(1000) % 7 == 0) * 1.0
>>> b = sc.bin(x, y, method="quantile", max_bins=4, monotonic="none")
>>> len(b.table)   # 4 numeric bins + the missing bin
5

A whole development run (docs/scorecard.md)::

    bins = sc.bin_frame(train[features], train["bad"], special=[-1])
    woe = sc.woe_frame(train, bins)
    fit = sc.fit_logistic(woe[sc.select(bins, woe)], train["bad"])
    card = sc.Scorecard(bins, fit, base_points=600, base_odds=50, pdo=20)
    card.score(test)                       # points, as the engine computes them
    card.save("bundle/models/scorecard.json")
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ._core import scorecard as _sc

__all__ = ["Binning", "LogisticResult", "Scorecard", "bin", "bin_frame", "fit_logistic", "iv_table", "select",
           "stability", "woe_frame"]


def _column(x) -> np.ndarray:
    # One explicit conversion to contiguous float64 (pandas NA and None become NaN).
    if hasattr(x, "to_numpy"):
        x = x.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1))


def _frame(rows, **kwargs):
    import pandas as pd

    return pd.DataFrame(rows, **kwargs)


class Binning:
    """A fitted binning of one characteristic: edges, special values, WOE and IV per bin.

    Made by :func:`bin` or :func:`bin_frame`; immutable and picklable. ``table`` is a
    DataFrame with one row per bin (numeric bins left to right, then one per special
    value, then the missing bin): bin, kind, count, bads, goods, bad_rate, share, woe, iv.
    """

    def __init__(self, core: _sc.Binning, name: str | None = None):
        self._core = core
        self.name = name

    @property
    def edges(self) -> list[float]:
        """Numeric bin edges (float32 values); bin i is [edges[i-1], edges[i])."""
        return self._core.edges

    @property
    def special(self) -> list[float]:
        """Special values, each with a bin of its own."""
        return self._core.special

    @property
    def iv(self) -> float:
        """Information value of the characteristic."""
        return self._core.iv

    @property
    def direction(self) -> str:
        """The WOE direction enforced: "ascending", "descending" or "none"."""
        return self._core.direction

    @property
    def woe(self) -> np.ndarray:
        """WOE of every bin, in ``table`` order."""
        return np.array([b["woe"] for b in self._core.bins])

    @property
    def table(self):
        """One row per bin: bin, kind, count, bads, goods, bad_rate, share, woe, iv (a DataFrame)."""
        rows = self._core.bins
        total = sum(r["count"] for r in rows) or 1
        out = [{"bin": r["bin"], "kind": r["kind"], "count": r["count"], "bads": r["bads"],
                "goods": r["count"] - r["bads"], "bad_rate": r["bads"] / r["count"] if r["count"] else math.nan,
                "share": r["count"] / total, "woe": r["woe"], "iv": r["iv"]} for r in rows]
        return _frame(out)

    def transform(self, x):
        """WOE of each value of ``x`` (a pandas Series keeps its index and name)."""
        woe = self._core.transform(_column(x))
        if hasattr(x, "index") and hasattr(x, "name"):
            import pandas as pd

            return pd.Series(woe, index=x.index, name=x.name)
        return woe

    def bin_indices(self, x) -> np.ndarray:
        """The index into ``table`` of each value's bin."""
        return self._core.indices(_column(x))

    def to_feature(self, name: str, input: str | None = None) -> dict:
        """A bundle feature (docs/features.md, ``bins``) giving this binning's WOE.

        The bundle's ``bins`` feature compares in double precision; it equals
        :meth:`transform` for every input that is a float32 value (integers, cents, ...).
        """
        n = len(self.edges)
        woe = self.woe.tolist()
        bins: dict[str, Any] = {"input": input or self.name, "edges": self.edges, "woe": woe[: n + 1],
                                "missing": woe[-1]}
        if self.special:
            bins["special"] = [{"value": v, "woe": w} for v, w in zip(self.special, woe[n + 1: -1])]
        return {"name": name, "bins": bins}

    def __getstate__(self):
        return {"core": self._core, "name": self.name}

    def __setstate__(self, state):
        self._core, self.name = state["core"], state["name"]

    def __repr__(self) -> str:
        name = f" {self.name}" if self.name else ""
        return (f"<riskkit.scorecard.Binning{name} bins={len(self.edges) + 1} special={len(self.special)} "
                f"iv={self.iv:.4f} direction={self.direction}>")

    def _repr_html_(self) -> str:
        return f"<p><b>{self.name or 'binning'}</b> IV = {self.iv:.4f}</p>" + self.table.to_html(index=False)


def _fit(columns: list[np.ndarray], y, *, method: str = "chimerge", max_bins: int = 10, initial_bins: int = 400,
         min_bin_share: float = 0.0, chi2_threshold: float = 0.0, monotonic: str = "auto",
         edges: Sequence[float] | None = None, special: Iterable[float] = (), smoothing: float = 0.5,
         nthread: int = 0) -> list[_sc.Binning]:
    if edges is not None:
        method = "fixed"
    return _sc.fit_binnings(columns, _column(y), method, max_bins, initial_bins, min_bin_share, chi2_threshold,
                            monotonic, list(edges or []), [float(s) for s in special], smoothing, nthread)


def bin(x, y, *, method: str = "chimerge", max_bins: int = 10, initial_bins: int = 400, monotonic: str = "auto",
        special: Iterable[float] = (), edges: Sequence[float] | None = None, min_bin_share: float = 0.0,
        chi2_threshold: float = 0.0, smoothing: float = 0.5, name: str | None = None) -> Binning:
    """Bins one characteristic ``x`` against labels ``y`` (1 = bad).

    ``method``: "chimerge" (``initial_bins`` equal-frequency pre-bins, in which rare values
    are pooled with their neighbours, merged by lowest chi-square down to ``max_bins``, and
    while a neighbour pair's chi-square is below ``chi2_threshold``) or "quantile" (``max_bins`` equal-frequency bins). ``edges`` fixes
    the bins instead (no merging). ``monotonic``: "auto" (the direction with the higher IV),
    "ascending" (WOE rises with x), "descending" or "none". ``special`` values get bins of
    their own; NaN/None/pd.NA go to the missing bin. ``min_bin_share`` merges numeric bins
    holding less than that share of rows. Bins without goods or bads add ``smoothing`` to
    both counts. Raises RiskkitError (code "invalid_argument") for bad labels or options.
    """
    core = _fit([_column(x)], y, method=method, max_bins=max_bins, initial_bins=initial_bins,
                min_bin_share=min_bin_share, chi2_threshold=chi2_threshold, monotonic=monotonic, edges=edges,
                special=special, smoothing=smoothing, nthread=1)[0]
    return Binning(core, name if name is not None else getattr(x, "name", None))


def bin_frame(df, y, *, columns: Sequence[str] | None = None, special: Iterable[float] | Mapping[str, Iterable[float]] = (),
              nthread: int = 0, **options) -> dict[str, Binning]:
    """Bins every column of ``df`` (or ``columns``) against ``y`` on ``nthread`` threads
    (0 = all cores). ``special`` is one list for all columns or a dict column → list; other
    options as :func:`bin`. Returns column name → Binning, in column order."""
    names = list(columns if columns is not None else df.columns)
    if isinstance(special, Mapping):
        out = {}
        for n in names:  # per-column special values: one call each, still in C++
            out[n] = bin(df[n], y, special=special.get(n, ()), name=n, **options)
        return out
    cores = _fit([_column(df[n]) for n in names], y, special=special, nthread=nthread, **options)
    return {n: Binning(c, n) for n, c in zip(names, cores)}


def woe_frame(df, binnings: Mapping[str, Binning]):
    """The WOE of each binned column of ``df`` (a DataFrame with ``df``'s index)."""
    import pandas as pd

    return pd.DataFrame({n: b._core.transform(_column(df[n])) for n, b in binnings.items()}, index=df.index)


def iv_table(binnings: Mapping[str, Binning]):
    """Characteristics by information value, highest first (columns: feature, iv, bins, direction)."""
    rows = [{"feature": n, "iv": b.iv, "bins": len(b.edges) + 1, "direction": b.direction}
            for n, b in binnings.items()]
    return _frame(rows).sort_values("iv", ascending=False, kind="stable").reset_index(drop=True)


def stability(df, binnings: Mapping[str, Binning], periods, *, reference=None, floor: float = 1e-4):
    """PSI over time, for feature selection: the CSI of each binned characteristic of ``df``
    in each period against the first period (or against ``reference``, a DataFrame of
    training rows), over the characteristic's training bins (special and missing bins
    included; :func:`riskkit.metrics.csi`). ``periods`` labels each row (a column name or
    an aligned array, e.g. the application month). Returns a DataFrame: one row per period
    (in order), one column per characteristic."""
    import pandas as pd

    from . import metrics

    labels = df[periods] if isinstance(periods, str) else periods
    return pd.DataFrame({n: metrics.csi_by_period(df[n], labels, b, floor=floor,
                                                  reference=None if reference is None else reference[n])
                         for n, b in binnings.items()})


def select(binnings: Mapping[str, Binning], woe=None, *, min_iv: float = 0.02, max_correlation: float = 0.7,
           stability=None, max_csi: float = 0.25) -> list[str]:
    """Feature selection: characteristics with IV ≥ ``min_iv``, taken by IV (highest first),
    dropping one whose CSI in some period exceeds ``max_csi`` (when ``stability``, a table
    from :func:`stability`, is given), then one whose WOE correlates (|Pearson|) above
    ``max_correlation`` with one already taken (needs ``woe``, e.g. from :func:`woe_frame`;
    without it the correlation filter is skipped). An unstable characteristic is dropped
    before the correlation filter, so it never blocks a stable one it correlates with."""
    ranked = [n for n in iv_table(binnings)["feature"] if binnings[n].iv >= min_iv]
    if stability is not None:
        ranked = [n for n in ranked if not (stability[n] > max_csi).any()]
    if woe is None:
        return ranked
    corr = np.nan_to_num(np.corrcoef(np.asarray(woe[ranked], dtype=np.float64), rowvar=False)) if ranked else None
    kept: list[int] = []
    for i in range(len(ranked)):
        if all(abs(corr[i, j]) <= max_correlation for j in kept):
            kept.append(i)
    return [ranked[i] for i in kept]


@dataclass(frozen=True)
class LogisticResult:
    """A logistic regression fitted by :func:`fit_logistic`.

    ``summary`` is a DataFrame indexed by term ("intercept" first, then each feature) with
    coef, std_err, z and p_value (NaN where undefined: a penalised fit, or a singular
    Hessian). ``converged`` is False after ``max_iter`` steps or for separated/collinear data.
    """

    features: list[str]
    intercept: float
    coefficients: np.ndarray
    std_errors: np.ndarray
    z_values: np.ndarray
    p_values: np.ndarray
    log_likelihood: float
    iterations: int
    converged: bool
    l2: float = 0.0
    fit_intercept: bool = True

    @property
    def summary(self):
        """Coefficients, standard errors, z and Wald p-values, one row per term."""
        terms = (["intercept"] if self.fit_intercept else []) + list(self.features)
        coef = ([self.intercept] if self.fit_intercept else []) + list(self.coefficients)
        return _frame({"coef": coef, "std_err": self.std_errors, "z": self.z_values, "p_value": self.p_values},
                      index=terms)

    def margin(self, X) -> np.ndarray:
        """Log-odds of bad for the rows of ``X`` (columns in ``features`` order, or by name)."""
        return self.intercept + _matrix(X, self.features) @ self.coefficients

    def predict_proba(self, X) -> np.ndarray:
        """Probability of bad for the rows of ``X``."""
        return 1.0 / (1.0 + np.exp(-self.margin(X)))


def _matrix(X, names: Sequence[str] | None = None, order: str = "C") -> np.ndarray:
    if hasattr(X, "columns") and names is not None and all(n in X.columns for n in names):
        X = X[list(names)]
    if hasattr(X, "to_numpy"):
        X = X.to_numpy(dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    return np.asarray(X, order=order)


def fit_logistic(X, y, *, l2: float = 0.0, fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-10,
                 nthread: int = 0) -> LogisticResult:
    """Logistic regression of ``y`` (1 = bad) on the columns of ``X`` (typically WOE), fitted
    by IRLS in C++ with an optional L2 penalty ``l2`` on the coefficients (not the intercept):
    scikit-learn's ``LogisticRegression(C=1/l2)``, or ``penalty=None`` for ``l2=0``.
    ``X`` is a DataFrame (its column names become ``features``) or a 2-D array; values
    must be finite. Uses ``nthread`` threads (0 = all cores) for the row sums."""
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    matrix = _matrix(X, order="F")
    names = names or [f"x{j}" for j in range(matrix.shape[1])]
    r = _sc.fit_logistic(matrix, _column(y), l2, fit_intercept, max_iter, tol, nthread)
    return LogisticResult(names, r["intercept"], np.array(r["coefficients"]), np.array(r["std_errors"]),
                          np.array(r["z_values"]), np.array(r["p_values"]), r["log_likelihood"], r["iterations"],
                          r["converged"], l2, fit_intercept)


class Scorecard:
    """A points scorecard from binnings and a logistic fit on their WOE.

    ``Scorecard(binnings, fit, base_points=600, base_odds=50, pdo=20, round_points=False)``:
    ``binnings`` maps characteristic → Binning and must hold every feature of ``fit``
    (the fit's column names, in its order). ``base_points`` points mean odds of
    ``base_odds``:1 good:bad and every ``pdo`` points double them; bin points are
    −pdo/ln2·β·WOE and the intercept points carry the rest (docs/scorecard.md).

    :meth:`score` gives the points the engine computes for the exported model, bit for bit;
    :meth:`save` writes the riskkit scorecard model file, :meth:`bundle_fragment` the
    bundle entries that use it.
    """

    def __init__(self, binnings: Mapping[str, Binning], fit: LogisticResult, *, base_points: float = 600,
                 base_odds: float = 50, pdo: float = 20, round_points: bool = False):
        intercept = fit.intercept if fit.fit_intercept else 0.0
        self.features = list(fit.features)
        missing = [f for f in self.features if f not in binnings]
        if missing:
            raise KeyError(f"no binning for {missing}")
        self.binnings = {f: binnings[f] for f in self.features}
        self._core = _sc.Scorecard(self.features, [binnings[f]._core for f in self.features], intercept,
                                   [float(c) for c in fit.coefficients], base_points, base_odds, pdo, round_points)
        self.scaling = {"base_points": base_points, "base_odds": base_odds, "pdo": pdo}

    @property
    def intercept_points(self) -> float:
        """Points every applicant starts with."""
        return self._core.intercept_points

    @property
    def table(self):
        """One row per characteristic and bin: feature, bin, woe, coefficient, points."""
        rows = []
        for c in self._core.characteristics:
            for b, p in zip(c["binning"].bins, c["points"]):
                rows.append({"feature": c["name"], "bin": b["bin"], "count": b["count"], "woe": b["woe"],
                             "coefficient": c["coefficient"], "points": p})
        return _frame(rows)

    @property
    def expected_points(self) -> dict[str, float]:
        """Each characteristic's average points over the training sample (the reasons' baseline)."""
        return {c["name"]: c["expected_points"] for c in self._core.characteristics}

    def _columns(self, df) -> list[np.ndarray]:
        return [_column(df[f]) for f in self.features]

    def score(self, df) -> np.ndarray:
        """Total points of each row of ``df`` (raw characteristic values, by column name)."""
        return self._core.score(self._columns(df))

    def probability(self, df) -> np.ndarray:
        """The probability of bad the points imply (the engine's ``"value"`` output)."""
        return np.array([self._core.probability_of_bad(p) for p in self.score(df)])

    def points(self, df):
        """Each characteristic's points per row (a DataFrame)."""
        import pandas as pd

        out = {}
        for c in self._core.characteristics:
            pts = np.asarray(c["points"])
            out[c["name"]] = pts[c["binning"].indices(_column(df[c["name"]]))]
        return pd.DataFrame(out, index=getattr(df, "index", None))

    def contributions(self, df):
        """Points minus expected points per characteristic and row (the engine's contributions)."""
        pts = self.points(df)
        return pts - np.array([self.expected_points[f] for f in pts.columns])

    def reasons(self, df, *, top: int = 4, baseline: str = "mean") -> list[list[str]]:
        """Per row, the characteristics scoring furthest below their baseline (most adverse
        first, ties in characteristic order), at most ``top``: the reasons the engine gives
        when a cutoff on this score declines (docs/bundle-format.md, ``policy.reasons``).

        ``baseline``: "mean" (the expected points, the engine's default) or "max" (the
        characteristic's best bin). When no characteristic is below its baseline, the most
        adverse one is named anyway, as the engine does: a decline always names a factor.
        """
        c = self.contributions(df)
        if baseline == "max":
            best = {x["name"]: max(x["points"]) - x["expected_points"] for x in self._core.characteristics}
            c = c - np.array([best[f] for f in c.columns])
        elif baseline != "mean":
            raise ValueError(f'baseline must be "mean" or "max", not {baseline!r}')
        names = np.array(self.features)
        out = []
        for row in c.to_numpy():
            order = np.argsort(row, kind="stable")
            chosen = [str(names[j]) for j in order[:top] if row[j] < 0]
            out.append(chosen or [str(names[order[0]])])
        return out

    def to_json(self) -> str:
        """The riskkit scorecard model document (docs/models.md)."""
        return self._core.to_json()

    def save(self, path) -> str:
        """Writes the model file; returns its SHA-256 (hex), as a bundle manifest needs it."""
        text = self.to_json().encode()
        with open(path, "wb") as f:
            f.write(text)
        return hashlib.sha256(text).hexdigest()

    def bundle_fragment(self, *, name: str = "scorecard", file: str = "models/scorecard.json",
                        output: str = "margin", inputs: Mapping[str, str] | None = None,
                        reason_texts: Mapping[str, str] | None = None, code_prefix: str = "S") -> dict:
        """The bundle entries for this scorecard (docs/bundle-format.md): ``models`` (the model
        entry with its SHA-256; ``inputs`` maps characteristic → schema field, default the same
        name), ``catalogue`` (one reason code per characteristic, ``code_prefix`` + number,
        for ``policy.reasons.catalogue``) and ``features`` (each characteristic's WOE as a
        ``bins`` feature named ``<characteristic>_woe``, for monitoring or other models)."""
        sha = hashlib.sha256(self.to_json().encode()).hexdigest()
        inputs = dict(inputs or {})
        fields = [inputs.get(f, f) for f in self.features]
        texts = dict(reason_texts or {})
        catalogue = {field: {"code": f"{code_prefix}{i + 1:02d}", "text": texts.get(f, f"Score driven by {f}")}
                     for i, (f, field) in enumerate(zip(self.features, fields))}
        features = [self.binnings[f].to_feature(f"{f}_woe", field) for f, field in zip(self.features, fields)]
        return {"models": {name: {"kind": "scorecard", "file": file, "sha256": sha, "inputs": fields,
                                  "output": output}},
                "catalogue": catalogue, "features": features}

    def __repr__(self) -> str:
        return (f"<riskkit.scorecard.Scorecard characteristics={len(self.features)} "
                f"intercept_points={self.intercept_points:.2f} pdo={self.scaling['pdo']}>")

    def _repr_html_(self) -> str:
        return f"<p><b>Scorecard</b> intercept points {self.intercept_points:.2f}</p>" + self.table.to_html(index=False)

