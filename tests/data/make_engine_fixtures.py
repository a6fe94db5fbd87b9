"""Builds tests/data/bundles/basic: a small bundle whose every decision is predicted here,
independently of riskkit, with numpy and xgboost as the oracle.

Run from the repository root: .venv/bin/python tests/data/make_engine_fixtures.py
The output is deterministic; tests/cpp/test_engine.cpp and tests/python read it.
"""
import hashlib
import json
import math
import pathlib

import numpy as np
import xgboost as xgb

OUT = pathlib.Path(__file__).resolve().parent / "bundles" / "basic"
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
                            "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
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
                        "catalogue_sha256": hashlib.sha256((OUT / "reasons.json").read_bytes()).hexdigest()},
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


if __name__ == "__main__":
    main()
