#!/usr/bin/env python3
"""Build the `application` example bundle (examples/bundles/application/).

Deterministic: fixed seeds, single-threaded XGBoost, stable JSON output, so every run
writes the same bytes. Run from the repository root:

    .venv/bin/python scripts/make_example_bundle.py

Steps:
  1. generate synthetic consumer cash-loan applications (latent credit quality drives
     default through monotone relations with interactions and noise, plus a small
     fraud segment);
  2. conform them to the bundle schema and compute the bundle's features with a small
     vectorised interpreter of the expression subset the bundle uses (the very same
     expression strings that go into bundle.json, so Python and the engine cannot
     drift apart silently);
  3. train an XGBoost binary:logistic credit model on the model's inputs, in order;
  4. write bundle.json, reasons.json, models/credit.json;
  5. write example applications (JSONL + CSV) and a missing-required test record;
  6. write the bundle README with the figures measured here.

The module can be imported (tests do): nothing runs at import time. The public helpers
are `SCHEMA`, `FEATURES`, `RULES`, `MODEL_INPUTS`, `conform_records`,
`conform_columns`, `compute_features`, `feature_matrix`, `evaluate_rules`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = ROOT / "examples" / "bundles" / "application"
MISSING_REQUIRED_PATH = ROOT / "tests" / "data" / "records" / "missing_required.jsonl"

SEED = 20261101
N_ROWS = 60_000

# --------------------------------------------------------------------------------------
# Schema (field name -> spec, in order). Keys are exactly those of docs/bundle-format.md.
# --------------------------------------------------------------------------------------

SCHEMA: dict[str, dict] = {
    "application_id": {"type": "string", "required": True, "role": "event_id",
                       "description": "Unique id of the application"},
    "applied_at": {"type": "timestamp", "required": True, "role": "event_time",
                   "description": "When the application was submitted (ISO-8601, UTC)"},
    "customer_id": {"type": "string", "role": "entity", "pii": "customer_id"},
    "device_id": {"type": "string", "role": "entity", "pii": "device"},
    "phone": {"type": "string", "role": "entity", "pii": "phone"},
    "email": {"type": "string", "role": "entity", "pii": "email"},
    "channel": {"type": "string", "required": True, "description": "app, web, h5 or agent"},
    "product": {"type": "string", "description": "standard, express or top_up"},
    "requested_amount": {"type": "number", "required": True, "description": "Loan amount requested"},
    "term_months": {"type": "number", "required": True, "description": "Loan term in months"},
    "monthly_income": {"type": "number", "missing": [-999],
                       "description": "Declared net monthly income; -999 = not declared"},
    "monthly_debt": {"type": "number", "description": "Monthly payments on existing debt"},
    "dependents": {"type": "number"},
    "employment_type": {"type": "string",
                        "description": "salaried, self_employed, contract, informal, retired or unemployed"},
    "employment_months": {"type": "number", "description": "Months with the current employer / activity"},
    "age": {"type": "number", "required": True, "description": "Applicant age in years"},
    "residence_months": {"type": "number", "description": "Months at the current address"},
    "housing": {"type": "string", "description": "own, rent or family"},
    "education": {"type": "string", "description": "secondary, vocational, bachelor or postgraduate"},
    "bank_account_months": {"type": "number", "description": "Age of the salary bank account"},
    "bureau_score": {"type": "number", "description": "Credit bureau score 300-850; missing = no bureau file"},
    "bureau_inquiries_6m": {"type": "number", "description": "Hard credit inquiries in the last 6 months"},
    "delinquencies_24m": {"type": "number", "description": "Payments 30+ days late in the last 24 months"},
    "open_credit_lines": {"type": "number"},
    "utilization": {"type": "number", "description": "Revolving balance / limit; missing without revolving lines"},
    "existing_loans": {"type": "number", "description": "Open instalment loans"},
    "previous_defaults": {"type": "number", "description": "Loans ever written off or 90+ days late"},
    "email_domain_age_days": {"type": "number"},
    "phone_tenure_months": {"type": "number", "description": "Months the phone number has been with its carrier"},
    "device_age_days": {"type": "number", "description": "Days since the device was first seen"},
    "ip_country_mismatch": {"type": "bool", "description": "IP geolocation differs from the country of residence"},
    "id_verified": {"type": "bool", "description": "Identity document check passed"},
    "apps_same_device_7d": {"type": "number",
                            "description": "Other applications from this device in the last 7 days (upstream)"},
    "apps_same_phone_30d": {"type": "number",
                            "description": "Other applications with this phone in the last 30 days (upstream)"},
    "hour_of_day": {"type": "number", "description": "Hour of the application in the lender's time zone, 0-23"},
}

# --------------------------------------------------------------------------------------
# Features: (name, kind, source, description); kind is "expr" or "field".
# --------------------------------------------------------------------------------------

# Monthly instalment approximated without pow(): average outstanding balance is about
# amount * (n + 1) / (2n); at 2 % a month the interest part is 0.01 * amount * (n + 1) / n.
FEATURES: list[tuple[str, str, str, str]] = [
    ("dti", "expr", "monthly_debt / monthly_income", "Existing debt payments / income"),
    ("instalment", "expr", "requested_amount * (1 + 0.01 * (term_months + 1)) / term_months",
     "Approximate monthly instalment of the new loan (about 24% APR)"),
    ("payment_to_income", "expr", "instalment / monthly_income", "New instalment / income"),
    ("total_dti", "expr", "dti + payment_to_income", "All debt payments incl. the new loan / income"),
    ("loan_to_income", "expr", "requested_amount / monthly_income", "Requested amount / monthly income"),
    ("log_income", "expr", "log(monthly_income)", "Natural log of monthly income"),
    ("income_per_person", "expr", "monthly_income / (dependents + 1)", "Income per household member"),
    ("thin_file", "expr", "is_missing(bureau_score)", "1 when the bureau has no file"),
    ("utilization_capped", "expr", "min(utilization, 1.5)", "Revolving utilisation capped at 150%"),
    ("inquiries_per_line", "expr", "bureau_inquiries_6m / max(open_credit_lines, 1)",
     "Recent inquiries relative to the depth of the credit file"),
    ("self_employed", "expr", "employment_type in [\"self_employed\", \"informal\"]",
     "1 for self-employed or informal income"),
    ("renting", "expr", "housing == \"rent\"", "1 when the applicant rents"),
    ("home_owner", "expr", "housing == \"own\"", "1 when the applicant owns the home"),
    ("higher_education", "expr", "education in [\"bachelor\", \"postgraduate\"]", "1 with a degree"),
    ("online_channel", "expr", "channel in [\"web\", \"h5\"]", "1 for browser applications"),
    ("night_application", "expr", "hour_of_day < 6 or hour_of_day >= 23", "1 between 23:00 and 06:00"),
    ("ip_mismatch", "field", "ip_country_mismatch", "IP country mismatch as 1/0"),
    ("id_verified_flag", "field", "id_verified", "Identity verified as 1/0"),
    ("max_velocity", "expr", "max(apps_same_device_7d, apps_same_phone_30d)",
     "Largest upstream application count for this device or phone"),
    ("maturity_age", "expr", "age + term_months / 12", "Applicant age at the end of the loan"),
]

# The credit model's inputs, in column order (fields or features).
MODEL_INPUTS: list[str] = [
    "dti", "payment_to_income", "total_dti", "loan_to_income", "log_income", "income_per_person",
    "bureau_score", "thin_file", "bureau_inquiries_6m", "inquiries_per_line", "delinquencies_24m",
    "utilization_capped", "open_credit_lines", "existing_loans",
    "employment_months", "self_employed", "age", "residence_months", "renting", "home_owner",
    "higher_education", "bank_account_months", "online_channel", "requested_amount", "term_months",
    "email_domain_age_days", "phone_tenure_months", "device_age_days", "ip_mismatch",
    "id_verified_flag", "max_velocity", "night_application",
]

# Adverse-action reasons for every model input (used when the feature pushed risk up).
REASONS: dict[str, tuple[str, str]] = {
    "dti": ("R01", "Debt obligations are high relative to income"),
    "payment_to_income": ("R02", "The monthly payment on this loan is high relative to income"),
    "total_dti": ("R03", "Total monthly debt payments including this loan are too high relative to income"),
    "loan_to_income": ("R04", "The amount requested is high relative to income"),
    "log_income": ("R05", "Income is insufficient for the amount of credit requested"),
    "income_per_person": ("R06", "Income is low relative to the number of dependents"),
    "bureau_score": ("R07", "Credit bureau score is too low"),
    "thin_file": ("R08", "Insufficient credit history at the credit bureau"),
    "bureau_inquiries_6m": ("R09", "Too many recent credit inquiries"),
    "inquiries_per_line": ("R10", "Number of recent inquiries is high for the length of credit history"),
    "delinquencies_24m": ("R11", "Delinquent payments on credit obligations in the last 24 months"),
    "utilization_capped": ("R12", "Balances on revolving accounts are high relative to credit limits"),
    "open_credit_lines": ("R13", "Number of open credit accounts"),
    "existing_loans": ("R14", "Too many open instalment loans"),
    "employment_months": ("R15", "Length of employment is insufficient"),
    "self_employed": ("R16", "Income from self-employment could not be assessed as stable"),
    "age": ("R17", "Limited length of adult borrowing experience"),
    "residence_months": ("R18", "Length of time at current address is insufficient"),
    "renting": ("R19", "Housing status (renting)"),
    "home_owner": ("R20", "No home ownership on record"),
    "higher_education": ("R21", "Education level"),
    "bank_account_months": ("R22", "Length of relationship with the salary bank is insufficient"),
    "online_channel": ("R23", "Application channel"),
    "requested_amount": ("R24", "The amount of credit requested is too high"),
    "term_months": ("R25", "The loan term requested"),
    "email_domain_age_days": ("R26", "The email address could not be established as long-standing"),
    "phone_tenure_months": ("R27", "The phone number has been in use for a short time"),
    "device_age_days": ("R28", "The device used to apply was recently first seen"),
    "ip_mismatch": ("R29", "Application location does not match the country of residence"),
    "id_verified_flag": ("R30", "Identity could not be fully verified"),
    "max_velocity": ("R31", "Several recent applications with the same device or phone number"),
    "night_application": ("R32", "Time of application"),
}

# Rules: (id, when, action, code, text, description). Fraud rules first, then policy.
RULES: list[tuple[str, str, str, str, str, str]] = [
    ("F001", "id_verified == false or is_missing(id_verified)", "review", "F01",
     "We could not verify your identity document",
     "Identity check failed or was not performed"),
    ("F002", "apps_same_device_7d >= 3", "review", "F02",
     "Several applications were made from the same device in the last 7 days",
     "Device velocity; counts supplied upstream"),
    ("F003", "apps_same_device_7d >= 6", "decline", "F03",
     "Application pattern is consistent with fraudulent activity",
     "Extreme device velocity: typical of application farms"),
    ("F004", "apps_same_phone_30d >= 4", "review", "F04",
     "Several applications were made with the same phone number in the last 30 days",
     "Phone velocity; counts supplied upstream"),
    ("F005", "ip_country_mismatch == true and (hour_of_day < 6 or hour_of_day >= 23)", "flag", "F05",
     "Application made at night from an IP address outside the country of residence",
     "Recorded for the fraud team; does not change the outcome"),
    ("F006", "email_domain_age_days < 30 and phone_tenure_months < 1 and device_age_days < 2", "review", "F06",
     "The email address, phone number and device are all newly created",
     "Synthetic-identity pattern"),
    ("F007", "device_age_days < 1 and requested_amount >= 20000 and channel in [\"web\", \"h5\"]", "flag", "F07",
     "Large online application from a device never seen before",
     "Recorded for the fraud team"),
    ("P001", "age < 18", "decline", "P01",
     "Applicant is below the minimum age of 18", "Legal minimum age"),
    ("P002", "maturity_age > 70", "decline", "P02",
     "Applicant would be older than 70 at the end of the loan term", "Maximum age at maturity"),
    ("P003", "previous_defaults > 0", "decline", "P03",
     "A previous loan default is on record", "Any write-off or 90+ DPD ever"),
    ("P004", "delinquencies_24m >= 3", "decline", "P04",
     "Three or more late payments in the last 24 months", "Serious recent delinquency"),
    ("P005", "bureau_score < 480", "decline", "P05",
     "Credit bureau score is below our minimum", "Bureau score floor (thin files are handled by P008)"),
    ("P006", "total_dti > 0.7", "decline", "P06",
     "Debt payments including this loan would exceed 70% of income", "Affordability limit"),
    ("P007", "employment_type == \"unemployed\"", "decline", "P07",
     "No current income from employment", "Cash loans require a regular income"),
    ("P008", "thin_file == 1 and requested_amount > 15000", "review", "P08",
     "No credit history at the bureau for the amount requested", "Thin file with a large amount"),
    ("P009", "is_missing(monthly_income)", "review", "P09",
     "Income was not declared or could not be read", "Income needed for affordability"),
    ("P010", "loan_to_income > 8", "review", "P10",
     "Requested amount is high relative to income", "More than 8 months of income"),
    ("P011", "bureau_inquiries_6m >= 8", "review", "P11",
     "Many recent credit inquiries", "Credit hunger"),
    ("P012", "employment_months < 3 and employment_type == \"salaried\"", "flag", "P12",
     "Employment shorter than 3 months", "Recorded; probation period"),
]

CUTOFF_DECLINE_RATE = 0.125   # target share declined by the credit score alone
CUTOFF_REVIEW_RATE = 0.10     # further share referred by the credit score alone
CUTOFF_DECLINE_REASON = {"code": "P90", "text": "Overall credit risk is too high for the loan requested"}
CUTOFF_REVIEW_REASON = {"code": "P91", "text": "The application needs a manual credit review"}

XGB_PARAMS = {
    "objective": "binary:logistic", "eval_metric": "auc", "max_depth": 5, "eta": 0.05,
    "subsample": 0.8, "colsample_bytree": 0.8, "min_child_weight": 20, "lambda": 1.0,
    "tree_method": "hist", "seed": 7, "nthread": 1,
}
XGB_ROUNDS = 300

# --------------------------------------------------------------------------------------
# A small vectorised interpreter for the expression language (the subset used here).
# Values are columns: numbers / bools / timestamps as float64 (NaN = missing; bools 1/0),
# strings as object arrays (None = missing). Semantics as documented for the engine:
# arithmetic on missing is missing, x / 0 is missing, log(x <= 0) is missing, min/max
# propagate missing, every comparison with a missing operand is false, `in` with a
# missing operand is false, and/or/not treat a missing bool as false.
# --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|%|\(|\)|\[|\]|,)
)""", re.VERBOSE)

_KEYWORDS = {"and", "or", "not", "in", "true", "false"}


def _tokenize(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        m = _TOKEN.match(src, pos)
        if not m:
            raise SyntaxError(f"cannot tokenize at {pos}: {src!r}")
        pos = m.end()
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "name" and text in _KEYWORDS:
            kind = "kw"
        out.append((kind, text))
    out.append(("end", ""))
    return out


class _Parser:
    """Recursive descent: or < and < not < comparison/in < +,- < *,/,% < unary - < primary."""

    def __init__(self, src: str):
        self.toks = _tokenize(src)
        self.i = 0
        self.src = src

    def peek(self):
        return self.toks[self.i]

    def take(self, text=None):
        tok = self.toks[self.i]
        if text is not None and tok[1] != text:
            raise SyntaxError(f"expected {text!r}, got {tok[1]!r} in {self.src!r}")
        self.i += 1
        return tok

    def parse(self):
        node = self.or_()
        if self.peek()[0] != "end":
            raise SyntaxError(f"trailing input {self.peek()[1]!r} in {self.src!r}")
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == ("kw", "or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek() == ("kw", "and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.peek() == ("kw", "not"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        node = self.add()
        tok = self.peek()
        if tok[0] == "op" and tok[1] in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            return ("cmp", tok[1], node, self.add())
        if tok == ("kw", "in"):
            self.take()
            self.take("[")
            items = [self.literal()]
            while self.peek()[1] == ",":
                self.take()
                items.append(self.literal())
            self.take("]")
            return ("in", node, items)
        return node

    def literal(self):
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return json.loads(text)
        if kind == "kw" and text in ("true", "false"):
            return text == "true"
        raise SyntaxError(f"expected a literal, got {text!r}")

    def add(self):
        node = self.mul()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = ("arith", op, node, self.mul())
        return node

    def mul(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "%"):
            op = self.take()[1]
            node = ("arith", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return ("const", "number", float(text))
        if kind == "str":
            return ("const", "string", json.loads(text))
        if kind == "kw" and text in ("true", "false"):
            return ("const", "bool", 1.0 if text == "true" else 0.0)
        if kind == "op" and text == "(":
            node = self.or_()
            self.take(")")
            return node
        if kind == "name":
            if self.peek()[1] == "(":
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.or_())
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.or_())
                self.take(")")
                return ("call", text, args)
            return ("name", text)
        raise SyntaxError(f"unexpected {text!r} in {self.src!r}")


def _missing(typ: str, col: np.ndarray) -> np.ndarray:
    if typ == "string":
        return np.array([v is None for v in col], dtype=bool)
    return np.isnan(col)


def _truth(typ: str, col: np.ndarray) -> np.ndarray:
    if typ != "bool":
        raise TypeError("expected a bool")
    return col == 1.0  # NaN (missing bool) -> False


def _eval(node, env: dict[str, tuple[str, np.ndarray]], n: int) -> tuple[str, np.ndarray]:
    tag = node[0]
    if tag == "const":
        _, typ, value = node
        if typ == "string":
            return typ, np.array([value] * n, dtype=object)
        return typ, np.full(n, value, dtype=np.float64)
    if tag == "name":
        if node[1] not in env:
            raise NameError(f"unknown name {node[1]!r}")
        return env[node[1]]
    if tag == "neg":
        typ, col = _eval(node[1], env, n)
        assert typ == "number"
        return "number", -col
    if tag == "arith":
        _, op, a, b = node
        ta, ca = _eval(a, env, n)
        tb, cb = _eval(b, env, n)
        assert ta == "number" and tb == "number", (ta, tb)
        with np.errstate(all="ignore"):
            if op == "+":
                r = ca + cb
            elif op == "-":
                r = ca - cb
            elif op == "*":
                r = ca * cb
            elif op == "/":
                r = np.where(cb == 0, np.nan, ca / np.where(cb == 0, 1.0, cb))
            else:
                r = np.where(cb == 0, np.nan, np.fmod(ca, np.where(cb == 0, 1.0, cb)))
        return "number", r
    if tag == "cmp":
        _, op, a, b = node
        ta, ca = _eval(a, env, n)
        tb, cb = _eval(b, env, n)
        ok = ~_missing(ta, ca) & ~_missing(tb, cb)
        if ta == "string" or tb == "string":
            assert ta == tb == "string" and op in ("==", "!=")
            eq = np.array([x == y for x, y in zip(ca, cb)], dtype=bool)
            r = eq if op == "==" else ~eq
        else:
            with np.errstate(invalid="ignore"):
                r = {"<": ca < cb, "<=": ca <= cb, ">": ca > cb, ">=": ca >= cb,
                     "==": ca == cb, "!=": ca != cb}[op]
        return "bool", (r & ok).astype(np.float64)
    if tag == "in":
        _, a, items = node
        ta, ca = _eval(a, env, n)
        if ta == "string":
            s = set(items)
            r = np.array([v is not None and v in s for v in ca], dtype=bool)
        else:
            r = np.isin(ca, np.array(items, dtype=np.float64)) & ~np.isnan(ca)
        return "bool", r.astype(np.float64)
    if tag in ("and", "or"):
        ta, ca = _eval(node[1], env, n)
        tb, cb = _eval(node[2], env, n)
        a, b = _truth(ta, ca), _truth(tb, cb)
        return "bool", ((a & b) if tag == "and" else (a | b)).astype(np.float64)
    if tag == "not":
        ta, ca = _eval(node[1], env, n)
        return "bool", (~_truth(ta, ca)).astype(np.float64)
    if tag == "call":
        _, fn, args = node
        vals = [_eval(a, env, n) for a in args]
        if fn == "is_missing":
            (t, c), = vals
            return "bool", _missing(t, c).astype(np.float64)
        cols = []
        for t, c in vals:
            assert t == "number", (fn, t)
            cols.append(c)
        with np.errstate(all="ignore"):
            if fn == "min":
                return "number", np.minimum.reduce(cols)   # NaN propagates
            if fn == "max":
                return "number", np.maximum.reduce(cols)
            if fn == "abs":
                return "number", np.abs(cols[0])
            if fn == "log":
                x = cols[0]
                return "number", np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        raise NameError(f"unknown function {fn!r}")
    raise AssertionError(tag)


def evaluate(expr: str, env: dict[str, tuple[str, np.ndarray]], n: int) -> tuple[str, np.ndarray]:
    """Evaluates one expression over typed columns."""
    return _eval(_Parser(expr).parse(), env, n)


# --------------------------------------------------------------------------------------
# Conforming records to the schema (mirrors docs/bundle-format.md's table).
# --------------------------------------------------------------------------------------

def _parse_timestamp(text: str) -> float:
    t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.timestamp()


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _conform_value(name: str, spec: dict, raw):
    """Returns (value, issue or None). Numbers/bools/timestamps -> float (NaN missing)."""
    typ = spec["type"]
    missing = np.nan if typ != "string" else None
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return missing, None
    if typ == "string":
        if isinstance(raw, str):
            return raw, None
        return None, f"expected string, got {type(raw).__name__}"
    if typ == "number":
        if isinstance(raw, bool):
            return np.nan, "expected number, got bool"
        if isinstance(raw, (int, float)):
            v = float(raw)
        elif isinstance(raw, str):
            if not _NUMBER_TEXT.fullmatch(raw):
                return np.nan, f"expected number, got string {json.dumps(raw)}"
            v = float(raw)
        else:
            return np.nan, f"expected number, got {type(raw).__name__}"
        if math.isnan(v) or v in spec.get("missing", []):
            return np.nan, None
        return v, None
    if typ == "bool":
        if isinstance(raw, bool):
            return float(raw), None
        if isinstance(raw, str) and raw in ("true", "false"):
            return float(raw == "true"), None
        return np.nan, f"expected bool, got {json.dumps(raw)}"
    if typ == "timestamp":
        if isinstance(raw, bool):
            return np.nan, "expected timestamp, got bool"
        if isinstance(raw, (int, float)):
            return float(raw), None
        if isinstance(raw, str):
            try:
                return _parse_timestamp(raw), None
            except ValueError:
                return np.nan, f"expected timestamp, got string {json.dumps(raw)}"
        return np.nan, f"expected timestamp, got {type(raw).__name__}"
    raise AssertionError(typ)


def conform_records(records: list[dict]) -> tuple[dict[str, tuple[str, np.ndarray]], list[list[dict]]]:
    """Conforms JSON-like records; returns (typed columns, issues per record)."""
    n = len(records)
    env: dict[str, tuple[str, np.ndarray]] = {}
    issues: list[list[dict]] = [[] for _ in range(n)]
    for name, spec in SCHEMA.items():
        typ = spec["type"]
        col = np.empty(n, dtype=object) if typ == "string" else np.empty(n, dtype=np.float64)
        for i, rec in enumerate(records):
            v, problem = _conform_value(name, spec, rec.get(name))
            col[i] = v
            if problem:
                issues[i].append({"field": name, "message": problem})
        env[name] = ("string" if typ == "string" else ("bool" if typ == "bool" else
                     ("timestamp" if typ == "timestamp" else "number")), col)
    for i, rec in enumerate(records):
        for key in rec:
            if key not in SCHEMA:
                issues[i].append({"field": key, "message": "not in the schema; ignored"})
    return env, issues


def conform_columns(columns: dict[str, np.ndarray]) -> dict[str, tuple[str, np.ndarray]]:
    """Conforms generator columns (already typed): number sentinels -> NaN."""
    env = {}
    for name, spec in SCHEMA.items():
        typ = spec["type"]
        col = columns[name]
        if typ == "number":
            col = col.astype(np.float64).copy()
            for s in spec.get("missing", []):
                col[col == s] = np.nan
            env[name] = ("number", col)
        elif typ == "bool":
            env[name] = ("bool", col.astype(np.float64))
        elif typ == "timestamp":
            env[name] = ("timestamp", np.array([_parse_timestamp(t) for t in col], dtype=np.float64))
        else:
            env[name] = ("string", col.astype(object))
    return env


def compute_features(env: dict[str, tuple[str, np.ndarray]]) -> dict[str, tuple[str, np.ndarray]]:
    """Adds every feature (as a number column) to a copy of the conformed columns."""
    env = dict(env)
    n = len(next(iter(env.values()))[1])
    for name, kind, source, _ in FEATURES:
        if kind == "field":
            typ, col = env[source]
            assert typ in ("number", "bool", "timestamp")
            env[name] = ("number", col.astype(np.float64))
        else:
            typ, col = evaluate(source, env, n)
            assert typ in ("number", "bool"), (name, typ)
            env[name] = ("number", col.astype(np.float64))
    return env


def feature_matrix(env: dict[str, tuple[str, np.ndarray]], inputs: list[str] = MODEL_INPUTS) -> np.ndarray:
    """The model's input matrix (float32 as the model sees it; NaN = missing)."""
    cols = []
    for name in inputs:
        typ, col = env[name]
        assert typ in ("number", "bool"), name
        cols.append(col.astype(np.float64))
    return np.column_stack(cols).astype(np.float32)


def evaluate_rules(env: dict[str, tuple[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Rule id -> boolean hit column."""
    n = len(next(iter(env.values()))[1])
    return {rid: _truth(*evaluate(when, env, n)) for rid, when, *_ in RULES}


# --------------------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------------------

def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def generate(n: int = N_ROWS, seed: int = SEED) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Returns (raw columns as the upstream system would send them, bad, is_fraud)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n)                        # latent credit quality (higher = better)
    fraud = rng.random(n) < 0.015

    age = np.clip(np.round(20 + rng.gamma(3.0, 5.5, n) + 1.5 * q), 18, 74)
    under = rng.random(n) < 0.002                     # a few under-age attempts
    age[under] = rng.integers(16, 18, under.sum())
    age[fraud] = np.clip(np.round(rng.normal(30, 7, fraud.sum())), 18, 60)

    edu_score = 0.6 * q + 0.5 * rng.standard_normal(n)
    education = np.select([edu_score < -0.5, edu_score < 0.3, edu_score < 1.1],
                          ["secondary", "vocational", "bachelor"], "postgraduate").astype(object)
    edu_level = np.select([education == "secondary", education == "vocational", education == "bachelor"],
                          [0.0, 0.3, 0.7], 1.0)

    u = rng.random(n) - 0.01 * np.clip(q, -2, 2)
    employment_type = np.select([u < 0.60, u < 0.74, u < 0.86, u < 0.96, u < 0.995],
                                ["salaried", "self_employed", "contract", "informal", "retired"],
                                "unemployed").astype(object)
    retired_ok = age >= 58
    employment_type[(employment_type == "retired") & ~retired_ok] = "salaried"
    employment_type[(age >= 66) & (rng.random(n) < 0.7)] = "retired"
    max_emp = np.maximum((age - 17) * 12, 1)
    employment_months = np.minimum(np.round(rng.exponential(10 + 2.2 * np.maximum(age - 18, 0) + 6 * np.clip(q, -1, 2), n)
                                            .clip(0)), max_emp)
    employment_months[employment_type == "unemployed"] = 0

    emp_adj = np.select([employment_type == "salaried", employment_type == "self_employed",
                         employment_type == "contract", employment_type == "informal",
                         employment_type == "retired"], [0.0, 0.1, -0.1, -0.35, -0.3], -0.9)
    log_inc = (np.log(2800) + 0.22 * q + 0.45 * edu_level + 0.012 * np.minimum(age - 18, 25) + emp_adj
               + 0.40 * rng.standard_normal(n))
    true_income = np.round(np.exp(log_inc) / 10) * 10
    income_undeclared = rng.random(n) < np.where(employment_type == "informal", 0.10, 0.02)
    monthly_income = np.where(income_undeclared, -999.0, true_income)

    has_debt = rng.random(n) < 0.78
    dti0 = np.clip(rng.beta(2.0, 8.0, n) + 0.06 * np.clip(-q, -2, 3), 0.0, 1.1)
    monthly_debt = np.where(has_debt, np.round(true_income * dti0 / 10) * 10, 0.0)

    lti = np.exp(rng.normal(0.6, 0.55, n) - 0.1 * np.clip(q, -2, 2))
    requested_amount = np.clip(np.round(true_income * lti / 100) * 100, 500, 50000)
    big = requested_amount >= 8000
    term_choices = np.array([3, 6, 9, 12, 18, 24, 36], dtype=float)
    term_idx = np.clip(np.round(2 + 1.6 * np.log(requested_amount / 2000) + rng.normal(0, 0.8, n)), 0, 6)
    term_months = term_choices[term_idx.astype(int)]
    term_months[big & (term_months < 12)] = 12

    dependents = np.minimum(rng.poisson(np.where(age > 28, 1.2, 0.3)), 6).astype(float)

    thin = rng.random(n) < (0.05 + 0.18 * (age < 25) + 0.04 * (employment_type == "informal"))
    thin[fraud] = rng.random(fraud.sum()) < 0.5
    bureau_score = np.clip(np.round(655 + 55 * q + rng.normal(0, 50, n)), 300, 850)
    bureau_inquiries_6m = rng.poisson(np.exp(0.15 - 0.45 * q + 0.3 * rng.standard_normal(n))).astype(float)
    delinquencies_24m = rng.poisson(np.exp(-2.0 - 0.95 * q)).astype(float)
    open_credit_lines = np.minimum(rng.poisson(1.0 + 0.12 * np.maximum(age - 18, 0) + 0.3 * np.clip(q, 0, 2)), 25).astype(float)
    utilization = np.clip(rng.beta(2.0, 3.0, n) + 0.16 * np.clip(-q, -2, 3) + rng.normal(0, 0.05, n), 0, 1.9)
    existing_loans = np.minimum(rng.poisson(np.exp(-0.4 - 0.25 * q)), 9).astype(float)
    previous_defaults = (rng.random(n) < _sigmoid(-4.4 - 1.1 * q)).astype(float)
    previous_defaults[previous_defaults > 0] += (rng.random(int(previous_defaults.sum())) < 0.2)
    bureau_score[thin] = np.nan
    open_credit_lines[thin] = 0
    bureau_inquiries_6m[thin] = np.minimum(bureau_inquiries_6m[thin], 2)
    delinquencies_24m[thin] = 0
    existing_loans[thin] = 0
    previous_defaults[thin] = 0
    utilization[open_credit_lines == 0] = np.nan
    utilization = np.round(utilization, 3)

    housing_u = rng.random(n) + 0.012 * (age - 35) + 0.15 * q
    housing = np.select([housing_u > 0.85, housing_u > 0.35], ["own", "rent"], "family").astype(object)
    residence_months = np.minimum(np.round(rng.exponential(20 + 1.8 * np.maximum(age - 18, 0), n)), (age - 15) * 12)
    bank_account_months = np.minimum(np.round(rng.exponential(30 + 2.0 * np.maximum(age - 18, 0), n)), (age - 16) * 12)

    email_domain_age_days = np.round(rng.choice([9500, 8200, 7300, 6100], n) + rng.normal(0, 30, n))
    small_domain = rng.random(n) < 0.08
    email_domain_age_days[small_domain] = np.round(rng.exponential(900, small_domain.sum()))
    phone_tenure_months = np.round(rng.exponential(40 + 1.2 * np.maximum(age - 18, 0), n))
    device_age_days = np.round(rng.exponential(420, n))
    ip_country_mismatch = rng.random(n) < 0.015
    id_verified = rng.random(n) < 0.985
    apps_same_device_7d = rng.poisson(0.12, n).astype(float)
    apps_same_phone_30d = rng.poisson(0.18, n).astype(float)
    hour_w = np.array([1, .6, .4, .3, .3, .5, 1.5, 3, 5, 6, 6.5, 6.5, 6, 6, 6, 6, 6, 6.5, 7, 7, 6, 5, 3.5, 2])
    hour_of_day = rng.choice(24, n, p=hour_w / hour_w.sum()).astype(float)
    channel = rng.choice(np.array(["app", "web", "h5", "agent"], dtype=object), n, p=[0.5, 0.25, 0.15, 0.10])
    product = rng.choice(np.array(["standard", "express", "top_up"], dtype=object), n, p=[0.62, 0.28, 0.10])
    product[(product == "top_up") & (existing_loans == 0)] = "standard"

    # The fraud segment: velocity, fresh identities, failed ID checks, foreign IP, nights.
    nf = int(fraud.sum())
    email_domain_age_days[fraud] = np.where(rng.random(nf) < 0.7, rng.integers(1, 60, nf), email_domain_age_days[fraud])
    phone_tenure_months[fraud] = np.where(rng.random(nf) < 0.7, rng.integers(0, 2, nf), phone_tenure_months[fraud])
    device_age_days[fraud] = np.where(rng.random(nf) < 0.75, rng.integers(0, 3, nf), device_age_days[fraud])
    ip_country_mismatch[fraud] = rng.random(nf) < 0.55
    id_verified[fraud] = rng.random(nf) < 0.45
    apps_same_device_7d[fraud] = rng.poisson(3.0, nf) + (rng.random(nf) < 0.6) * 1
    apps_same_phone_30d[fraud] = rng.poisson(2.5, nf)
    hour_of_day[fraud] = np.where(rng.random(nf) < 0.55, rng.choice([0, 1, 2, 3, 4, 5, 23], nf), hour_of_day[fraud])
    channel[fraud] = rng.choice(np.array(["app", "web", "h5"], dtype=object), nf, p=[0.2, 0.45, 0.35])
    requested_amount[fraud] = np.clip(np.round(requested_amount[fraud] * rng.uniform(1.3, 2.5, nf) / 100) * 100, 500, 50000)
    monthly_income[fraud & (monthly_income > 0)] = np.round(monthly_income[fraud & (monthly_income > 0)] * 1.4 / 10) * 10

    # Credit default: monotone effects, interactions and noise on the latent quality.
    inc = true_income
    pay = requested_amount * (1 + 0.01 * (term_months + 1)) / term_months
    tdti = (monthly_debt + pay) / inc
    bs = np.where(thin, 640.0, bureau_score)
    lp = (-0.45 * q
          + 1.6 * np.clip(tdti - 0.35, -0.3, 1.0)
          + 0.10 * np.minimum(bureau_inquiries_6m, 10)
          + 0.40 * np.minimum(delinquencies_24m, 5)
          - 0.006 * (bs - 650)
          + 0.45 * (employment_months < 6) + 0.15 * (employment_months < 24)
          + 0.030 * np.clip(30 - age, 0, 12)
          + 0.9 * (tdti > 0.5) * (bs < 600)                       # stretched and weak file
          + 0.45 * thin * (age < 25)                                # young, no history
          + 0.25 * (employment_type == "self_employed") + 0.5 * (employment_type == "informal")
          + 1.0 * (employment_type == "unemployed")
          + 0.15 * (housing == "rent") - 0.15 * (housing == "own")
          + 0.6 * np.nan_to_num(utilization - 0.5) * (1 + 0.5 * (delinquencies_24m > 0))
          + 0.12 * existing_loans
          + 1.3 * (previous_defaults > 0)
          - 0.004 * np.minimum(bank_account_months, 120)
          - 0.003 * np.minimum(residence_months, 120)
          + 0.2 * (1 - id_verified) + 0.1 * ip_country_mismatch
          + 1.7 * rng.standard_normal(n))
    lo, hi = -12.0, 4.0
    for _ in range(60):                                 # intercept for ~7 % credit defaults
        mid = (lo + hi) / 2
        if _sigmoid(mid + lp[~fraud]).mean() < 0.07:
            lo = mid
        else:
            hi = mid
    p_bad = np.where(fraud, 0.85, _sigmoid(lo + lp))
    bad = (rng.random(n) < p_bad).astype(np.int32)

    # Identifiers and time.
    fraud_devices = np.array([f"dev-{x:012x}" for x in rng.integers(0, 2**48, 40)], dtype=object)
    device_id = np.array([f"dev-{x:012x}" for x in rng.integers(0, 2**48, n)], dtype=object)
    device_id[fraud] = rng.choice(fraud_devices, nf)
    customer_id = np.array([f"C{x:08d}" for x in rng.permutation(n) + 10_000_000], dtype=object)
    phone = np.array([f"+4477009{x:05d}" for x in rng.integers(0, 100000, n)], dtype=object)
    domains = np.array(["mail.example", "post.example", "inbox.example", "web.example"], dtype=object)
    email = np.array([f"user{c[1:]}@{d}" for c, d in zip(customer_id, rng.choice(domains, n))], dtype=object)
    start = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    day = np.sort(rng.integers(0, 304, n))
    minute = rng.integers(0, 60, n)
    second = rng.integers(0, 60, n)
    applied_at = np.array([(start + _dt.timedelta(days=int(d), hours=int(h), minutes=int(m), seconds=int(s)))
                           .strftime("%Y-%m-%dT%H:%M:%SZ")
                           for d, h, m, s in zip(day, hour_of_day, minute, second)], dtype=object)
    application_id = np.array([f"A-{i + 1:06d}" for i in range(n)], dtype=object)

    cols = {
        "application_id": application_id, "applied_at": applied_at, "customer_id": customer_id,
        "device_id": device_id, "phone": phone, "email": email, "channel": channel, "product": product,
        "requested_amount": requested_amount, "term_months": term_months, "monthly_income": monthly_income,
        "monthly_debt": monthly_debt, "dependents": dependents, "employment_type": employment_type,
        "employment_months": employment_months, "age": age, "residence_months": residence_months,
        "housing": housing, "education": education, "bank_account_months": bank_account_months,
        "bureau_score": bureau_score, "bureau_inquiries_6m": bureau_inquiries_6m,
        "delinquencies_24m": delinquencies_24m, "open_credit_lines": open_credit_lines,
        "utilization": utilization, "existing_loans": existing_loans, "previous_defaults": previous_defaults,
        "email_domain_age_days": email_domain_age_days, "phone_tenure_months": phone_tenure_months,
        "device_age_days": device_age_days, "ip_country_mismatch": ip_country_mismatch,
        "id_verified": id_verified, "apps_same_device_7d": apps_same_device_7d,
        "apps_same_phone_30d": apps_same_phone_30d, "hour_of_day": hour_of_day,
    }
    assert list(cols) == list(SCHEMA)
    return cols, bad, fraud


def record_at(cols: dict[str, np.ndarray], i: int) -> dict:
    """Row i as a JSON record (whole numbers as integers, missing as null)."""
    rec = {}
    for name, spec in SCHEMA.items():
        v = cols[name][i]
        if spec["type"] == "number":
            v = float(v)
            if math.isnan(v):
                v = None
            elif v == int(v):
                v = int(v)
        elif spec["type"] == "bool":
            v = bool(v)
        rec[name] = v
    return rec


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------

def auc(y: np.ndarray, p: np.ndarray) -> float:
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sp = p[order]
    # average ranks for ties
    i = 0
    r = np.arange(1, len(p) + 1, dtype=float)
    while i < len(sp):
        j = i
        while j + 1 < len(sp) and sp[j + 1] == sp[i]:
            j += 1
        r[i:j + 1] = (i + j + 2) / 2
        i = j + 1
    ranks[order] = r
    n1 = y.sum()
    n0 = len(y) - n1
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def ks(y: np.ndarray, p: np.ndarray) -> float:
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    cb = np.cumsum(ys) / ys.sum()
    cg = np.cumsum(1 - ys) / (1 - ys).sum()
    last = np.r_[ps[1:] != ps[:-1], True]      # evaluate only at distinct thresholds
    return float(np.max(np.abs(cb - cg)[last]))


# --------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _j(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def manifest_text(m: dict) -> str:
    """bundle.json laid out for reading: one schema field / feature / rule per line."""
    lines = ["{"]
    top = list(m.items())
    for k, (key, val) in enumerate(top):
        comma = "," if k + 1 < len(top) else ""
        if key == "schema":
            lines.append('  "schema": {')
            items = list(val.items())
            for i, (name, spec) in enumerate(items):
                lines.append(f"    {_j(name)}: {_j(spec)}{',' if i + 1 < len(items) else ''}")
            lines.append("  }" + comma)
        elif key in ("features", "rules"):
            lines.append(f"  {_j(key)}: [")
            for i, item in enumerate(val):
                lines.append(f"    {_j(item)}{',' if i + 1 < len(val) else ''}")
            lines.append("  ]" + comma)
        elif key in ("models", "policy"):
            lines.append(f"  {_j(key)}: {{")
            items = list(val.items())
            for i, (name, spec) in enumerate(items):
                if isinstance(spec, list):
                    lines.append(f"    {_j(name)}: [")
                    for j, it in enumerate(spec):
                        lines.append(f"      {_j(it)}{',' if j + 1 < len(spec) else ''}")
                    lines.append("    ]" + ("," if i + 1 < len(items) else ""))
                else:
                    lines.append(f"    {_j(name)}: {_j(spec)}{',' if i + 1 < len(items) else ''}")
            lines.append("  }" + comma)
        else:
            lines.append(f"  {_j(key)}: {_j(val)}{comma}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == m
    return text


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


# --------------------------------------------------------------------------------------
# Example applications
# --------------------------------------------------------------------------------------

def example_records(cols, test_idx: np.ndarray, pd_test: np.ndarray, fraud: np.ndarray) -> list[dict]:
    """≈25 records: 16 drawn from the holdout across the risk range + hand-made edge cases."""
    recs = []
    order = test_idx[np.argsort(pd_test, kind="mergesort")]
    picks = [int(order[int(q * (len(order) - 1))]) for q in
             (0.02, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.78, 0.84, 0.90, 0.95, 0.985, 0.998)]
    fraud_test = [int(i) for i in test_idx if fraud[i]][:2]
    for i in picks + fraud_test:
        recs.append(record_at(cols, i))

    base = {
        "application_id": "X-0001", "applied_at": "2026-11-25T10:15:00Z", "customer_id": "C90000001",
        "device_id": "dev-00000000a001", "phone": "+447700900001", "email": "jane.clean@mail.example",
        "channel": "app", "product": "standard", "requested_amount": 3000, "term_months": 12,
        "monthly_income": 4200, "monthly_debt": 350, "dependents": 1, "employment_type": "salaried",
        "employment_months": 64, "age": 41, "residence_months": 96, "housing": "own",
        "education": "bachelor", "bank_account_months": 120, "bureau_score": 765,
        "bureau_inquiries_6m": 0, "delinquencies_24m": 0, "open_credit_lines": 6, "utilization": 0.18,
        "existing_loans": 1, "previous_defaults": 0, "email_domain_age_days": 9480,
        "phone_tenure_months": 84, "device_age_days": 610, "ip_country_mismatch": False,
        "id_verified": True, "apps_same_device_7d": 0, "apps_same_phone_30d": 0, "hour_of_day": 10,
    }

    def variant(app_id, **changes):
        r = dict(base)
        r["application_id"] = app_id
        k = int(app_id[2:])
        r["customer_id"] = f"C9{k:07d}"
        r["device_id"] = f"dev-0000a1b2{k:04x}"
        r["phone"] = f"+4477009{k:05d}"
        r["email"] = f"applicant{k}@mail.example"
        for k, v in changes.items():
            if v is _DROP:
                r.pop(k, None)
            else:
                r[k] = v
        return r

    recs += [
        variant("X-0001"),                                             # clean approve
        variant("X-0002", device_id="dev-0000000bad01", phone="+447700900666", email="k9x2q@fresh-mail.example",
                channel="h5", requested_amount=25000, term_months=24, monthly_income=9000, age=27,
                employment_months=4, residence_months=2, housing="rent", bureau_score=None,
                open_credit_lines=0, utilization=None, existing_loans=0, bank_account_months=1,
                email_domain_age_days=5, phone_tenure_months=0, device_age_days=0,
                ip_country_mismatch=True, id_verified=False, apps_same_device_7d=7,
                apps_same_phone_30d=5, hour_of_day=3, applied_at="2026-11-25T03:12:44Z"),  # obvious fraud
        variant("X-0003", age=22, bureau_score=None, open_credit_lines=0, utilization=None,
                existing_loans=0, bureau_inquiries_6m=1, monthly_income=2400, monthly_debt=0,
                employment_months=10, residence_months=14, housing="family", education="vocational",
                bank_account_months=20, requested_amount=2000, term_months=6),   # thin file
        variant("X-0004", monthly_income=-999),                        # sentinel -> missing income
        variant("X-0005", employment_type=None, utilization=None),     # explicit nulls
        variant("X-0006", promo_code="BLACKFRIDAY26"),                 # unknown extra field
        variant("X-0007", monthly_income="5200", term_months="12"),    # numbers as strings
        variant("X-0008", residence_months="n/a"),                     # wrong-typed value
        variant("X-0009", age=17, employment_months=8),                # under-age
        variant("X-0010", previous_defaults=1, delinquencies_24m=2, bureau_score=560),  # prior default
        variant("X-0011", monthly_debt=2600, requested_amount=12000, term_months=12),  # DTI too high
    ]
    return recs


_DROP = object()


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def main() -> int:
    import xgboost as xgb

    cols, bad, fraud = generate()
    env = compute_features(conform_columns(cols))
    X = feature_matrix(env)
    n = len(bad)
    perm = np.random.default_rng(SEED + 1).permutation(n)
    n_test = n // 4
    test_idx, train_idx = np.sort(perm[:n_test]), np.sort(perm[n_test:])

    dtrain = xgb.DMatrix(X[train_idx], label=bad[train_idx], missing=np.nan,
                         feature_names=MODEL_INPUTS, feature_types=["float"] * len(MODEL_INPUTS), nthread=1)
    dtest = xgb.DMatrix(X[test_idx], label=bad[test_idx], missing=np.nan,
                        feature_names=MODEL_INPUTS, feature_types=["float"] * len(MODEL_INPUTS), nthread=1)
    booster = xgb.train(XGB_PARAMS, dtrain, num_boost_round=XGB_ROUNDS)
    p_test = booster.predict(dtest).astype(np.float64)
    p_train = booster.predict(dtrain).astype(np.float64)
    y_test = bad[test_idx].astype(float)
    m_auc, m_ks = auc(y_test, p_test), ks(y_test, p_test)
    nf_test = ~fraud[test_idx]
    m_auc_nf = auc(y_test[nf_test], p_test[nf_test])
    tr_auc = auc(bad[train_idx].astype(float), p_train)

    model_path = BUNDLE_DIR / "models" / "credit.json"
    model_path.parent.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_path))

    # Cutoffs from holdout PD quantiles, rounded to readable values.
    decline_at = round(float(np.quantile(p_test, 1 - CUTOFF_DECLINE_RATE)), 3)
    review_at = round(float(np.quantile(p_test, 1 - CUTOFF_DECLINE_RATE - CUTOFF_REVIEW_RATE)), 3)
    grade_a = round(float(np.quantile(p_test, 0.20)), 3)
    grade_b = round(float(np.quantile(p_test, 0.45)), 3)
    bands = [("A", grade_a), ("B", grade_b), ("C", review_at), ("D", decline_at)]   # D = review, E = decline
    decline_rate = float((p_test > decline_at).mean())
    review_rate = float(((p_test > review_at) & (p_test <= decline_at)).mean())

    # Rules and the combined outcome on the holdout (as the engine would decide).
    env_test = {k: (t, c[test_idx]) for k, (t, c) in env.items()}
    hits = evaluate_rules(env_test)
    action = {rid: a for rid, _, a, *_ in RULES}
    rule_decline = np.zeros(n_test, bool)
    rule_review = np.zeros(n_test, bool)
    for rid, h in hits.items():
        if action[rid] == "decline":
            rule_decline |= h
        elif action[rid] == "review":
            rule_review |= h
    final_decline = rule_decline | (p_test > decline_at)
    final_review = ~final_decline & (rule_review | (p_test > review_at))
    final_approve = ~final_decline & ~final_review
    approved_bad = float(y_test[final_approve].mean())
    grade_of = np.select([p_test < b for _, b in bands], [g for g, _ in bands], "E")
    grade_stats = {g: (float((grade_of == g).mean()), float(y_test[grade_of == g].mean()))
                   for g in "ABCDE"}

    # ---- bundle.json ------------------------------------------------------------------
    reasons_path = BUNDLE_DIR / "reasons.json"
    reasons = {name: {"code": REASONS[name][0], "text": REASONS[name][1]} for name in MODEL_INPUTS}
    write_text(reasons_path, json.dumps(reasons, indent=2, ensure_ascii=False) + "\n")

    features_json = []
    for name, kind, source, desc in FEATURES:
        features_json.append({"name": name, kind: source, "description": desc})
    rules_json = [{"id": rid, "when": when, "action": act, "reason": {"code": code, "text": text},
                   "description": desc} for rid, when, act, code, text, desc in RULES]
    manifest = {
        "format": 1,
        "name": "cash-loan-application",
        "version": "2026.11.1",
        "stage": "application",
        "description": ("Example consumer cash-loan application bundle, built from synthetic data by "
                        "scripts/make_example_bundle.py. Not for production lending decisions."),
        "schema": SCHEMA,
        "features": features_json,
        "rules": rules_json,
        "models": {
            "credit": {"kind": "xgboost", "file": "models/credit.json", "sha256": sha256(model_path),
                       "inputs": MODEL_INPUTS, "output": "value"},
        },
        "policy": {
            "cutoffs": [
                {"score": "credit", "above": decline_at, "outcome": "decline", "reason": CUTOFF_DECLINE_REASON},
                {"score": "credit", "above": review_at, "outcome": "review", "reason": CUTOFF_REVIEW_REASON},
            ],
            "default": "approve",
            "grades": {"score": "credit", "bands": [{"grade": g, "below": b} for g, b in bands] + [{"grade": "E"}]},
            "reasons": {"top": 4, "catalogue": "reasons.json", "catalogue_sha256": sha256(reasons_path)},
        },
    }
    write_text(BUNDLE_DIR / "bundle.json", manifest_text(manifest))

    # ---- example applications -----------------------------------------------------
    recs = example_records(cols, test_idx, p_test, fraud)
    assert len({r["application_id"] for r in recs}) == len(recs)
    write_text(BUNDLE_DIR / "applications.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    header = list(SCHEMA) + [k for r in recs for k in r if k not in SCHEMA]
    header = list(dict.fromkeys(header))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in recs:
        w.writerow([csv_cell(r.get(k)) for k in header])
    write_text(BUNDLE_DIR / "applications.csv", buf.getvalue())

    missing_req = dict(recs[-11])
    missing_req["application_id"] = "X-9001"
    del missing_req["requested_amount"]
    write_text(MISSING_REQUIRED_PATH, json.dumps(missing_req, ensure_ascii=False) + "\n")

    # Expected scores for the examples (printed; handy when checking the engine).
    ex_env, ex_issues = conform_records(recs)
    ex_env = compute_features(ex_env)
    ex_p = booster.predict(xgb.DMatrix(feature_matrix(ex_env), missing=np.nan, feature_names=MODEL_INPUTS,
                                       feature_types=["float"] * len(MODEL_INPUTS), nthread=1))
    ex_hits = evaluate_rules(ex_env)

    # ---- figures ---------------------------------------------------------------------
    rule_rates = {rid: float(h.mean()) for rid, h in hits.items()}
    figures = {
        "rows": n, "train": len(train_idx), "holdout": n_test,
        "bad_rate": float(bad.mean()), "fraud_rate": float(fraud.mean()),
        "bad_rate_fraud": float(bad[fraud].mean()), "bad_rate_nonfraud": float(bad[~fraud].mean()),
        "auc": m_auc, "ks": m_ks, "auc_nonfraud": m_auc_nf, "train_auc": tr_auc,
        "decline_at": decline_at, "review_at": review_at,
        "decline_rate_score": decline_rate, "review_rate_score": review_rate,
        "rule_decline_rate": float(rule_decline.mean()), "rule_review_rate": float((rule_review & ~rule_decline).mean()),
        "final_decline_rate": float(final_decline.mean()), "final_review_rate": float(final_review.mean()),
        "final_approve_rate": float(final_approve.mean()), "approved_bad_rate": approved_bad,
        "model_bytes": model_path.stat().st_size,
    }
    ex_outcome, ex_grade = expected_outcomes(ex_p.astype(np.float64), ex_hits, decline_at, review_at, bands)
    write_text(BUNDLE_DIR / "README.md", readme_text(figures, rule_rates, grade_stats, bands, recs, ex_p, ex_hits,
                                                     ex_issues, ex_outcome, ex_grade))

    print(json.dumps(figures, indent=2))
    print("rule hit rates (holdout):")
    for rid, r in rule_rates.items():
        print(f"  {rid}: {r:.4f}")
    print("grades (share, bad rate):", {g: (round(a, 4), round(b, 4)) for g, (a, b) in grade_stats.items()})
    print("examples:")
    for r, p, iss in zip(recs, ex_p, ex_issues):
        fired = [rid for rid, h in ex_hits.items() if h[recs.index(r)]]
        k = recs.index(r)
        print(f"  {r['application_id']}: pd={p:.4f} {ex_outcome[k]} {ex_grade[k]} rules={fired} "
              f"issues={[i['field'] for i in iss]}")
    for path in sorted(BUNDLE_DIR.rglob("*")) + [MISSING_REQUIRED_PATH]:
        if path.is_file():
            print(f"{sha256(path)}  {path.relative_to(ROOT)}")
    return 0


def expected_outcomes(p, hits, decline_at, review_at, bands):
    """Outcome and grade per docs/bundle-format.md: strongest of rule actions, first cutoff, default."""
    action = {rid: a for rid, _, a, *_ in RULES}
    rank = {"approve": 0, "review": 1, "decline": 2}
    outcomes, grades = [], []
    for i, pd_ in enumerate(p):
        best = "approve"
        for rid, h in hits.items():
            if h[i] and action[rid] in rank and rank[action[rid]] > rank[best]:
                best = action[rid]
        cut = "decline" if pd_ > decline_at else ("review" if pd_ > review_at else "approve")
        outcomes.append(max(best, cut, key=rank.get))
        grades.append(next((g for g, b in bands if pd_ < b), "E"))
    return outcomes, grades


def readme_text(f, rule_rates, grade_stats, bands, recs, ex_p, ex_hits, ex_issues, ex_outcome, ex_grade) -> str:
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    out = []
    out.append("# Example bundle: `cash-loan-application` (stage `application`)\n")
    out.append("A complete riskkit bundle for a consumer cash-loan application decision: schema, "
               "features, fraud and credit-policy rules, an XGBoost probability-of-default model, "
               "and a decision policy with grades and adverse-action reasons. The format is "
               "described in [docs/bundle-format.md](../../../docs/bundle-format.md).\n")
    out.append("**Everything here is synthetic.** The data, the model and the thresholds come from "
               "`scripts/make_example_bundle.py`; they show the shape of a real bundle and are not "
               "fit for lending decisions.\n")
    out.append("## Files\n")
    out.append("| file | what |\n|---|---|")
    out.append("| `bundle.json` | the manifest |")
    out.append("| `models/credit.json` | XGBoost 3.2 JSON model (`binary:logistic`, "
               f"{XGB_ROUNDS} trees, depth {XGB_PARAMS['max_depth']}), {f['model_bytes'] // 1024} KiB |")
    out.append("| `reasons.json` | reason catalogue: every model input → adverse-action code and text |")
    out.append(f"| `applications.jsonl` / `applications.csv` | {len(recs)} applications to decide "
               "(same records; CSV with a header row, RFC 4180 quoting) |")
    out.append("| `../../../tests/data/records/missing_required.jsonl` | a record without the required "
               "`requested_amount` (must be rejected as `invalid_record`) |\n")
    out.append("Decide them with `riskkit decide --bundle examples/bundles/application "
               "--input examples/bundles/application/applications.jsonl --output -`.\n")
    out.append("## Schema\n")
    out.append(f"{len(SCHEMA)} fields. Required: "
               + ", ".join(f"`{k}`" for k, s in SCHEMA.items() if s.get("required")) + ". "
               "`application_id` is the event id, `applied_at` the event time; `customer_id`, "
               "`device_id`, `phone` and `email` are entities and personal data (pseudonymized on entry). "
               "`monthly_income` declares `-999` as missing (income not declared). `bureau_score` is "
               "missing when the bureau has no file (thin file), and `utilization` when there are no "
               "revolving lines. The velocity counts `apps_same_device_7d` and `apps_same_phone_30d` "
               "are supplied upstream in this version (no velocity features yet), as is "
               "`hour_of_day` (the language has no function to take the hour of a timestamp).\n")
    out.append("## Features\n")
    out.append("| feature | definition |\n|---|---|")
    for name, kind, source, desc in FEATURES:
        src = f"field `{source}`" if kind == "field" else f"`{source}`"
        out.append(f"| `{name}` | {src} — {desc} |")
    out.append("")
    out.append("Missing propagates through arithmetic (`x / 0` and `log` of a non-positive number are "
               "missing too); a comparison with a missing value is false, so flags such as "
               "`night_application` are 0, not missing, when their input is missing.\n")
    out.append("## Rules\n")
    out.append("Evaluated in order; `decline` beats `review`, `flag` only records. Hit rates on the "
               f"{f['holdout']:,}-row holdout.\n")
    out.append("| id | when | action | code | text | hit rate |\n|---|---|---|---|---|---|")
    for rid, when, act, code, text, _ in RULES:
        w = when.replace("|", "\\|")
        out.append(f"| {rid} | `{w}` | {act} | {code} | {text} | {pct(rule_rates[rid])} |")
    out.append("")
    out.append("## Model\n")
    out.append(f"XGBoost `binary:logistic`, {XGB_ROUNDS} trees, max depth {XGB_PARAMS['max_depth']}, eta "
               f"{XGB_PARAMS['eta']}, subsample {XGB_PARAMS['subsample']}, colsample_bytree "
               f"{XGB_PARAMS['colsample_bytree']}, seed {XGB_PARAMS['seed']}, one thread; missing = NaN. "
               f"{len(MODEL_INPUTS)} inputs in this column order: "
               + ", ".join(f"`{x}`" for x in MODEL_INPUTS) + ".\n")
    out.append("| figure | value |\n|---|---|")
    out.append(f"| applications | {f['rows']:,} (train {f['train']:,}, holdout {f['holdout']:,}) |")
    out.append(f"| bad rate (target `bad`) | {pct(f['bad_rate'])} |")
    out.append(f"| fraud segment | {pct(f['fraud_rate'])} of applications, bad rate {pct(f['bad_rate_fraud'])} |")
    out.append(f"| holdout AUC | {f['auc']:.4f} (train {f['train_auc']:.4f}) |")
    out.append(f"| holdout KS | {f['ks']:.4f} |")
    out.append("")
    out.append("## Policy\n")
    out.append(f"- `credit` > {f['decline_at']} → **decline** (P90); declines "
               f"{pct(f['decline_rate_score'])} of the holdout on the score alone.")
    out.append(f"- `credit` > {f['review_at']} → **review** (P91); refers a further "
               f"{pct(f['review_rate_score'])}.")
    out.append("- otherwise **approve**.\n")
    out.append(f"With the rules: {pct(f['final_decline_rate'])} declined, {pct(f['final_review_rate'])} "
               f"referred, {pct(f['final_approve_rate'])} approved; the approved have a bad rate of "
               f"{pct(f['approved_bad_rate'])} (rules decline {pct(f['rule_decline_rate'])} and refer "
               f"{pct(f['rule_review_rate'])} on their own).\n")
    out.append("Grades by PD (holdout share and bad rate):\n")
    out.append("| grade | PD | share | bad rate |\n|---|---|---|---|")
    lo = 0.0
    for g, b in bands:
        out.append(f"| {g} | {lo} – {b} | {pct(grade_stats[g][0])} | {pct(grade_stats[g][1])} |")
        lo = b
    out.append(f"| E | ≥ {lo} | {pct(grade_stats['E'][0])} | {pct(grade_stats['E'][1])} |")
    out.append("")
    out.append("Reasons: at most 4 — the deciding rules' reasons, the cutoff's reason, then the model "
               "inputs that pushed the PD up most (TreeSHAP), worded from `reasons.json`. "
               "Note for US lenders: under Regulation B an empirically derived system may use age but "
               "must not assign applicants aged 62 or over a negative factor; review `age` (R17) with "
               "compliance before reusing this catalogue.\n")
    out.append("## Example applications\n")
    out.append("Sixteen records drawn from the holdout across the PD range (two of them from the fraud "
               "segment), then hand-made cases `X-0001`…`X-0011`: a clean approve, an obvious fraud, a "
               "thin file, income `-999`, explicit nulls, an unknown extra field (`promo_code`), numbers "
               "given as strings (`\"5200\"`), a wrong-typed value (`\"n/a\"`), an under-age applicant, "
               "a previous default and an unaffordable loan. Expected PD (XGBoost, float32 inputs), "
               "rules hit, outcome and grade as the policy above gives them:\n")
    out.append("| application | PD | rules | outcome | grade | issues |\n|---|---|---|---|---|---|")
    for i, r in enumerate(recs):
        fired = ", ".join(rid for rid, h in ex_hits.items() if h[i]) or "—"
        iss = ", ".join(sorted({x["field"] for x in ex_issues[i]})) or "—"
        out.append(f"| {r['application_id']} | {ex_p[i]:.4f} | {fired} | {ex_outcome[i]} | {ex_grade[i]} | {iss} |")
    out.append("")
    out.append("## Expression semantics assumed\n")
    out.append("The script computes features and rule hits with a small interpreter of the expression "
               "language that follows the engine's documented semantics: arithmetic, `min`, `max`, `abs` "
               "and `log` on a missing value give missing; `x / 0` and `log(x <= 0)` give missing; every "
               "comparison (including `==`, `!=` and `in`) with a missing operand is false; `and`/`or` "
               "read a missing bool as false. The bundle avoids constructs whose result depends on "
               "undocumented details (`not` over a comparison with a missing operand, `min`/`max` with "
               "one missing argument in a rule).\n")
    out.append("## Regenerate\n")
    out.append("```sh\n.venv/bin/python scripts/make_example_bundle.py\n"
               ".venv/bin/python -m pytest tests/python/test_example_bundle.py\n```\n")
    out.append("The script is deterministic (fixed seeds, single-threaded XGBoost): every run writes "
               "the same bytes, so `git diff` after a run shows only intended changes. It uses numpy and "
               "xgboost only.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
