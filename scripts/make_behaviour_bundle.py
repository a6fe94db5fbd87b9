#!/usr/bin/env python3
"""Build the `behaviour` example bundle (examples/bundles/behaviour/).

Monthly snapshots of revolving credit accounts: a behaviour score (XGBoost, probability
of 90+ days past due within 12 months, from payment history, utilisation, delinquency
and bureau refresh) decides `raise`, `keep`, `review` or `cut` for the credit limit, and
the `limit` decision table gives the factor to apply to the current limit.

Deterministic (fixed seeds, single-threaded XGBoost, stable JSON). Run from the
repository root:

    .venv/bin/python scripts/make_behaviour_bundle.py

Writes bundle.json, reasons.json, models/, records.jsonl / .csv, expected.json (the
oracle: XGBoost's predictions + scripts/bundlegen.py's policy) and README.md.
`expected_decisions(records)` recomputes the oracle from the bundle's files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundlegen as bg  # noqa: E402

BUNDLE_DIR = bg.ROOT / "examples" / "bundles" / "behaviour"
SEED = 20261103
N_ROWS = 40_000

SCHEMA = {
    "snapshot_id": {"type": "string", "required": True, "role": "event_id"},
    "snapshot_at": {"type": "timestamp", "required": True, "role": "event_time",
                    "description": "Statement date of the monthly snapshot"},
    "account_id": {"type": "string", "required": True, "role": "entity", "pii": "account"},
    "credit_limit": {"type": "number", "required": True},
    "balance": {"type": "number", "required": True, "description": "Statement balance"},
    "utilization_3m_avg": {"type": "number", "description": "Average balance / limit over the 3 previous months"},
    "months_on_book": {"type": "number", "required": True},
    "dpd_now": {"type": "number", "description": "Days past due at the statement date"},
    "max_dpd_6m": {"type": "number", "description": "Worst days past due in the last 6 months"},
    "payments_missed_12m": {"type": "number", "description": "Statements without the minimum payment, 12 months"},
    "payment_ratio_3m": {"type": "number", "description": "Paid / statement balance over 3 months"},
    "cash_advance_share": {"type": "number", "description": "Share of spending taken as cash advances"},
    "bureau_score_now": {"type": "number", "description": "Refreshed bureau score; missing = no refresh"},
    "inquiries_3m": {"type": "number", "description": "Hard inquiries at other lenders in 3 months"},
    "income_verified": {"type": "bool"},
}

FEATURES = [
    {"name": "utilization", "expr": "balance / credit_limit"},
    {"name": "utilization_trend", "expr": "utilization - utilization_3m_avg",
     "description": "Change of utilisation against the 3-month average"},
    {"name": "full_payer", "expr": "payment_ratio_3m >= 0.95", "description": "1 when statements are paid in full"},
    {"name": "log_limit", "expr": "log(credit_limit)"},
]


def features(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """FEATURES in numpy (x / 0 is missing, comparisons with missing false)."""
    f = dict(cols)
    lim = cols["credit_limit"]
    with np.errstate(invalid="ignore", divide="ignore"):
        f["utilization"] = np.where(lim == 0, np.nan, cols["balance"] / np.where(lim == 0, 1.0, lim))
        f["log_limit"] = np.where(lim > 0, np.log(np.where(lim > 0, lim, 1.0)), np.nan)
        f["full_payer"] = (cols["payment_ratio_3m"] >= 0.95).astype(float)
    f["utilization_trend"] = f["utilization"] - cols["utilization_3m_avg"]
    return f


INPUTS = ["utilization", "utilization_trend", "months_on_book", "dpd_now", "max_dpd_6m", "payments_missed_12m",
          "payment_ratio_3m", "full_payer", "cash_advance_share", "bureau_score_now", "inquiries_3m", "log_limit"]

# The shadow scorecard: a traditional points card scored beside the deciding XGBoost model.
SCORECARD_INPUTS = ["utilization", "max_dpd_6m", "payments_missed_12m", "payment_ratio_3m", "months_on_book",
                    "bureau_score_now", "inquiries_3m"]

CATALOGUE = {
    "utilization": ("B01", "The balance is high relative to the credit limit"),
    "utilization_trend": ("B02", "Utilisation of the credit limit has risen recently"),
    "months_on_book": ("B03", "The account is relatively new"),
    "dpd_now": ("B04", "A payment is currently overdue"),
    "max_dpd_6m": ("B05", "Late payments in the last 6 months"),
    "payments_missed_12m": ("B06", "Minimum payments missed in the last 12 months"),
    "payment_ratio_3m": ("B07", "Only small parts of recent statements were repaid"),
    "full_payer": ("B08", "Statements are not paid in full"),
    "cash_advance_share": ("B09", "A large share of spending is cash advances"),
    "bureau_score_now": ("B10", "The refreshed credit bureau score is low"),
    "inquiries_3m": ("B11", "Recent applications for credit at other lenders"),
    "log_limit": ("B12", "Size of the current credit limit"),
}

RULES = [
    bg.Rule("B001", "dpd_now >= 30", "decline", "C01", "The account is 30 or more days past due",
            lambda c: c["dpd_now"] >= 30),
    bg.Rule("B002", "max_dpd_6m >= 60", "decline", "C02", "The account was 60 or more days past due in the last 6 months",
            lambda c: c["max_dpd_6m"] >= 60),
    bg.Rule("B003", "payments_missed_12m >= 3", "review", "V01", "Three or more minimum payments missed in 12 months",
            lambda c: c["payments_missed_12m"] >= 3),
    bg.Rule("B004", "inquiries_3m >= 4", "review", "V02", "Many recent applications for credit at other lenders",
            lambda c: c["inquiries_3m"] >= 4),
    bg.Rule("B005", "utilization > 0.9 and income_verified == false", "review", "V03",
            "Credit limit nearly used up and income not verified",
            lambda c: (c["utilization"] > 0.9) & (c["income_verified"] == 0.0)),
    bg.Rule("B006", "cash_advance_share > 0.5", "flag", "G01", "Mostly cash advances",
            lambda c: c["cash_advance_share"] > 0.5),
]

CUT = ("P01", "The behaviour score shows a marked rise in risk")
REVIEW = ("P02", "The behaviour score calls for a limit review")
KEEP = ("P03", "The behaviour score does not qualify for a limit raise")
NEW = ("P04", "The account is too new for a limit raise")


def make_policy(cut: float, review: float, keep: float, bands) -> bg.Policy:
    strict = [bg.Cutoff("behaviour", "above", cut, "cut", *CUT),
              bg.Cutoff("behaviour", "above", review, "review", *REVIEW)]
    return bg.Policy(
        outcomes=[("raise", "approve"), ("keep", "approve"), ("review", "review"), ("cut", "decline")],
        default="raise", cutoffs=strict + [bg.Cutoff("behaviour", "above", keep, "keep", *KEEP)],
        grade_score="behaviour", bands=bands, top=4,
        segments=[bg.Segment("new_account", "months_on_book < 6", lambda c: c["months_on_book"] < 6,
                             strict + [bg.Cutoff("behaviour", "above", 0, "keep", *NEW)]),
                  bg.Segment("established", "months_on_book >= 6", lambda c: c["months_on_book"] >= 6)],
        tables=[bg.Table("limit", ["grade", "utilization"], ["raise_factor", "cut_factor"], [
            ["A", ">= 0.6", 1.5, 0.9],
            ["A", "-", 1.3, 0.9],
            ["B", ">= 0.6", 1.3, 0.8],
            ["B", "-", 1.2, 0.8],
            ["C", "-", 1.1, 0.7],
            ["-", "-", 1.0, 0.5]])])


def generate(n: int = N_ROWS, seed: int = SEED):
    """(raw columns, bad = 90+ days past due within 12 months)."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n)
    mob = rng.integers(1, 73, n).astype(float)
    limit = rng.choice(np.array([2000.0, 5000, 10000, 20000, 30000]), n,
                       p=[0.15, 0.3, 0.3, 0.15, 0.1])
    util_avg = np.round(np.clip(1 / (1 + np.exp(1.0 * q + rng.normal(0.3, 0.8, n))), 0, 1.2), 3)
    util = np.clip(util_avg + rng.normal(0.0, 0.08, n) - 0.05 * q, 0, 1.3)
    balance = np.round(util * limit, 2)
    util_avg[rng.random(n) < 0.04] = np.nan
    util_avg[mob < 3] = np.nan
    missed = rng.poisson(np.exp(-1.6 - 1.0 * q)).astype(float)
    missed = np.minimum(missed, np.minimum(mob, 12))
    late = rng.random(n) < 1 / (1 + np.exp(2.6 + 1.2 * q))
    dpd = np.where(late, rng.choice(np.array([5.0, 12, 20, 35, 45, 65]), n), 0.0)
    max_dpd = np.maximum(dpd, np.where(rng.random(n) < 1 / (1 + np.exp(2.0 + 1.1 * q)),
                                       rng.choice(np.array([10.0, 30, 60, 90]), n), 0.0))
    ratio = np.round(np.clip(1 / (1 + np.exp(-(0.8 * q + rng.normal(0, 1.0, n)))) * 1.1, 0, 1.0), 3)
    cash = np.round(np.clip(rng.beta(0.6, 4, n) + 0.1 * (q < -1), 0, 1), 3)
    bureau = np.clip(np.round(660 + 50 * q + rng.normal(0, 35, n)), 300, 850)
    bureau[rng.random(n) < 0.08] = np.nan
    inq = rng.poisson(np.exp(-0.8 - 0.4 * q)).astype(float)
    verified = rng.random(n) < 0.7
    cols = {
        "snapshot_id": np.array([f"S{200000 + i}" for i in range(n)], dtype=object),
        "snapshot_at": np.array([f"2026-{1 + i % 10:02d}-28T00:00:00Z" for i in range(n)], dtype=object),
        "account_id": np.array([f"AC-{300000 + i}" for i in range(n)], dtype=object),
        "credit_limit": limit, "balance": balance, "utilization_3m_avg": util_avg, "months_on_book": mob,
        "dpd_now": dpd, "max_dpd_6m": max_dpd, "payments_missed_12m": missed, "payment_ratio_3m": ratio,
        "cash_advance_share": cash, "bureau_score_now": bureau, "inquiries_3m": inq,
        "income_verified": verified.astype(float),
    }
    logit = (-3.4 - 1.1 * q + 1.2 * (util - 0.5) + 0.6 * (util - np.nan_to_num(util_avg, nan=util)) + 0.02 * max_dpd
             + 0.25 * missed + 1.0 * cash - 0.6 * ratio + 0.5 * (mob < 6))
    bad = rng.random(n) < 1 / (1 + np.exp(-logit))
    return cols, bad.astype(float)


def load_policy(bundle_dir: Path = BUNDLE_DIR) -> bg.Policy:
    p, bands = bg.read_policy(bundle_dir)
    c = p["cutoffs"]
    return make_policy(c[0]["above"], c[1]["above"], c[2]["above"], bands)


def oracle(policy: bg.Policy, cols: dict[str, np.ndarray], booster, card: bg.Scorecard) -> list[dict]:
    f = features(cols)
    p, contrib = bg.xgboost_scores(booster, bg.matrix(f, INPUTS), INPUTS)
    return bg.decide_all(policy, RULES, f, {"behaviour": (p, contrib, [CATALOGUE[i][0] for i in INPUTS])},
                         {"behaviour_scorecard": card.scores(bg.matrix(f, SCORECARD_INPUTS))})


def expected_decisions(records: list[dict], bundle_dir: Path = BUNDLE_DIR) -> list[dict]:
    """The oracle for `records`, from the bundle's model file and bundle.json's thresholds."""
    booster = bg.load_booster(bundle_dir / "models" / "behaviour.json")
    card = bg.Scorecard.from_json(json.loads((bundle_dir / "models" / "scorecard.json").read_text()))
    out = oracle(load_policy(bundle_dir), bg.to_columns(records, SCHEMA), booster, card)
    for d, r in zip(out, records):
        d["event_id"] = r["snapshot_id"]
    return out


def example_records(cols, test_idx, decisions) -> list[dict]:
    """Holdout snapshots over every outcome and segment, then hand-made edge cases."""
    picked = []
    for action in ("raise", "keep", "review", "cut"):
        for seg in ("new_account", "established"):
            idx = [i for i, d in zip(test_idx, decisions) if d["action"] == action and d["segment"] == seg]
            picked += idx[:3]
    recs = [bg.record_at(cols, int(i), SCHEMA) for i in picked]
    base = next(r for r, i in zip(recs, picked) if decisions[list(test_idx).index(i)]["action"] == "raise"
                and r["months_on_book"] >= 6)
    edits = [
        {"dpd_now": 35, "max_dpd_6m": 35},
        {"max_dpd_6m": 60},
        {"payments_missed_12m": 3},
        {"inquiries_3m": 5},
        {"balance": round(base["credit_limit"] * 0.95, 2), "income_verified": False},
        {"cash_advance_share": 0.7},
        {"bureau_score_now": None, "utilization_3m_avg": None},
        {"months_on_book": 2},
    ]
    for k, e in enumerate(edits):
        r = {**base, **e, "snapshot_id": f"S9{k:05d}", "account_id": f"AC-9{k:05d}"}
        recs.append({key: v for key, v in r.items() if v is not None})
    return recs


def readme(m: dict) -> str:
    shares, ex = bg.listing(m["shares"], ".1%"), bg.listing(m["example_counts"])
    return f"""# `behaviour` example bundle — in-loan snapshots → credit-limit action

Generated by `scripts/make_behaviour_bundle.py` (deterministic; do not edit by hand).
Walkthrough: docs/stages.md#behaviour.

Each monthly snapshot of a revolving account gets one of the stage's outcomes:
**`raise`** the limit, **`keep`** it, send it to **`review`**, or **`cut`** it, and the
`limit` table gives `limit.raise_factor` (applied on `raise`) and `limit.cut_factor`
(applied on `cut`) for the account's grade and utilisation. `keep` and `review` leave
the limit as it is.

- **Model**: `behaviour` — XGBoost (`models/behaviour.json`, {m["rounds"]} trees of
  depth {m["depth"]}): probability of 90+ days past due within 12 months, from
  utilisation and its trend, months on book, days past due, missed payments, repayment
  ratio, cash advances, the refreshed bureau score and inquiries.
- **Shadow model**: `behaviour_scorecard` — a points scorecard (`models/scorecard.json`,
  quantile bins, WOE, logistic regression; `"mode": "shadow"`) over
  {len(SCORECARD_INPUTS)} characteristics: scored and logged with every decision
  (`shadow_scores`), deciding nothing — the way a new card earns its place.
- **Rules**: B001–B002 cut (current / recent serious delinquency), B003–B005 review,
  B006 flags cash-advance-heavy accounts.
- **Cut-offs**: behaviour score > {m["cut"]} → `cut`, > {m["review"]} → `review`,
  > {m["keep"]} → `keep`, else `raise`. The `new_account` segment (under 6 months on
  book) never gets a raise: its last cut-off (`> 0` → `keep`, reason P04) catches the rest.

## Measured (holdout of {m["n_test"]:,} snapshots of {m["n"]:,} synthetic ones)

| figure | value |
|---|---|
| behaviour model AUC (holdout) | {m["auc"]:.4f} |
| shadow scorecard AUC (holdout) | {m["auc_card"]:.4f} |
| bad rate (90+ DPD in 12 months) | {m["bad_rate"]:.1%} |
| outcome shares | {shares} |
| automated share (not `review`) | {m["automated"]:.1%} |
| bad rate of `raise` vs `cut` | {m["bad_raise"]:.1%} vs {m["bad_cut"]:.1%} |

## Files

- `bundle.json`, `reasons.json`, `models/` — the bundle (`riskkit validate` passes).
- `records.jsonl`, `records.csv` — {m["n_examples"]} example snapshots ({ex}).
- `expected.json` — each example's decision as the generator's oracle predicts it
  (XGBoost predictions and TreeSHAP contributions + a Python re-implementation of the
  policy); tests/python/test_stage_bundles.py checks the engine against it.

```sh
export RISKKIT_PSEUDONYM_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
build/bin/riskkit decide --bundle examples/bundles/behaviour --input examples/bundles/behaviour/records.jsonl --output -
```
"""


def main() -> int:
    cols, bad = generate()
    n = len(bad)
    f = features(cols)
    train_idx, test_idx = bg.holdout_split(n, SEED + 1)

    depth, rounds = 4, 200
    X = bg.matrix(f, INPUTS)
    booster = bg.train_xgboost(X[train_idx], bad[train_idx], INPUTS,
                               {"max_depth": depth, "eta": 0.06, "min_child_weight": 10, "subsample": 0.9,
                                "seed": 5, "tree_method": "hist"}, rounds)
    models = BUNDLE_DIR / "models"
    models.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(models / "behaviour.json"))
    card = bg.Scorecard.fit(bg.matrix(f, SCORECARD_INPUTS)[train_idx], bad[train_idx], SCORECARD_INPUTS)
    bg.write_text(models / "scorecard.json", bg.json_text(card.to_json()))

    p_all, _ = bg.xgboost_scores(booster, X, INPUTS)
    tr = p_all[train_idx]
    policy = make_policy(bg.quantile(tr, 0.93), bg.quantile(tr, 0.83), bg.quantile(tr, 0.45),
                         [("A", bg.quantile(tr, 0.2)), ("B", bg.quantile(tr, 0.45)), ("C", bg.quantile(tr, 0.7)),
                          ("D", bg.quantile(tr, 0.9)), ("E", None)])

    bg.write_bundle(BUNDLE_DIR, {
        "name": "card-limit-management", "version": "2026.11.1", "stage": "behaviour",
        "description": "Monthly account snapshots: behaviour score -> raise / keep / review / cut the limit",
    }, SCHEMA, FEATURES, RULES, {
        "behaviour": bg.model_entry(BUNDLE_DIR, "behaviour.json", "xgboost", INPUTS),
        "behaviour_scorecard": bg.model_entry(BUNDLE_DIR, "scorecard.json", "scorecard", SCORECARD_INPUTS,
                                              mode="shadow")}, policy, CATALOGUE)

    decisions = oracle(policy, {k: v[test_idx] for k, v in cols.items()}, booster, card)
    shares, automated = bg.outcome_shares(policy, decisions)
    records = example_records(cols, test_idx, decisions)
    counts = bg.write_examples(BUNDLE_DIR, policy, records, SCHEMA, expected_decisions)

    actions = np.array([d["action"] for d in decisions])
    y = bad[test_idx]
    card_p = np.array([d["shadow_scores"]["behaviour_scorecard"] for d in decisions])
    m = {"n": n, "n_test": len(test_idx), "rounds": rounds, "depth": depth, "auc": bg.auc(y, p_all[test_idx]),
         "auc_card": bg.auc(y, card_p),
         "bad_rate": y.mean(), "shares": shares, "automated": automated,
         "bad_raise": y[actions == "raise"].mean(), "bad_cut": y[actions == "cut"].mean(),
         "cut": policy.cutoffs[0].threshold, "review": policy.cutoffs[1].threshold,
         "keep": policy.cutoffs[2].threshold, "n_examples": len(records), "example_counts": counts}
    bg.write_readme(BUNDLE_DIR, readme(m), m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
