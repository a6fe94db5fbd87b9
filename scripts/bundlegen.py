"""Shared helpers of the bundle generators: the lifecycle-stage ones
(scripts/make_<stage>_bundle.py), scripts/make_example_bundle.py and the test fixtures of
tests/data (file writing, pseudonyms, decision-table matching).

Deterministic output: stable JSON text, single-threaded XGBoost with fixed seeds, CSV
cells written the same way every run. The policy oracle (`expected_decision`) re-implements
the decision rules of docs/bundle-format.md and docs/stages.md in plain Python, so the
example records' expected decisions come from XGBoost / scikit-learn and this code, never
from riskkit itself.

Nothing runs at import time; tests import `expected_decision` and friends through the
generators.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xgboost as xgb

ROOT = Path(__file__).resolve().parent.parent
TEST_PSEUDONYM_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def json_text(obj) -> str:
    """Stable, readable JSON: insertion order, two-space indent, trailing newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def records_jsonl(records: list[dict]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def records_csv(records: list[dict], columns: list[str], lineterminator: str = "\n") -> str:
    """A header of `columns`, then a row a record (an empty cell = missing)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow(columns)
    for r in records:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def write_records(bundle_dir: Path, records: list[dict], columns: list[str]) -> None:
    """records.jsonl and records.csv."""
    write_text(bundle_dir / "records.jsonl", records_jsonl(records))
    write_text(bundle_dir / "records.csv", records_csv(records, columns))


def pseudonym(value: str, key_hex: str = TEST_PSEUDONYM_KEY) -> str:
    """docs/privacy.md: lowercase hex HMAC-SHA-256(key, normalized value) (as-is kinds only)."""
    return hmac.new(bytes.fromhex(key_hex), value.strip().encode(), hashlib.sha256).hexdigest()


def record_at(cols: dict[str, np.ndarray], i: int, schema: dict) -> dict:
    """Row i of generated columns as a JSON record (whole numbers as integers, missing omitted)."""
    rec = {}
    for name, spec in schema.items():
        v = cols[name][i]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if spec["type"] == "number":
            v = int(v) if float(v) == int(v) else float(v)
        elif spec["type"] == "bool":
            v = bool(v)
        rec[name] = v
    return rec


def to_columns(records: list[dict], schema: dict) -> dict[str, np.ndarray]:
    """Well-typed JSON records as columns: numbers / bools as float64 (NaN = missing or a
    declared sentinel), strings and timestamps as objects (None = missing)."""
    cols = {}
    for name, spec in schema.items():
        vals = [r.get(name) for r in records]
        if spec["type"] in ("number", "bool"):
            col = np.array([math.nan if v is None else float(v) for v in vals])
            col[np.isin(col, spec.get("missing", []))] = math.nan
        else:
            col = np.array(vals, dtype=object)
        cols[name] = col
    return cols


# --------------------------------------------------------------------------------------
# Bundle files of the stage generators
# --------------------------------------------------------------------------------------

def model_entry(bundle_dir: Path, file: str, kind: str, inputs: list[str], **extra) -> dict:
    """bundle.json's entry of the model written to <bundle_dir>/models/<file>."""
    return {"kind": kind, "file": f"models/{file}", "sha256": sha256(bundle_dir / "models" / file),
            "inputs": inputs, **extra}


def write_bundle(bundle_dir: Path, head: dict, schema: dict, features: list[dict], rules: list["Rule"],
                 models: dict, policy: "Policy", catalogue: dict[str, tuple[str, str]]) -> None:
    """reasons.json (`catalogue`: input -> (code, text)), then bundle.json: format 1, `head`
    (name, version, stage, description), the schema, features, rules, models and policy."""
    write_text(bundle_dir / "reasons.json", json_text({n: {"code": c, "text": t} for n, (c, t) in catalogue.items()}))
    manifest = {"format": 1, **head, "schema": schema, "features": features, "rules": [r.to_json() for r in rules],
                "models": models, "policy": policy.to_json(sha256(bundle_dir / "reasons.json"))}
    write_text(bundle_dir / "bundle.json", json_text(manifest))


def read_policy(bundle_dir: Path) -> tuple[dict, list[tuple[str, float | None]]]:
    """(bundle.json's policy, its grade bands as (grade, below)) for rebuilding the oracle's Policy."""
    p = json.loads((bundle_dir / "bundle.json").read_text())["policy"]
    return p, [(b["grade"], b.get("below")) for b in p["grades"]["bands"]]


def load_booster(path: Path) -> xgb.Booster:
    """The XGBoost model saved at `path`."""
    booster = xgb.Booster()
    booster.load_model(str(path))
    return booster


def write_examples(bundle_dir: Path, policy: "Policy", records: list[dict], schema: dict,
                   expected_decisions) -> dict[str, int]:
    """records.jsonl / .csv and expected.json (`expected_decisions(records)`, the oracle);
    checks every outcome occurs and the reasons (`check_reasons`). Returns the count of
    examples per outcome."""
    write_records(bundle_dir, records, list(schema))
    expected = expected_decisions(records)
    write_text(bundle_dir / "expected.json", json_text(expected))
    counts = {name: sum(d["action"] == name for d in expected) for name, _ in policy.outcomes}
    assert all(counts.values()), counts
    check_reasons(policy, expected)
    return counts


def listing(values: dict, spec: str = "") -> str:
    """"`name` value · …" for a README, each value formatted with `spec` (".1%" for shares)."""
    return " · ".join(f"`{k}` {v:{spec}}" for k, v in values.items())


def write_readme(bundle_dir: Path, text: str, figures: dict) -> None:
    """README.md, and the measured figures on stdout."""
    write_text(bundle_dir / "README.md", text)
    print(json.dumps({k: v for k, v in figures.items() if k != "example_counts"}, default=float, indent=1))


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------

def holdout_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, holdout rows): about a quarter of the rows held out, drawn with `seed`."""
    test = np.random.default_rng(seed).random(n) < 0.25
    return np.flatnonzero(~test), np.flatnonzero(test)


def matrix(f: dict[str, np.ndarray], inputs: list[str]) -> np.ndarray:
    """The model inputs as a float32 matrix, a column an input."""
    return np.column_stack([f[name].astype(np.float64) for name in inputs]).astype(np.float32)


def train_xgboost(X: np.ndarray, y: np.ndarray, names: list[str], params: dict, rounds: int) -> xgb.Booster:
    """binary:logistic booster, single-threaded so every run writes the same model bytes."""
    params = dict(params, objective="binary:logistic", nthread=1)
    return xgb.train(params, xgb.DMatrix(X, label=y, missing=np.nan, feature_names=names), num_boost_round=rounds)


def xgboost_scores(booster: xgb.Booster, X: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, TreeSHAP contributions per input without the bias column), by XGBoost."""
    d = xgb.DMatrix(X, missing=np.nan, feature_names=names)
    return booster.predict(d).astype(np.float64), booster.predict(d, pred_contribs=True)[:, :-1].astype(np.float64)


@dataclass
class LogisticModel:
    """A riskkit logistic model (docs/models.md) fitted with scikit-learn on standardized inputs."""
    names: list[str]
    intercept: float
    coefficients: np.ndarray
    means: np.ndarray

    @staticmethod
    def fit(X: np.ndarray, y: np.ndarray, names: list[str], C: float = 1.0) -> "LogisticModel":
        from sklearn.linear_model import LogisticRegression
        X = X.astype(np.float64)
        means = np.nanmean(X, axis=0)
        X = np.where(np.isnan(X), means, X)
        sd = X.std(axis=0)
        fit = LogisticRegression(C=C, max_iter=2000).fit((X - means) / sd, y)
        coef = fit.coef_[0] / sd
        # float32-exact parameters, so the JSON file holds exactly what the oracle uses
        coef = np.array([float(np.float32(c)) for c in coef])
        means = np.array([float(np.float32(m)) for m in means])
        intercept = float(np.float32(fit.intercept_[0] - np.sum(fit.coef_[0] * means / sd)))
        return LogisticModel(names, intercept, coef, means)

    def to_json(self) -> dict:
        return {"riskkit_model": "logistic", "format": 1, "intercept": self.intercept,
                "features": [{"name": n, "coefficient": float(c), "mean": float(m)}
                             for n, c, m in zip(self.names, self.coefficients, self.means)]}

    def scores(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, contributions coefficient * (x - mean)), missing inputs imputed by the mean."""
        X = X.astype(np.float32).astype(np.float64)
        X = np.where(np.isnan(X), self.means, X)
        margin = self.intercept + X @ self.coefficients
        return 1.0 / (1.0 + np.exp(-margin)), self.coefficients * (X - self.means)


@dataclass
class Scorecard:
    """A riskkit points scorecard (docs/models.md): quantile bins, WOE, scikit-learn logistic
    regression on the WOE values, points scaled to `base_points` at `base_odds`:1 good:bad
    with `pdo` points to double the odds."""
    names: list[str]
    edges: list[list[float]]
    points: list[list[float]]
    missing_points: list[float]
    expected_points: list[float]
    intercept_points: float
    base_points: float = 600
    base_odds: float = 50
    pdo: float = 20

    @staticmethod
    def _bins(x: np.ndarray, edges: list[float]) -> np.ndarray:
        """Bin index per value as the engine compares (float32, a value on an edge goes up); -1 = missing."""
        x32 = x.astype(np.float32)
        idx = np.searchsorted(np.array(edges, dtype=np.float32), x32, side="right")
        return np.where(np.isnan(x32), -1, idx)

    @staticmethod
    def fit(X: np.ndarray, y: np.ndarray, names: list[str], n_bins: int = 5) -> "Scorecard":
        from sklearn.linear_model import LogisticRegression
        edges, bins, woes = [], [], []
        bad_all, good_all = y.sum(), (1 - y).sum()
        for j in range(X.shape[1]):
            x = X[:, j].astype(np.float64)
            qs = np.nanquantile(x, np.linspace(0, 1, n_bins + 1)[1:-1])
            e = sorted({float(np.float32(round(float(v), 3))) for v in qs} - {float(np.float32(np.nanmin(x)))})
            b = Scorecard._bins(x, e)
            woe = {}
            for k in list(range(len(e) + 1)) + [-1]:
                sel = b == k
                woe[k] = math.log(((1 - y[sel]).sum() + 0.5) / good_all) - math.log((y[sel].sum() + 0.5) / bad_all)
            edges.append(e)
            bins.append(b)
            woes.append(woe)
        W = np.column_stack([np.vectorize(w.get)(b) for b, w in zip(bins, woes)])
        fit = LogisticRegression(C=1.0, max_iter=2000).fit(W, y)
        card = Scorecard(names, edges, [], [], [], 0.0)
        factor = card.pdo / math.log(2)
        # log-odds good:bad = -(a + sum beta_j woe_j); points = base + factor * (that - ln base_odds)
        card.intercept_points = round(card.base_points + factor * (-fit.intercept_[0] - math.log(card.base_odds)), 3)
        for j, (b, w) in enumerate(zip(bins, woes)):
            pts = {k: round(-factor * fit.coef_[0][j] * v, 3) for k, v in w.items()}
            card.points.append([pts[k] for k in range(len(edges[j]) + 1)])
            card.missing_points.append(pts[-1])
            card.expected_points.append(round(float(np.mean([pts[k] for k in b])), 3))
        return card

    def to_json(self) -> dict:
        return {"riskkit_model": "scorecard", "format": 1, "intercept_points": self.intercept_points,
                "scaling": {"base_points": self.base_points, "base_odds": self.base_odds, "pdo": self.pdo},
                "characteristics": [{"name": n, "edges": e, "points": p, "missing_points": m, "expected_points": x}
                                    for n, e, p, m, x in zip(self.names, self.edges, self.points,
                                                             self.missing_points, self.expected_points)]}

    @staticmethod
    def from_json(j: dict) -> "Scorecard":
        c = j["characteristics"]
        return Scorecard([x["name"] for x in c], [x["edges"] for x in c], [x["points"] for x in c],
                         [x["missing_points"] for x in c], [x["expected_points"] for x in c], j["intercept_points"],
                         **j["scaling"])

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The probability of bad the points imply (the model's `value` output)."""
        total = np.full(X.shape[0], float(self.intercept_points))
        for j in range(X.shape[1]):
            b = self._bins(X[:, j].astype(np.float64), self.edges[j])
            pts = np.array(self.points[j] + [self.missing_points[j]])
            total += pts[np.where(b < 0, len(self.points[j]), b)]
        odds = self.base_odds * np.power(2.0, (total - self.base_points) / self.pdo)
        return 1.0 / (1.0 + odds)


def auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, p))


# --------------------------------------------------------------------------------------
# The policy oracle (docs/bundle-format.md "policy", docs/stages.md)
# --------------------------------------------------------------------------------------

@dataclass
class Rule:
    id: str
    when: str          # the expression as written into bundle.json
    action: str        # flag / review / decline
    code: str
    text: str
    test: object       # columns -> bool array: the same condition, in numpy

    def to_json(self) -> dict:
        return {"id": self.id, "when": self.when, "action": self.action,
                "reason": {"code": self.code, "text": self.text}}


@dataclass
class Cutoff:
    score: str
    op: str            # "above" or "below"
    threshold: float
    outcome: str
    code: str
    text: str

    def to_json(self) -> dict:
        return {"score": self.score, self.op: self.threshold, "outcome": self.outcome,
                "reason": {"code": self.code, "text": self.text}}

    def matches(self, s: float) -> bool:
        return not math.isnan(s) and (s > self.threshold if self.op == "above" else s < self.threshold)


@dataclass
class Segment:
    name: str
    when: str
    test: object
    cutoffs: list[Cutoff] | None = None

    def to_json(self) -> dict:
        j = {"name": self.name, "when": self.when}
        if self.cutoffs is not None:
            j["cutoffs"] = [c.to_json() for c in self.cutoffs]
        return j


@dataclass
class Table:
    name: str
    inputs: list[str]
    outputs: list[str]
    rows: list[list]

    def to_json(self) -> dict:
        return {"hit": "first", "inputs": self.inputs, "outputs": self.outputs, "rows": self.rows}


_INTERVAL = re.compile(r"([\[(])\s*(\S+)\s*,\s*(\S+)\s*([\])])")


def cell_matches(cond, v) -> bool:
    """One decision-table condition (docs/bundle-format.md) against a value (None / NaN = missing)."""
    if cond == "-":
        return True
    missing = v is None or (isinstance(v, float) and math.isnan(v))
    if missing:
        return False
    if isinstance(cond, list):
        return isinstance(v, str) and v in cond
    if isinstance(v, str):
        return cond == v
    if isinstance(cond, (int, float)):
        return v == cond
    m = _INTERVAL.fullmatch(cond.strip())
    if m:
        lo, hi = float(m.group(2)), float(m.group(3))
        return (v >= lo if m.group(1) == "[" else v > lo) and (v <= hi if m.group(4) == "]" else v < hi)
    for op in ("<=", ">=", "==", "<", ">"):
        if cond.startswith(op):
            x = float(cond[len(op):])
            return {"<=": v <= x, ">=": v >= x, "==": v == x, "<": v < x, ">": v > x}[op]
    return v == float(cond)


def first_row(rows: list[list], values: list) -> list | None:
    """The first decision-table row whose conditions all hold for `values` (hit `first`)."""
    return next((r for r in rows if all(cell_matches(c, v) for c, v in zip(r, values))), None)


def table_output(rows: list[list], values: list):
    """The one output of a single-output table's first matching row (None when none matches)."""
    row = first_row(rows, values)
    return None if row is None else row[-1]


@dataclass
class Policy:
    outcomes: list[tuple[str, str]]          # (name, kind), least severe first
    default: str
    cutoffs: list[Cutoff]
    grade_score: str
    bands: list[tuple[str, float | None]]
    top: int
    segments: list[Segment] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def index(self, name: str) -> int:
        return [n for n, _ in self.outcomes].index(name)

    def first_of_kind(self, kind: str) -> int:
        return [k for _, k in self.outcomes].index(kind)

    def to_json(self, catalogue_sha: str) -> dict:
        j = {"outcomes": [{"name": n, "kind": k} for n, k in self.outcomes],
             "cutoffs": [c.to_json() for c in self.cutoffs],
             "default": self.default,
             "grades": {"score": self.grade_score,
                        "bands": [{"grade": g, "below": b} if b is not None else {"grade": g} for g, b in self.bands]},
             "reasons": {"top": self.top, "catalogue": "reasons.json", "catalogue_sha256": catalogue_sha}}
        if self.segments:
            j["segments"] = [s.to_json() for s in self.segments]
        if self.tables:
            j["tables"] = {t.name: t.to_json() for t in self.tables}
        return j


@dataclass
class ScoredModel:
    """A model's score and contributions for one record, and the catalogue code of each input."""
    score: float
    contributions: np.ndarray
    codes: list[str]


def expected_decision(policy: Policy, rules: list[Rule], hits: list[str], models: dict[str, ScoredModel],
                      segment: str, values: dict) -> dict:
    """The decision docs/bundle-format.md and docs/stages.md prescribe for one record.

    `hits`: ids of the rules that fired; `models`: name -> score and contributions (from
    XGBoost / scikit-learn); `segment`: the first matching segment's name or ""; `values`:
    field and feature values the tables read.
    """
    by_id = {r.id: r for r in rules}
    outcome = policy.index(policy.default)
    rule_outcomes = [policy.first_of_kind(by_id[h].action) for h in hits if by_id[h].action in ("review", "decline")]
    if rule_outcomes:
        outcome = max(outcome, max(rule_outcomes))
    seg = next((s for s in policy.segments if s.name == segment), None)
    cutoffs = seg.cutoffs if seg is not None and seg.cutoffs is not None else policy.cutoffs
    deciding = next((c for c in cutoffs if c.matches(models[c.score].score)), None)
    if deciding is not None:
        outcome = max(outcome, policy.index(deciding.outcome))
    name, kind = policy.outcomes[outcome]

    s = models[policy.grade_score].score
    grade = None if math.isnan(s) else next(g for g, below in policy.bands if below is None or s < below)
    outputs = {}
    for t in policy.tables:
        row = first_row(t.rows, [grade if i == "grade" else models[i].score if i in models else values[i]
                                 for i in t.inputs])
        for k, out in enumerate(t.outputs):
            outputs[f"{t.name}.{out}"] = None if row is None else row[len(t.inputs) + k]

    reasons: list[str] = []
    if outcome > 0:
        reasons += [by_id[h].code for h in hits if by_id[h].action in ("review", "decline")
                    and policy.first_of_kind(by_id[h].action) == outcome][:policy.top]
        from_rules = bool(reasons)
        if deciding is not None and policy.index(deciding.outcome) == outcome:
            if len(reasons) < policy.top:
                reasons.append(deciding.code)
            reasons = model_reasons(models[deciding.score], +1 if deciding.op == "above" else -1,
                                    policy.top, reasons, from_rules)
    return {"action": name, "outcome": kind, "grade": grade, "segment": segment, "outputs": outputs,
            "scores": {k: m.score for k, m in models.items()}, "rule_hits": hits, "reasons": reasons}


def model_reasons(m: ScoredModel, sign: int, top: int, listed: list[str], specific: bool) -> list[str]:
    """`listed` followed by the adverse factors, largest push first (ties in input order),
    codes not repeated; when nothing specific (a rule's or a factor's reason) is listed by
    then, the most adverse factor anyway (docs/bundle-format.md "Reasons")."""
    order = sorted(range(len(m.codes)), key=lambda i: -sign * m.contributions[i])
    out = list(listed)
    for i in order:
        if len(out) >= top or not sign * m.contributions[i] > 0:
            break
        if m.codes[i] not in out:
            out.append(m.codes[i])
            specific = True
    if specific:
        return out
    return (out[:-1] if len(out) >= top else out) + [m.codes[order[0]]]


def decide_all(policy: Policy, rules: list[Rule], cols: dict[str, np.ndarray],
               scored: dict[str, tuple[np.ndarray, np.ndarray, list[str]]],
               shadow: dict[str, np.ndarray] | None = None) -> list[dict]:
    """`expected_decision` for every row of `cols` (fields and features as columns);
    `scored`: model name -> (scores, contributions, catalogue code per input); `shadow`:
    shadow model name -> scores (reported, never deciding)."""
    n = len(next(iter(cols.values())))
    hit = {r.id: np.asarray(r.test(cols), dtype=bool) for r in rules}
    seg = [np.asarray(s.test(cols), dtype=bool) for s in policy.segments]
    out = []
    for i in range(n):
        segment = next((s.name for s, t in zip(policy.segments, seg) if t[i]), "")
        models = {k: ScoredModel(float(s[i]), c[i], codes) for k, (s, c, codes) in scored.items()}
        values = {k: (v[i] if v.dtype == object else float(v[i])) for k, v in cols.items()}
        d = expected_decision(policy, rules, [r.id for r in rules if hit[r.id][i]], models, segment, values)
        if shadow:
            d["shadow_scores"] = {k: float(v[i]) for k, v in shadow.items()}
        out.append(d)
    return out


def outcome_shares(policy: Policy, decisions: list[dict]) -> tuple[dict[str, float], float]:
    """(share of each outcome, automated share = share of outcomes not of kind review)."""
    n = len(decisions)
    shares = {name: sum(d["action"] == name for d in decisions) / n for name, _ in policy.outcomes}
    return shares, sum(d["outcome"] != "review" for d in decisions) / n


def quantile(x: np.ndarray, q: float) -> float:
    """A threshold rounded to 4 decimals, so bundle.json stays readable."""
    return round(float(np.quantile(x, q)), 4)


def check_reasons(policy: Policy, decisions: list[dict]) -> None:
    """Every outcome but the least severe has reasons; every decline a specific one (a
    rule's or a model factor's, i.e. not only the cutoff's own code)."""
    cutoff_codes = {c.code for c in policy.cutoffs}
    for s in policy.segments:
        cutoff_codes |= {c.code for c in s.cutoffs or []}
    least = policy.outcomes[0][0]
    for d in decisions:
        assert d["action"] == least or d["reasons"], d
        assert d["outcome"] != "decline" or set(d["reasons"]) - cutoff_codes, d
