"""Builds two small bundles whose every decision is predicted here, independently of
riskkit, with numpy and xgboost as the oracle:

- tests/data/bundles/basic: rules, one XGBoost model, cutoffs, grades, reasons;
- tests/data/bundles/stream: velocity features (count, distinct count, sum; window
  bounds, ties, a missing entity) over a stream of applications decided in order, an
  XGBoost model reading a velocity feature, a scorecard with a "below" cutoff, a segment
  with its own cutoffs, limit and price tables, and a champion/challenger split.

Run from the repository root: .venv/bin/python tests/data/make_engine_fixtures.py
The output is deterministic; tests/cpp/test_engine.cpp and tests/python read it.
"""
import datetime as dt
import hashlib
import json
import math
import pathlib
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts"))
import bundlegen as bg  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "bundles" / "basic"
STREAM = OUT.parent / "stream"
INPUTS = ["dti", "age", "inquiries"]
CATALOGUE = {
    "dti": {"code": "M01", "text": "Debt is high relative to income"},
    "age": {"code": "M02", "text": "Length of credit history and age profile"},
    "inquiries": {"code": "M03", "text": "Number of recent credit inquiries"},
}
DECLINE_ABOVE, REVIEW_ABOVE = 0.30, 0.15
BANDS = [("A", 0.05), ("B", 0.15), ("C", 0.30), ("D", None)]


def features(r):
    """dti = debt / income (missing if income missing or 0), age, inquiries."""
    income = r.get("income")
    if income is None or income == -999:
        income = math.nan
    debt = r.get("debt", math.nan)
    debt = math.nan if debt is None else debt
    dti = debt / income if income not in (0,) and not math.isnan(income) else math.nan
    age = r.get("age", math.nan)
    inq = r.get("inquiries", math.nan)
    return [dti, math.nan if age is None else age, math.nan if inq is None else inq]


def train():
    rng = np.random.default_rng(7)
    n = 4000
    dti = rng.gamma(2.0, 0.2, n)
    age = rng.integers(18, 75, n).astype(float)
    inq = rng.poisson(1.5, n).astype(float)
    X = np.column_stack([dti, age, inq]).astype(np.float32)
    X[rng.random(n) < 0.05, 0] = np.nan
    logit = -3.0 + 2.5 * np.nan_to_num(dti, nan=0.5) - 0.03 * (age - 40) + 0.35 * inq
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    d = xgb.DMatrix(X, label=y, feature_names=INPUTS)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 1, "nthread": 1}
    return xgb.train(params, d, num_boost_round=20)


def expected_decision(r, booster):
    f = features(r)
    row = np.array([f], dtype=np.float32)
    p = float(booster.predict(xgb.DMatrix(row, feature_names=INPUTS))[0])
    contribs = booster.predict(xgb.DMatrix(row, feature_names=INPUTS), pred_contribs=True)[0]
    hits = []
    if r.get("age") is not None and r["age"] < 18:
        hits.append(("R001", "decline", "U01"))
    if r.get("channel") in ("web", "h5") and f[2] >= 4:
        hits.append(("R002", "review", "V01"))
    if r.get("id_verified") is None:  # is_missing(id_verified)
        hits.append(("R003", "flag", "D01"))
    rank = {"approve": 0, "review": 1, "decline": 2}
    outcome = "approve"
    for _, action, _ in hits:
        if action != "flag" and rank[action] > rank[outcome]:
            outcome = action
    cutoff = None
    if p > DECLINE_ABOVE:
        cutoff = ("decline", "P01")
    elif p > REVIEW_ABOVE:
        cutoff = ("review", "P02")
    if cutoff and rank[cutoff[0]] > rank[outcome]:
        outcome = cutoff[0]
    grade = next(g for g, below in BANDS if below is None or p < below)
    reasons = []
    if outcome != "approve":
        reasons += [code for _, action, code in hits if action == outcome]
        if cutoff and cutoff[0] == outcome:
            reasons.append(cutoff[1])
            order = sorted(range(len(INPUTS)), key=lambda i: -contribs[i])
            reasons += [CATALOGUE[INPUTS[i]]["code"] for i in order if contribs[i] > 0]
    return {"outcome": outcome, "grade": grade, "score": p, "rule_hits": [h[0] for h in hits],
            "reasons": reasons[:3], "margin": float(np.log(p / (1 - p)))}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "models").mkdir(exist_ok=True)
    booster = train()
    model_path = OUT / "models" / "risk.json"
    booster.save_model(str(model_path))
    (OUT / "reasons.json").write_text(json.dumps(CATALOGUE, indent=2) + "\n")
    manifest = {
        "format": 1, "name": "basic-test", "version": "1.0.0", "stage": "application",
        "schema": {
            "application_id": {"type": "string", "role": "event_id"},
            "applied_at": {"type": "timestamp", "role": "event_time"},
            "income": {"type": "number", "missing": [-999]},
            "debt": {"type": "number"},
            "age": {"type": "number", "required": True},
            "inquiries": {"type": "number"},
            "channel": {"type": "string"},
            "id_verified": {"type": "bool"},
        },
        "features": [
            {"name": "dti", "expr": "debt / income"},
            {"name": "age_years", "field": "age"},
        ],
        "rules": [
            {"id": "R001", "when": "age_years < 18", "action": "decline",
             "reason": {"code": "U01", "text": "Applicant is under 18"}},
            {"id": "R002", "when": "channel in [\"web\", \"h5\"] and inquiries >= 4", "action": "review",
             "reason": {"code": "V01", "text": "Many recent inquiries on an online channel"}},
            {"id": "R003", "when": "is_missing(id_verified)", "action": "flag",
             "reason": {"code": "D01", "text": "Identity verification result missing"}},
        ],
        "models": {"risk": {"kind": "xgboost", "file": "models/risk.json",
                            "sha256": bg.sha256(model_path),
                            "inputs": ["dti", "age", "inquiries"]}},
        "policy": {
            "cutoffs": [
                {"score": "risk", "above": DECLINE_ABOVE, "outcome": "decline",
                 "reason": {"code": "P01", "text": "Estimated credit risk is too high"}},
                {"score": "risk", "above": REVIEW_ABOVE, "outcome": "review",
                 "reason": {"code": "P02", "text": "Estimated credit risk needs a manual review"}},
            ],
            "default": "approve",
            "grades": {"score": "risk", "bands": [{"grade": g, "below": b} if b is not None else {"grade": g}
                                                  for g, b in BANDS]},
            "reasons": {"top": 3, "catalogue": "reasons.json",
                        "catalogue_sha256": bg.sha256(OUT / "reasons.json")},
        },
    }
    (OUT / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n")

    records = [
        {"application_id": "T1", "income": 8000, "debt": 400, "age": 45, "inquiries": 0, "channel": "app", "id_verified": True},
        {"application_id": "T2", "income": 2000, "debt": 1800, "age": 23, "inquiries": 6, "channel": "web", "id_verified": True},
        {"application_id": "T3", "income": -999, "debt": 500, "age": 30, "inquiries": 2, "channel": "h5"},
        {"application_id": "T4", "income": 5000, "debt": 1000, "age": 17, "inquiries": 1, "channel": "agent", "id_verified": False},
        {"application_id": "T5", "income": 3000, "debt": 900, "age": 35, "inquiries": 3, "channel": "web", "id_verified": True},
        {"application_id": "T6", "income": 0, "debt": 100, "age": 60, "inquiries": None, "channel": None, "id_verified": True},
        {"application_id": "T7", "income": 4000, "debt": 2000, "age": 28, "inquiries": 5, "channel": "h5", "id_verified": True},
    ]
    cases = [{"record": r, "expected": expected_decision(r, booster)} for r in records]
    (OUT.parent / "basic_expected.json").write_text(json.dumps(cases, indent=1) + "\n")
    write_stream_bundle()


# --------------------------------------------------------------------------------------
# tests/data/bundles/stream
# --------------------------------------------------------------------------------------

STREAM_INPUTS = ["loan_to_income", "amount_per_customer_24h", "bureau"]
CARD = {"riskkit_model": "scorecard", "format": 1, "intercept_points": 500,
        "scaling": {"base_points": 600, "base_odds": 50, "pdo": 20},
        "characteristics": [
            {"name": "bureau", "edges": [500, 600, 700], "points": [-60, -20, 20, 40], "missing_points": -10,
             "expected_points": 10},
            {"name": "income", "edges": [2000, 5000], "points": [-20, 5, 25], "missing_points": -15,
             "expected_points": 8}]}
STREAM_CUTOFFS = [{"score": "risk", "above": 0.4, "outcome": "decline", "reason": {"code": "P01", "text": "Risk too high"}},
                  {"score": "card", "below": 470, "outcome": "decline", "reason": {"code": "P02", "text": "Bureau record too weak"}},
                  {"score": "risk", "above": 0.2, "outcome": "review", "reason": {"code": "P03", "text": "Risk needs a review"}}]
LARGE_CUTOFFS = [{"score": "risk", "above": 0.25, "outcome": "decline", "reason": {"code": "P04", "text": "Risk too high for a large loan"}}]
TEST_CUTOFFS = [{"score": "risk", "above": 0.3, "outcome": "decline", "reason": {"code": "P05", "text": "Risk too high (test arm)"}}]
STREAM_BANDS = [("A", 0.1), ("B", 0.2), ("C", 0.4), ("D", None)]
LIMIT_ROWS = [["A", ">= 5000", 20000], ["A", "-", 10000], [["B", "C"], "[2000, 5000)", 5000], ["B", "-", 4000],
              ["-", "-", 0]]
TEST_LIMIT_ROWS = [[g, inc, 2 * limit] for g, inc, limit in LIMIT_ROWS]
PRICE_ROWS = [["A", "<= 12", 0.1], ["A", "-", 0.12], ["-", "> 24", None], ["-", "-", 0.25]]
SALT = "fixture-salt"


def _seconds(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def stream_velocity(records):
    """Per record: earlier events of the entity with time in (t - window, t], then record it."""
    out = []
    for i, r in enumerate(records):
        t = _seconds(r["applied_at"])
        prior = [p for p in records[:i]]

        def inside(p, entity, window):
            return (r.get(entity) is not None and p.get(entity) == r[entity]
                    and t - window < _seconds(p["applied_at"]) <= t)
        device = r.get("device_id") is not None
        customer = r.get("customer_id") is not None
        out.append({
            "apps_per_device_1h": len([p for p in prior if inside(p, "device_id", 3600)]) if device else math.nan,
            "customers_per_device_24h": len({p["customer_id"] for p in prior if inside(p, "device_id", 86400)
                                             and p.get("customer_id") is not None}) if device else math.nan,
            "amount_per_customer_24h": float(sum(p["amount"] for p in prior if inside(p, "customer_id", 86400)))
            if customer else math.nan,
        })
    return out


def stream_model():
    rng = np.random.default_rng(11)
    n = 3000
    lti = rng.gamma(2.0, 1.2, n)
    stacked = np.where(rng.random(n) < 0.3, rng.uniform(0, 30000, n), 0.0)
    bureau = rng.normal(640, 60, n)
    bureau[rng.random(n) < 0.1] = np.nan
    X = np.column_stack([lti, stacked, bureau]).astype(np.float32)
    logit = -2.6 + 0.5 * lti + 0.00008 * stacked - 0.01 * (np.nan_to_num(bureau, nan=600) - 640)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 1, "nthread": 1}
    return xgb.train(params, xgb.DMatrix(X, label=y, feature_names=STREAM_INPUTS), num_boost_round=15)


def card_points(r):
    total = float(CARD["intercept_points"])
    for ch in CARD["characteristics"]:
        x = r.get(ch["name"])
        if x is None or x == -999:
            total += ch["missing_points"]
        else:
            x32 = np.float32(x)
            total += ch["points"][sum(1 for e in ch["edges"] if not x32 < np.float32(e))]
    return total


def stream_expected(records, booster):
    rank = {"approve": 0, "review": 1, "decline": 2}
    cases = []
    for r, vel in zip(records, stream_velocity(records)):
        income = r.get("income")
        income = math.nan if income is None or income == -999 else float(income)
        lti = r["amount"] / income if income and not math.isnan(income) else math.nan
        bureau = math.nan if r.get("bureau") is None else float(r["bureau"])
        row = np.array([[lti, vel["amount_per_customer_24h"], bureau]], dtype=np.float32)
        p = float(booster.predict(xgb.DMatrix(row, feature_names=STREAM_INPUTS))[0])
        points = card_points(r)
        hits = []
        if vel["apps_per_device_1h"] >= 2:          # NaN compares false
            hits.append(("V001", "review"))
        if vel["customers_per_device_24h"] >= 2:
            hits.append(("V002", "decline"))
        rules = max((a for _, a in hits), key=rank.get, default="approve")
        segment = "large" if r["amount"] >= 10000 else ""
        bucket = int.from_bytes(hashlib.sha256((SALT + "\x1f" + r["customer_id"]).encode()).digest()[:8], "big") % 10000 \
            if r.get("customer_id") is not None else 0
        arm = "champion" if bucket < 5000 else "test"
        cutoffs = TEST_CUTOFFS if arm == "test" else LARGE_CUTOFFS if segment else STREAM_CUTOFFS
        scores = {"risk": p, "card": points}
        cut = next((c["outcome"] for c in cutoffs if ("above" in c and scores[c["score"]] > c["above"])
                    or ("below" in c and scores[c["score"]] < c["below"])), "approve")
        grade = next(g for g, below in STREAM_BANDS if below is None or p < below)
        limit_rows = TEST_LIMIT_ROWS if arm == "test" else LIMIT_ROWS
        cases.append({"record": r, "expected": {
            "outcome": max(rules, cut, key=rank.get), "grade": grade, "segment": segment, "arm": arm,
            "risk": p, "card": points, "rule_hits": [h for h, _ in hits],
            "limit": bg.table_output(limit_rows, [grade, income]),
            "apr": bg.table_output(PRICE_ROWS, [grade, float(r["term"]) if r.get("term") is not None else math.nan])}})
    return cases


def write_stream_bundle():
    (STREAM / "models").mkdir(parents=True, exist_ok=True)
    booster = stream_model()
    risk_path = STREAM / "models" / "risk.json"
    booster.save_model(str(risk_path))
    card_path = STREAM / "models" / "card.json"
    card_path.write_text(json.dumps(CARD, indent=1) + "\n")
    catalogue = {"loan_to_income": {"code": "M01", "text": "Amount high relative to income"},
                 "amount_per_customer_24h": {"code": "M02", "text": "Several loans requested in a day"},
                 "bureau": {"code": "M03", "text": "Bureau score"},
                 "income": {"code": "M04", "text": "Income"}}
    tables = {"limit": {"inputs": ["grade", "income"], "outputs": ["amount"], "rows": LIMIT_ROWS},
              "price": {"inputs": ["grade", "term"], "outputs": ["apr"], "rows": PRICE_ROWS}}
    manifest = {
        "format": 1, "name": "stream-test", "version": "1.0.0", "stage": "application",
        "schema": {
            "application_id": {"type": "string", "role": "event_id"},
            "applied_at": {"type": "timestamp", "role": "event_time"},
            "customer_id": {"type": "string", "role": "entity"},
            "device_id": {"type": "string", "role": "entity"},
            "amount": {"type": "number", "required": True},
            "income": {"type": "number", "missing": [-999]},
            "bureau": {"type": "number"},
            "term": {"type": "number"},
        },
        "features": [
            {"name": "apps_per_device_1h", "velocity": {"entity": ["device_id"], "window": "1h", "agg": "count"}},
            {"name": "customers_per_device_24h",
             "velocity": {"entity": ["device_id"], "window": "24h", "agg": "distinct_count", "value": "customer_id"}},
            {"name": "amount_per_customer_24h",
             "velocity": {"entity": ["customer_id"], "window": "24h", "agg": "sum", "value": "amount"}},
            {"name": "loan_to_income", "expr": "amount / income"},
        ],
        "rules": [
            {"id": "V001", "when": "apps_per_device_1h >= 2", "action": "review",
             "reason": {"code": "V01", "text": "Several applications from one device within an hour"}},
            {"id": "V002", "when": "customers_per_device_24h >= 2", "action": "decline",
             "reason": {"code": "V02", "text": "Device used by several customers today"}},
        ],
        "models": {
            "risk": {"kind": "xgboost", "file": "models/risk.json", "sha256": bg.sha256(risk_path), "inputs": STREAM_INPUTS},
            "card": {"kind": "scorecard", "file": "models/card.json", "sha256": bg.sha256(card_path),
                     "inputs": ["bureau", "income"], "output": "margin"},
        },
        "policy": {
            "cutoffs": STREAM_CUTOFFS, "default": "approve",
            "grades": {"score": "risk", "bands": [{"grade": g, "below": b} if b is not None else {"grade": g}
                                                  for g, b in STREAM_BANDS]},
            "tables": tables,
            "segments": [{"name": "large", "when": "amount >= 10000", "cutoffs": LARGE_CUTOFFS}],
            "challenger": {"field": "customer_id", "salt": SALT,
                           "arms": [{"name": "champion", "percent": 50},
                                    {"name": "test", "percent": 50, "cutoffs": TEST_CUTOFFS,
                                     "tables": dict(tables, limit=dict(tables["limit"], rows=TEST_LIMIT_ROWS))}]},
            "reasons": {"top": 3, "catalogue": catalogue},
        },
    }
    (STREAM / "bundle.json").write_text(json.dumps(manifest, indent=2) + "\n")

    def app(i, at, customer, device, amount, income=4000, bureau=650, term=12):
        r = {"application_id": f"S{i:02d}", "applied_at": at, "customer_id": customer, "device_id": device,
             "amount": amount, "income": income, "bureau": bureau, "term": term}
        return {k: v for k, v in r.items() if v is not _ABSENT}
    records = [
        app(1, "2026-11-25T10:00:00Z", "c1", "d1", 3000, income=6000, bureau=720),
        app(2, "2026-11-25T10:30:00Z", "c2", "d1", 4000, income=3000, bureau=610, term=24),
        app(3, "2026-11-25T11:00:00Z", "c3", "d1", 2000),                 # S01 is exactly 1h earlier: outside
        app(4, "2026-11-25T11:00:00Z", "c1", "d2", 12000, bureau=550, term=36),   # a large loan
        app(5, "2026-11-25T11:00:00Z", "c1", "d2", 2500, income=2500),     # same time as S04: inside
        app(6, "2026-11-25T11:20:00Z", "c1", "d2", 1500, income=-999, bureau=None),
        app(7, "2026-11-26T10:00:00Z", "c1", "d3", 5000, income=5000),     # S01 exactly 24h earlier: outside
        app(8, "2026-11-26T10:05:00Z", "c4", _ABSENT, 2000, income=1500, bureau=480),  # no device
        app(9, "2026-11-26T10:06:00Z", "c5", "d4", 9000, income=9000, bureau=790, term=6),
        app(10, "2026-11-26T10:07:00Z", "c6", "d4", 800, income=2200, bureau=None, term=30),
        app(11, "2026-11-26T10:08:00Z", "c7", "d5", 15000, income=3000, bureau=700),
        app(12, "2026-11-26T10:09:00Z", "c8", "d6", 6000, income=None, bureau=620),
        app(13, "2026-11-26T10:10:00Z", "c9", "d7", 100, income=1900, bureau=499),   # the scorecard's cutoff
        app(14, "2026-11-26T10:11:00Z", "c10", "d7", 700, income=1800, bureau=495),
        app(15, "2026-11-26T10:12:00Z", "c11", "d8", 100, income=1950, bureau=520),
    ]
    cases = stream_expected(records, booster)
    (STREAM.parent / "stream_expected.json").write_text(json.dumps(cases, indent=1) + "\n")


_ABSENT = object()


if __name__ == "__main__":
    main()
