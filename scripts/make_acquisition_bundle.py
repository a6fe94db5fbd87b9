#!/usr/bin/env python3
"""Build the `acquisition` example bundle (examples/bundles/acquisition/).

Marketing leads for a cross-sell / prospect campaign: a lead-response model (logistic
regression) and a pre-screen credit-risk model (XGBoost) put each lead in an audience
segment — `target`, `hold` or `exclude` — and an offer table picks the product. The
customer id (the event id) and the phone are `pii` fields: decisions and audit lines
carry only their pseudonyms, which is what the campaign export gets.

Deterministic (fixed seeds, single-threaded XGBoost, stable JSON). Run from the
repository root:

    .venv/bin/python scripts/make_acquisition_bundle.py

Writes bundle.json, reasons.json, models/, records.jsonl / .csv, expected.json (the
oracle: XGBoost's and scikit-learn's predictions + scripts/bundlegen.py's policy) and
README.md. `expected_decisions(records)` recomputes the oracle from the bundle's files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundlegen as bg  # noqa: E402

BUNDLE_DIR = bg.ROOT / "examples" / "bundles" / "acquisition"
SEED = 20261102
N_ROWS = 40_000

SCHEMA = {
    "customer_id": {"type": "string", "required": True, "role": "event_id", "pii": "customer_id",
                    "description": "Customer or prospect id; only its pseudonym leaves the engine"},
    "campaign_at": {"type": "timestamp", "required": True, "role": "event_time"},
    "phone": {"type": "string", "pii": "phone", "description": "Mobile number for SMS campaigns"},
    "channel": {"type": "string", "required": True, "description": "email, sms or app_push"},
    "existing_customer": {"type": "bool", "required": True, "description": "Holds a product with us today"},
    "age": {"type": "number", "required": True},
    "monthly_income": {"type": "number", "missing": [-1], "description": "Estimated; -1 = unknown"},
    "bureau_score": {"type": "number", "description": "Pre-screen bureau score 300-850; missing = no file"},
    "delinquencies_24m": {"type": "number", "description": "Payments 30+ days late in 24 months (bureau)"},
    "utilization": {"type": "number", "description": "Revolving balance / limit (bureau)"},
    "open_credit_lines": {"type": "number"},
    "months_since_last_contact": {"type": "number", "description": "Missing = never contacted"},
    "prior_responses_12m": {"type": "number", "description": "Campaign responses in 12 months"},
    "email_opens_90d": {"type": "number"},
    "web_visits_30d": {"type": "number"},
    "marketing_opt_out": {"type": "bool", "description": "Opted out of marketing"},
    "in_collections": {"type": "bool", "description": "An account of this customer is in collections"},
}

FEATURES = [
    {"name": "engagement", "expr": "email_opens_90d + 2 * web_visits_30d",
     "description": "E-mail opens in 90 days plus twice the web visits in 30 days"},
    {"name": "push_channel", "expr": "channel == \"app_push\""},
    {"name": "sms_channel", "expr": "channel == \"sms\""},
    {"name": "existing", "field": "existing_customer"},
    {"name": "thin_file", "expr": "is_missing(bureau_score)"},
    {"name": "utilization_capped", "expr": "min(utilization, 1.5)"},
    {"name": "log_income", "expr": "log(monthly_income)"},
]


def features(cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """FEATURES in numpy (arithmetic on missing is missing, comparisons with missing false)."""
    f = dict(cols)
    f["engagement"] = cols["email_opens_90d"] + 2 * cols["web_visits_30d"]
    f["push_channel"] = (cols["channel"] == "app_push").astype(float)
    f["sms_channel"] = (cols["channel"] == "sms").astype(float)
    f["existing"] = cols["existing_customer"].astype(float)
    f["thin_file"] = np.isnan(cols["bureau_score"]).astype(float)
    f["utilization_capped"] = np.minimum(cols["utilization"], 1.5)
    inc = cols["monthly_income"]
    with np.errstate(invalid="ignore", divide="ignore"):
        f["log_income"] = np.where(inc > 0, np.log(np.where(inc > 0, inc, 1.0)), np.nan)
    return f


RESPONSE_INPUTS = ["engagement", "prior_responses_12m", "months_since_last_contact", "existing",
                   "push_channel", "sms_channel", "age"]
RISK_INPUTS = ["bureau_score", "thin_file", "delinquencies_24m", "utilization_capped", "open_credit_lines",
               "log_income", "age", "existing"]

# Factor -> (code, text); the response model's factors explain `hold`, the risk model's `exclude`.
CATALOGUE = {
    "engagement": ("E01", "Little recent engagement with our e-mails and website"),
    "prior_responses_12m": ("E02", "No recent response to our campaigns"),
    "months_since_last_contact": ("E03", "Time since the last contact"),
    "push_channel": ("E04", "Campaign channel (app notification)"),
    "sms_channel": ("E05", "Campaign channel (SMS)"),
    "existing": ("E06", "Relationship with us (existing customer or prospect)"),
    "age": ("E07", "Age profile"),
    "bureau_score": ("K01", "Credit bureau score is too low"),
    "thin_file": ("K02", "Insufficient credit history at the credit bureau"),
    "delinquencies_24m": ("K03", "Late payments on credit obligations in the last 24 months"),
    "utilization_capped": ("K04", "Balances on revolving accounts are high relative to limits"),
    "open_credit_lines": ("K05", "Number of open credit accounts"),
    "log_income": ("K06", "Estimated income is low for the offer"),
}


def _is_true(col):
    return col == 1.0


RULES = [
    bg.Rule("A001", "marketing_opt_out == true", "decline", "X01", "The customer has opted out of marketing",
            lambda c: _is_true(c["marketing_opt_out"])),
    bg.Rule("A002", "age < 18", "decline", "X02", "Below the minimum age for credit offers",
            lambda c: c["age"] < 18),
    bg.Rule("A003", "in_collections == true", "decline", "X03", "An account of the customer is in collections",
            lambda c: _is_true(c["in_collections"])),
    bg.Rule("A004", "delinquencies_24m >= 3", "decline", "X04",
            "Three or more late payments in the last 24 months", lambda c: c["delinquencies_24m"] >= 3),
    bg.Rule("A005", "months_since_last_contact < 1", "review", "H01",
            "Contacted within the last month (contact-frequency cap)", lambda c: c["months_since_last_contact"] < 1),
    bg.Rule("A006", "channel == \"sms\" and is_missing(phone)", "review", "H02",
            "No phone number for an SMS campaign",
            lambda c: (c["channel"] == "sms") & np.array([v is None for v in c["phone"]])),
    bg.Rule("A007", "thin_file == 1", "flag", "F01", "No bureau file: pre-screened on limited data",
            lambda c: c["thin_file"] == 1),
]

EXCLUDE = ("P01", "Pre-screen credit risk is too high for this offer")
HOLD = ("P02", "Predicted response is too low for this campaign")


def make_policy(risk_cut: float, risk_cut_existing: float, response_cut: float, response_cut_existing: float,
                bands: list[tuple[str, float | None]]) -> bg.Policy:
    def cutoffs(risk, response):
        return [bg.Cutoff("risk", "above", risk, "exclude", *EXCLUDE),
                bg.Cutoff("response", "below", response, "hold", *HOLD)]
    return bg.Policy(
        outcomes=[("target", "approve"), ("hold", "review"), ("exclude", "decline")],
        default="target", cutoffs=cutoffs(risk_cut, response_cut), grade_score="risk", bands=bands, top=4,
        segments=[bg.Segment("existing", "existing_customer == true", lambda c: _is_true(c["existing_customer"]),
                             cutoffs(risk_cut_existing, response_cut_existing)),
                  bg.Segment("prospect", "existing_customer == false", lambda c: c["existing_customer"] == 0.0)],
        tables=[bg.Table("offer", ["grade", "channel"], ["product", "limit"], [
            ["A", "-", "premium_card", 30000],
            ["B", "-", "cash_loan", 15000],
            ["C", ["app_push", "email"], "starter_loan", 5000],
            ["C", "-", "starter_loan", 3000],
            ["-", "-", "none", 0]])])


def generate(n: int = N_ROWS, seed: int = SEED):
    """(raw columns, responded, bad): leads with latent credit quality and interest."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n)          # credit quality, higher = better
    u = rng.standard_normal(n)          # interest in the offer
    existing = rng.random(n) < 0.35
    channel = rng.choice(np.array(["email", "sms", "app_push"], dtype=object), n, p=[0.5, 0.3, 0.2])
    channel = np.where(existing | (channel != "app_push"), channel, "email")   # push needs the app
    age = np.clip(np.round(rng.normal(41, 12, n)), 18, 80)
    income = np.round(np.exp(rng.normal(8.6 + 0.15 * q, 0.45, n)), -1)
    income[rng.random(n) < 0.08] = -1
    bureau = np.clip(np.round(655 + 55 * q + rng.normal(0, 30, n)), 300, 850)
    thin = rng.random(n) < 0.10 + 0.1 * (age < 25)
    bureau[thin] = np.nan
    delinq = rng.poisson(np.exp(-1.3 - 0.9 * q)).astype(float)
    delinq[thin] = np.where(rng.random(thin.sum()) < 0.5, np.nan, 0)
    util = np.round(np.clip(1 / (1 + np.exp(0.9 * q + rng.normal(0, 0.7, n))) * 1.1, 0, 1.6), 3)
    util[thin | (rng.random(n) < 0.12)] = np.nan
    lines = rng.poisson(np.clip(3 + 0.8 * q, 0.5, None)).astype(float)
    lines[thin] = 0
    contacted = existing | (rng.random(n) < 0.3)
    since = np.where(contacted, rng.integers(0, 37, n), np.nan).astype(float)
    prior = rng.poisson(np.exp(-1.2 + 0.6 * u + 0.4 * existing))
    opens = rng.poisson(np.exp(0.6 + 0.5 * u + 0.3 * existing))
    visits = rng.poisson(np.exp(-0.6 + 0.6 * u))
    opt_out = rng.random(n) < 0.03
    collections = existing & (rng.random(n) < 0.02 + 0.05 * (q < -1.2))
    phone = np.array([f"1{rng.integers(30, 90)}{rng.integers(0, 10**8):08d}" for _ in range(n)], dtype=object)
    phone[rng.random(n) < 0.05] = None
    cols = {
        "customer_id": np.array([f"C{100000 + i}" for i in range(n)], dtype=object),
        "campaign_at": np.array([f"2026-11-{1 + i % 20:02d}T09:00:00Z" for i in range(n)], dtype=object),
        "phone": phone, "channel": channel, "existing_customer": existing.astype(float), "age": age,
        "monthly_income": income, "bureau_score": bureau, "delinquencies_24m": delinq,
        "utilization": util, "open_credit_lines": lines, "months_since_last_contact": since,
        "prior_responses_12m": prior.astype(float), "email_opens_90d": opens.astype(float),
        "web_visits_30d": visits.astype(float), "marketing_opt_out": opt_out.astype(float),
        "in_collections": collections.astype(float),
    }
    ch = {"email": -0.3, "sms": 0.0, "app_push": 0.4}
    resp_logit = (-2.6 + 0.9 * u + 0.5 * existing - 0.03 * np.nan_to_num(since, nan=18) - 0.012 * (age - 40)
                  + np.array([ch[c] for c in channel]))
    responded = rng.random(n) < 1 / (1 + np.exp(-resp_logit))
    bad_logit = -2.9 - 1.3 * q + 0.4 * thin - 0.25 * existing + 0.15 * (age < 25)
    bad = rng.random(n) < 1 / (1 + np.exp(-bad_logit))
    return cols, responded.astype(float), bad.astype(float)


def load_models(bundle_dir: Path = BUNDLE_DIR):
    booster = bg.load_booster(bundle_dir / "models" / "risk.json")
    lj = json.loads((bundle_dir / "models" / "response.json").read_text())
    response = bg.LogisticModel([f["name"] for f in lj["features"]], lj["intercept"],
                                np.array([f["coefficient"] for f in lj["features"]]),
                                np.array([f["mean"] for f in lj["features"]]))
    return booster, response


def load_policy(bundle_dir: Path = BUNDLE_DIR) -> bg.Policy:
    p, bands = bg.read_policy(bundle_dir)
    existing = p["segments"][0]["cutoffs"]
    return make_policy(p["cutoffs"][0]["above"], existing[0]["above"], p["cutoffs"][1]["below"],
                       existing[1]["below"], bands)


def oracle(policy: bg.Policy, cols: dict[str, np.ndarray], booster, response: bg.LogisticModel) -> list[dict]:
    f = features(cols)
    risk, risk_c = bg.xgboost_scores(booster, bg.matrix(f, RISK_INPUTS), RISK_INPUTS)
    resp, resp_c = response.scores(bg.matrix(f, RESPONSE_INPUTS))
    return bg.decide_all(policy, RULES, f, {
        "response": (resp, resp_c, [CATALOGUE[i][0] for i in RESPONSE_INPUTS]),
        "risk": (risk, risk_c, [CATALOGUE[i][0] for i in RISK_INPUTS])})


def expected_decisions(records: list[dict], bundle_dir: Path = BUNDLE_DIR) -> list[dict]:
    """The oracle for `records`, from the bundle's model files and bundle.json's thresholds."""
    booster, response = load_models(bundle_dir)
    out = oracle(load_policy(bundle_dir), bg.to_columns(records, SCHEMA), booster, response)
    for d, r in zip(out, records):
        d["event_id"] = bg.pseudonym(r["customer_id"])
    return out


def example_records(cols, test_idx, decisions) -> list[dict]:
    """Holdout leads spread over every outcome and segment, then hand-made edge cases."""
    picked = []
    for action in ("target", "hold", "exclude"):
        for seg in ("existing", "prospect"):
            idx = [i for i, d in zip(test_idx, decisions) if d["action"] == action and d["segment"] == seg]
            picked += idx[:4]
    recs = [bg.record_at(cols, int(i), SCHEMA) for i in picked]
    base = dict(recs[0])
    edits = [
        {"marketing_opt_out": True},
        {"age": 17},
        {"existing_customer": True, "in_collections": True},
        {"delinquencies_24m": 4},
        {"months_since_last_contact": 0},
        {"channel": "sms", "phone": None},
        {"bureau_score": None, "delinquencies_24m": None, "utilization": None, "open_credit_lines": 0},
        {"monthly_income": -1},
    ]
    for k, e in enumerate(edits):
        r = {**base, **e, "customer_id": f"C9{k:05d}"}
        recs.append({key: v for key, v in r.items() if v is not None})
    return recs


def readme(m: dict) -> str:
    shares, ex = bg.listing(m["shares"], ".1%"), bg.listing(m["example_counts"])
    return f"""# `acquisition` example bundle — marketing leads → audience segments

Generated by `scripts/make_acquisition_bundle.py` (deterministic; do not edit by hand).
Walkthrough: docs/stages.md#acquisition.

Each lead (`customer_id`, the campaign's channel, what the bureau pre-screen and our own
records say) gets one of the stage's outcomes: **`target`** (send the offer),
**`hold`** (not this time: contacted recently, no phone for SMS, or too unlikely to
respond) or **`exclude`** (opted out, under age, in collections, or too risky to
pre-approve), with the product and limit of the `offer` table for its risk grade.

- **Models**: `response` — logistic regression (`models/response.json`) on
  engagement and contact history; `risk` — XGBoost pre-screen default model
  (`models/risk.json`, {m["rounds"]} trees of depth {m["depth"]}).
- **Rules**: A001–A004 exclude (opt-out, age, collections, bureau delinquency),
  A005–A006 hold (contact cap, SMS without phone), A007 flags thin files.
- **Segments**: `existing` customers get looser cut-offs than `prospect`s
  (risk > {m["risk_cut_existing"]} / response < {m["response_cut_existing"]} against
  {m["risk_cut"]} / {m["response_cut"]}).
- **Privacy**: `customer_id` and `phone` are `pii`; the decision's `event_id` is the
  customer's pseudonym, so the exported audience holds pseudonyms only. Run with
  `RISKKIT_PSEUDONYM_KEY` set (docs/privacy.md).

## Measured (holdout of {m["n_test"]:,} leads of {m["n"]:,} synthetic ones)

| figure | value |
|---|---|
| response model AUC (holdout) | {m["auc_response"]:.4f} |
| risk model AUC (holdout) | {m["auc_risk"]:.4f} |
| response rate / bad rate | {m["response_rate"]:.1%} / {m["bad_rate"]:.1%} |
| outcome shares | {shares} |
| automated share (not `hold`) | {m["automated"]:.1%} |
| response rate of `target` vs all | {m["target_response"]:.1%} vs {m["response_rate"]:.1%} |

## Files

- `bundle.json`, `reasons.json`, `models/` — the bundle (`riskkit validate` passes).
- `records.jsonl`, `records.csv` — {m["n_examples"]} example leads ({ex}).
- `expected.json` — each example's decision as the generator's oracle predicts it
  (XGBoost and scikit-learn predictions + a Python re-implementation of the policy);
  tests/python/test_stage_bundles.py checks the engine against it.

```sh
export RISKKIT_PSEUDONYM_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
build/bin/riskkit decide --bundle examples/bundles/acquisition --input examples/bundles/acquisition/records.jsonl --output -
```
"""


def main() -> int:
    cols, responded, bad = generate()
    n = len(responded)
    f = features(cols)
    train_idx, test_idx = bg.holdout_split(n, SEED + 1)

    depth, rounds = 3, 150
    Xr = bg.matrix(f, RISK_INPUTS)
    booster = bg.train_xgboost(Xr[train_idx], bad[train_idx], RISK_INPUTS,
                               {"max_depth": depth, "eta": 0.08, "min_child_weight": 10, "subsample": 0.9,
                                "seed": 3, "tree_method": "hist"}, rounds)
    response = bg.LogisticModel.fit(bg.matrix(f, RESPONSE_INPUTS)[train_idx], responded[train_idx], RESPONSE_INPUTS)

    models = BUNDLE_DIR / "models"
    models.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(models / "risk.json"))
    bg.write_text(models / "response.json", bg.json_text(response.to_json()))

    risk_all, _ = bg.xgboost_scores(booster, Xr, RISK_INPUTS)
    resp_all, _ = response.scores(bg.matrix(f, RESPONSE_INPUTS))
    tr = train_idx
    prospects = tr[cols["existing_customer"][tr] == 0]
    existing = tr[cols["existing_customer"][tr] == 1]
    policy = make_policy(bg.quantile(risk_all[prospects], 0.85), bg.quantile(risk_all[existing], 0.93),
                         bg.quantile(resp_all[prospects], 0.25), bg.quantile(resp_all[existing], 0.15),
                         [("A", bg.quantile(risk_all[tr], 0.25)), ("B", bg.quantile(risk_all[tr], 0.55)),
                          ("C", bg.quantile(risk_all[tr], 0.85)), ("D", None)])

    bg.write_bundle(BUNDLE_DIR, {
        "name": "lead-acquisition", "version": "2026.11.1", "stage": "acquisition",
        "description": "Marketing leads: response and pre-screen risk -> target / hold / exclude",
    }, SCHEMA, FEATURES, RULES, {
        "response": bg.model_entry(BUNDLE_DIR, "response.json", "logistic", RESPONSE_INPUTS),
        "risk": bg.model_entry(BUNDLE_DIR, "risk.json", "xgboost", RISK_INPUTS)}, policy, CATALOGUE)

    sub = {k: v[test_idx] for k, v in cols.items()}
    decisions = oracle(policy, sub, booster, response)
    shares, automated = bg.outcome_shares(policy, decisions)
    records = example_records(cols, test_idx, decisions)
    counts = bg.write_examples(BUNDLE_DIR, policy, records, SCHEMA, expected_decisions)

    target = np.array([d["action"] == "target" for d in decisions])
    m = {"n": n, "n_test": len(test_idx), "rounds": rounds, "depth": depth,
         "auc_response": bg.auc(responded[test_idx], resp_all[test_idx]),
         "auc_risk": bg.auc(bad[test_idx], risk_all[test_idx]),
         "response_rate": responded[test_idx].mean(), "bad_rate": bad[test_idx].mean(),
         "shares": shares, "automated": automated, "target_response": responded[test_idx][target].mean(),
         "risk_cut": policy.cutoffs[0].threshold, "response_cut": policy.cutoffs[1].threshold,
         "risk_cut_existing": policy.segments[0].cutoffs[0].threshold,
         "response_cut_existing": policy.segments[0].cutoffs[1].threshold,
         "n_examples": len(records), "example_counts": counts}
    bg.write_readme(BUNDLE_DIR, readme(m), m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
