#!/usr/bin/env python3
"""Build the `collection` example bundle (examples/bundles/collection/).

Delinquent accounts at each cycle date: a roll-rate score (XGBoost, probability that the
account rolls into the next delinquency bucket within 30 days) and collection rules
choose the channel — `sms`, `robot_call`, `agent_call` or `legal` — and the `priority`
decision table gives the work-queue priority for the account's grade and balance.

Deterministic (fixed seeds, single-threaded XGBoost, stable JSON). Run from the
repository root:

    .venv/bin/python scripts/make_collection_bundle.py

Writes bundle.json, reasons.json, models/, records.jsonl / .csv, expected.json (the
oracle: XGBoost's predictions + scripts/bundlegen.py's policy) and README.md.
`expected_decisions(records)` recomputes the oracle from the bundle's files.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundlegen as bg  # noqa: E402

BUNDLE_DIR = bg.ROOT / "examples" / "bundles" / "collection"
SEED = 20261104
N_ROWS = 40_000

SCHEMA = {
    "case_id": {"type": "string", "required": True, "role": "event_id"},
    "cycle_at": {"type": "timestamp", "required": True, "role": "event_time"},
    "account_id": {"type": "string", "required": True, "role": "entity", "pii": "account"},
    "dpd": {"type": "number", "required": True, "description": "Days past due"},
    "balance": {"type": "number", "required": True, "description": "Outstanding balance"},
    "min_due": {"type": "number", "description": "Amount overdue"},
    "months_on_book": {"type": "number"},
    "payments_3m": {"type": "number", "description": "Payments received in the last 3 months"},
    "broken_promises_6m": {"type": "number", "description": "Promises to pay not kept, 6 months"},
    "days_since_payment": {"type": "number", "description": "Missing = never paid"},
    "contact_rate": {"type": "number", "description": "Answered / attempted contacts, 90 days; missing = no attempt"},
    "prior_delinquencies_12m": {"type": "number", "description": "Earlier delinquency episodes, 12 months"},
    "bureau_score": {"type": "number"},
    "dispute_open": {"type": "bool", "description": "The customer disputes the debt"},
    "hardship": {"type": "bool", "description": "The customer reported financial hardship"},
}

FEATURES = [
    {"name": "due_ratio", "expr": "min_due / balance", "description": "Overdue amount / balance"},
    {"name": "log_balance", "expr": "log(balance)"},
    {"name": "never_paid", "expr": "is_missing(days_since_payment)"},
    {"name": "cases_90d", "velocity": {"entity": ["account_id"], "window": "90d", "agg": "count"},
     "description": "Earlier collection cases of this account in the last 90 days"},
]


def features(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """FEATURES in numpy (x / 0 and log of x <= 0 are missing)."""
    f = dict(cols)
    bal = cols["balance"]
    with np.errstate(invalid="ignore", divide="ignore"):
        f["due_ratio"] = np.where(bal == 0, np.nan, cols["min_due"] / np.where(bal == 0, 1.0, bal))
        f["log_balance"] = np.where(bal > 0, np.log(np.where(bal > 0, bal, 1.0)), np.nan)
    f["never_paid"] = np.isnan(cols["days_since_payment"]).astype(float)
    f["cases_90d"] = earlier_cases(cols["account_id"], cols["cycle_at"], 90 * 86400)
    return f


def earlier_cases(accounts: np.ndarray, times: np.ndarray, window: float) -> np.ndarray:
    """The `count` velocity of docs/features.md over rows in order: for each case, the same
    account's earlier cases with time in (t - window, t]. Cases arrive in time order per
    account and have distinct ids, so no case is late or a duplicate."""
    seen: dict[str, list[float]] = {}
    out = np.zeros(len(accounts))
    for i, (account, at) in enumerate(zip(accounts, times)):
        t = datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
        prior = seen.setdefault(account, [])
        out[i] = sum(t - window < p <= t for p in prior)
        prior.append(t)
    return out


INPUTS = ["dpd", "log_balance", "due_ratio", "months_on_book", "payments_3m", "broken_promises_6m",
          "days_since_payment", "never_paid", "contact_rate", "prior_delinquencies_12m", "bureau_score"]

CATALOGUE = {
    "dpd": ("R01", "Number of days past due"),
    "log_balance": ("R02", "Size of the outstanding balance"),
    "due_ratio": ("R03", "The overdue amount is large relative to the balance"),
    "months_on_book": ("R04", "The account is relatively new"),
    "payments_3m": ("R05", "Few payments received in the last 3 months"),
    "broken_promises_6m": ("R06", "Promises to pay were not kept"),
    "days_since_payment": ("R07", "Long time since the last payment"),
    "never_paid": ("R08", "No payment has ever been received"),
    "contact_rate": ("R09", "The customer is hard to reach"),
    "prior_delinquencies_12m": ("R10", "Earlier delinquencies in the last 12 months"),
    "bureau_score": ("R11", "The credit bureau score is low"),
}

RULES = [
    bg.Rule("L001", "dpd >= 90 and days_since_payment >= 60", "decline", "D01",
            "90 or more days past due with no payment in 60 days",
            lambda c: (c["dpd"] >= 90) & (c["days_since_payment"] >= 60)),
    bg.Rule("L002", "dpd >= 90 and never_paid == 1", "decline", "D02", "90 or more days past due and never paid",
            lambda c: (c["dpd"] >= 90) & (c["never_paid"] == 1)),
    bg.Rule("L003", "broken_promises_6m >= 3 and dpd >= 60", "decline", "D03",
            "Three or more broken promises to pay at 60 or more days past due",
            lambda c: (c["broken_promises_6m"] >= 3) & (c["dpd"] >= 60)),
    bg.Rule("A001", "dispute_open == true", "review", "G01", "The debt is disputed: handled by an agent",
            lambda c: c["dispute_open"] == 1.0),
    bg.Rule("A002", "balance >= 30000", "review", "G02", "Large balance: handled by an agent",
            lambda c: c["balance"] >= 30000),
    bg.Rule("A003", "cases_90d >= 2", "review", "G03",
            "Third delinquency of the account within 90 days: handled by an agent", lambda c: c["cases_90d"] >= 2),
    bg.Rule("H001", "hardship == true", "flag", "H01", "The customer reported financial hardship",
            lambda c: c["hardship"] == 1.0),
]

AGENT = ("P01", "High risk of rolling into the next delinquency bucket")
ROBOT = ("P02", "Moderate risk of rolling: an automated call first")
LEGAL = ("P03", "Very high risk of default at a late stage of delinquency")
LATE = ("P04", "Late-stage accounts get at least an automated call")


def make_policy(agent: float, robot: float, legal: float, agent_late: float, bands) -> bg.Policy:
    return bg.Policy(
        outcomes=[("sms", "approve"), ("robot_call", "approve"), ("agent_call", "review"), ("legal", "decline")],
        default="sms",
        cutoffs=[bg.Cutoff("roll", "above", agent, "agent_call", *AGENT),
                 bg.Cutoff("roll", "above", robot, "robot_call", *ROBOT)],
        grade_score="roll", bands=bands, top=4,
        segments=[bg.Segment("late_stage", "dpd >= 60", lambda c: c["dpd"] >= 60,
                             [bg.Cutoff("roll", "above", legal, "legal", *LEGAL),
                              bg.Cutoff("roll", "above", agent_late, "agent_call", *AGENT),
                              bg.Cutoff("roll", "above", 0, "robot_call", *LATE)]),
                  bg.Segment("early_stage", "dpd < 60", lambda c: c["dpd"] < 60)],
        tables=[bg.Table("priority", ["grade", "balance"], ["priority", "queue"], [
            ["D", ">= 10000", 1, "senior"],
            ["D", "-", 2, "standard"],
            ["C", ">= 10000", 2, "standard"],
            ["C", "-", 3, "standard"],
            [["A", "B"], ">= 20000", 3, "standard"],
            ["-", "-", 4, "automated"]])])


def generate(n: int = N_ROWS, seed: int = SEED):
    """(raw columns, rolled = moved into the next bucket within 30 days)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n)          # willingness / ability to pay, higher = better
    dpd = rng.choice(np.array([5.0, 15, 25, 35, 45, 65, 75, 95, 110]), n,
                     p=[0.25, 0.17, 0.13, 0.12, 0.09, 0.08, 0.06, 0.05, 0.05])
    balance = np.round(np.exp(rng.normal(8.6, 0.8, n)), 2)
    due = np.round(balance * np.clip(0.05 * (1 + dpd // 30) + rng.normal(0, 0.02, n), 0.01, 1), 2)
    mob = rng.integers(2, 97, n).astype(float)
    pays = np.minimum(rng.poisson(np.exp(0.6 + 0.5 * q - 0.01 * dpd)), 6).astype(float)
    promises = rng.poisson(np.exp(-1.3 - 0.5 * q + 0.008 * dpd)).astype(float)
    since = np.minimum(dpd + rng.integers(0, 40, n), 400).astype(float)
    since = np.where(pays > 0, np.minimum(since, rng.integers(1, 90, n)), since)
    never = (rng.random(n) < 0.08 + 0.1 * (mob < 6)) & (pays == 0)
    since[never] = np.nan
    contact = np.round(np.clip(1 / (1 + np.exp(-(0.2 + 0.8 * q + rng.normal(0, 0.8, n)))), 0, 1), 3)
    contact[rng.random(n) < 0.07] = np.nan
    prior = rng.poisson(np.exp(-0.5 - 0.5 * q)).astype(float)
    bureau = np.clip(np.round(600 + 45 * q + rng.normal(0, 40, n)), 300, 850)
    bureau[rng.random(n) < 0.06] = np.nan
    cols = {
        "case_id": np.array([f"K{400000 + i}" for i in range(n)], dtype=object),
        "cycle_at": np.array([f"2026-11-{1 + i % 25:02d}T06:00:00Z" for i in range(n)], dtype=object),
        "account_id": np.array([f"AC-{500000 + i}" for i in range(n)], dtype=object),
        "dpd": dpd, "balance": balance, "min_due": due, "months_on_book": mob, "payments_3m": pays,
        "broken_promises_6m": promises, "days_since_payment": since, "contact_rate": contact,
        "prior_delinquencies_12m": prior, "bureau_score": bureau,
        "dispute_open": (rng.random(n) < 0.02).astype(float), "hardship": (rng.random(n) < 0.04).astype(float),
    }
    logit = (-0.6 - 1.1 * q + 0.012 * (dpd - 40) - 0.25 * pays + 0.35 * promises + 0.8 * never
             - 1.0 * np.nan_to_num(contact, nan=0.3) + 0.15 * prior + 0.1 * (np.log(balance) - 8.6))
    rolled = rng.random(n) < 1 / (1 + np.exp(-logit))
    return cols, rolled.astype(float)


def load_policy(bundle_dir: Path = BUNDLE_DIR) -> bg.Policy:
    p, bands = bg.read_policy(bundle_dir)
    late = p["segments"][0]["cutoffs"]
    return make_policy(p["cutoffs"][0]["above"], p["cutoffs"][1]["above"], late[0]["above"], late[1]["above"], bands)


def oracle(policy: bg.Policy, cols: dict[str, np.ndarray], booster) -> list[dict]:
    f = features(cols)
    p, contrib = bg.xgboost_scores(booster, bg.matrix(f, INPUTS), INPUTS)
    return bg.decide_all(policy, RULES, f, {"roll": (p, contrib, [CATALOGUE[i][0] for i in INPUTS])})


def expected_decisions(records: list[dict], bundle_dir: Path = BUNDLE_DIR) -> list[dict]:
    """The oracle for `records`, from the bundle's model file and bundle.json's thresholds."""
    booster = bg.load_booster(bundle_dir / "models" / "roll.json")
    out = oracle(load_policy(bundle_dir), bg.to_columns(records, SCHEMA), booster)
    for d, r in zip(out, records):
        d["event_id"] = r["case_id"]
    return out


def example_records(cols, test_idx, decisions) -> list[dict]:
    """Holdout accounts over every channel and segment, then hand-made edge cases."""
    picked = []
    for action in ("sms", "robot_call", "agent_call", "legal"):
        for seg in ("early_stage", "late_stage"):
            idx = [i for i, d in zip(test_idx, decisions) if d["action"] == action and d["segment"] == seg]
            picked += idx[:3]
    recs = [bg.record_at(cols, int(i), SCHEMA) for i in picked]
    base = recs[0]
    edits = [
        {"dpd": 95, "days_since_payment": 70},
        {"dpd": 95, "days_since_payment": None, "payments_3m": 0},
        {"dpd": 65, "broken_promises_6m": 3},
        {"dispute_open": True},
        {"balance": 32000.0, "min_due": 1600.0},
        {"hardship": True},
        {"contact_rate": None, "bureau_score": None},
    ]
    for k, e in enumerate(edits):
        r = {**base, **e, "case_id": f"K9{k:05d}", "account_id": f"AC-9{k:05d}"}
        recs.append({key: v for key, v in r.items() if v is not None})
    # One account delinquent again and again: its third case in 90 days goes to an agent (A003).
    for k, (at, dpd) in enumerate([("2026-09-03", 5), ("2026-10-03", 15), ("2026-11-02", 25)]):
        recs.append({**base, "case_id": f"K98{k:04d}", "account_id": "AC-980000", "cycle_at": f"{at}T06:00:00Z",
                     "dpd": dpd})
    return recs


def readme(m: dict) -> str:
    shares, ex = bg.listing(m["shares"], ".1%"), bg.listing(m["example_counts"])
    return f"""# `collection` example bundle — delinquent accounts → channel and priority

Generated by `scripts/make_collection_bundle.py` (deterministic; do not edit by hand).
Walkthrough: docs/stages.md#collection.

Each delinquent account at its cycle date gets one of the stage's outcomes — the
channel: **`sms`**, **`robot_call`**, **`agent_call`** (a person works the case) or
**`legal`** (hand-over to legal recovery) — and the `priority` table gives
`priority.priority` (1 = first) and `priority.queue` for its grade and balance.

- **Model**: `roll` — XGBoost (`models/roll.json`, {m["rounds"]} trees of depth
  {m["depth"]}): probability of rolling into the next delinquency bucket within 30 days,
  from days past due, balance, overdue share, payments, broken promises, time since the
  last payment, reachability, earlier delinquency and the bureau score.
- **Rules**: L001–L003 send to `legal`, A001–A003 to an agent (A003 reads the velocity
  feature `cases_90d`, the account's earlier cases in 90 days of event time), H001
  flags hardship.
- **Cut-offs**: early stage (under 60 days past due): roll > {m["agent"]} → `agent_call`,
  > {m["robot"]} → `robot_call`, else `sms`. The `late_stage` segment (60+ days) has its own:
  > {m["legal"]} → `legal`, > {m["agent_late"]} → `agent_call`, else at least `robot_call`.

## Measured (holdout of {m["n_test"]:,} accounts of {m["n"]:,} synthetic ones)

| figure | value |
|---|---|
| roll-rate model AUC (holdout) | {m["auc"]:.4f} |
| roll rate | {m["roll_rate"]:.1%} |
| outcome shares | {shares} |
| automated share (not `agent_call`) | {m["automated"]:.1%} |
| roll rate of `sms` vs `agent_call` | {m["roll_sms"]:.1%} vs {m["roll_agent"]:.1%} |

## Files

- `bundle.json`, `reasons.json`, `models/` — the bundle (`riskkit validate` passes).
- `records.jsonl`, `records.csv` — {m["n_examples"]} example accounts ({ex}).
- `expected.json` — each example's decision as the generator's oracle predicts it
  (XGBoost predictions and TreeSHAP contributions + a Python re-implementation of the
  policy); tests/python/test_stage_bundles.py checks the engine against it.

```sh
export RISKKIT_PSEUDONYM_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
build/bin/riskkit decide --bundle examples/bundles/collection --input examples/bundles/collection/records.jsonl --output -
```
"""


def main() -> int:
    cols, rolled = generate()
    n = len(rolled)
    f = features(cols)
    train_idx, test_idx = bg.holdout_split(n, SEED + 1)

    depth, rounds = 4, 150
    X = bg.matrix(f, INPUTS)
    booster = bg.train_xgboost(X[train_idx], rolled[train_idx], INPUTS,
                               {"max_depth": depth, "eta": 0.08, "min_child_weight": 10, "subsample": 0.9,
                                "seed": 9, "tree_method": "hist"}, rounds)
    models = BUNDLE_DIR / "models"
    models.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(models / "roll.json"))

    p_all, _ = bg.xgboost_scores(booster, X, INPUTS)
    tr = train_idx
    early = tr[cols["dpd"][tr] < 60]
    late = tr[cols["dpd"][tr] >= 60]
    policy = make_policy(bg.quantile(p_all[early], 0.85), bg.quantile(p_all[early], 0.5),
                         bg.quantile(p_all[late], 0.85), bg.quantile(p_all[late], 0.5),
                         [("A", bg.quantile(p_all[tr], 0.25)), ("B", bg.quantile(p_all[tr], 0.5)),
                          ("C", bg.quantile(p_all[tr], 0.75)), ("D", None)])

    bg.write_bundle(BUNDLE_DIR, {
        "name": "collections-strategy", "version": "2026.11.1", "stage": "collection",
        "description": "Delinquent accounts: roll-rate score -> sms / robot_call / agent_call / legal + priority",
    }, SCHEMA, FEATURES, RULES, {"roll": bg.model_entry(BUNDLE_DIR, "roll.json", "xgboost", INPUTS)},
        policy, CATALOGUE)

    decisions = oracle(policy, {k: v[test_idx] for k, v in cols.items()}, booster)
    shares, automated = bg.outcome_shares(policy, decisions)
    records = example_records(cols, test_idx, decisions)
    counts = bg.write_examples(BUNDLE_DIR, policy, records, SCHEMA, expected_decisions)

    actions = np.array([d["action"] for d in decisions])
    y = rolled[test_idx]
    m = {"n": n, "n_test": len(test_idx), "rounds": rounds, "depth": depth, "auc": bg.auc(y, p_all[test_idx]),
         "roll_rate": y.mean(), "shares": shares, "automated": automated,
         "roll_sms": y[actions == "sms"].mean(), "roll_agent": y[actions == "agent_call"].mean(),
         "agent": policy.cutoffs[0].threshold, "robot": policy.cutoffs[1].threshold,
         "legal": policy.segments[0].cutoffs[0].threshold, "agent_late": policy.segments[0].cutoffs[1].threshold,
         "n_examples": len(records), "example_counts": counts}
    bg.write_readme(BUNDLE_DIR, readme(m), m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
