#!/usr/bin/env python3
"""Build the `application` example bundle (examples/bundles/application/).

Deterministic: fixed seeds, single-threaded XGBoost, stable JSON output, so every run
writes the same bytes. Run from the repository root:

    .venv/bin/python scripts/make_example_bundle.py

Steps:
  1. generate a synthetic stream of consumer cash-loan applications in event-time order:
     latent credit quality drives default through monotone relations with interactions
     and noise; customers re-apply (smaller amounts, hours later: loan stacking), and
     fraud rings push many synthetic identities through a few devices, phones and
     e-mail addresses within minutes;
  2. conform them to the bundle schema and compute the bundle's features with a small
     vectorised interpreter of the expression subset the bundle uses (the very same
     expression strings that go into bundle.json, so Python and the engine cannot
     drift apart silently), `map` and `bins` encodings, and the velocity features exactly
     as docs/features.md defines them (prior events of the entity in `(t - window, t]`);
  3. train an XGBoost binary:logistic credit model, a bureau scorecard (fixed bins, WOE,
     logistic regression, points) and a logistic shadow model;
  4. write bundle.json, reasons.json and the three model files;
  5. write example applications (JSONL + CSV, in event-time order) and a
     missing-required test record;
  6. write the bundle README with the figures measured here and every example's expected
     decision (outcome, grade, segment, arm, limit, price) from `expected_decisions`.

The module can be imported (tests do): nothing runs at import time. The public helpers
are `SCHEMA`, `FEATURES`, `RULES`, `MODEL_INPUTS`, `conform_records`,
`conform_columns`, `compute_features`, `feature_matrix`, `evaluate_rules`; the policy's
oracle is `expected_decisions`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundlegen as bg  # noqa: E402

ROOT = bg.ROOT
BUNDLE_DIR = ROOT / "examples" / "bundles" / "application"
MISSING_REQUIRED_PATH = ROOT / "tests" / "data" / "records" / "missing_required.jsonl"
# The challenger arm of a customer depends on its pseudonym, so the README's arms hold
# under the key the tests use (bg.TEST_PSEUDONYM_KEY; tests/python/conftest.py,
# tests/CMakeLists.txt).

SEED = 20261101
N_PRIMARY = 50_000            # first applications; re-applications and fraud rings come on top

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
    "loan_purpose": {"type": "string",
                     "description": "debt_consolidation, purchase, renovation, medical, education or other"},
    "requested_amount": {"type": "number", "required": True, "description": "Loan amount requested"},
    "term_months": {"type": "number", "required": True, "description": "Loan term in months"},
    "monthly_income": {"type": "number", "missing": [-999],
                       "description": "Declared net monthly income; -999 = not declared"},
    "monthly_debt": {"type": "number", "description": "Monthly payments on existing debt"},
    "housing_cost": {"type": "number", "description": "Monthly rent or mortgage payment"},
    "dependents": {"type": "number"},
    "marital_status": {"type": "string", "description": "single, married, divorced or widowed"},
    "employment_type": {"type": "string",
                        "description": "salaried, self_employed, contract, informal, retired or unemployed"},
    "employment_months": {"type": "number", "description": "Months with the current employer / activity"},
    "age": {"type": "number", "required": True, "description": "Applicant age in years"},
    "residence_months": {"type": "number", "description": "Months at the current address"},
    "housing": {"type": "string", "description": "own, rent or family"},
    "region": {"type": "string", "description": "Region of residence (eight regions)"},
    "education": {"type": "string", "description": "secondary, vocational, bachelor or postgraduate"},
    "bank_account_months": {"type": "number", "description": "Age of the salary bank account"},
    "bureau_score": {"type": "number", "description": "Credit bureau score 300-850; missing = no bureau file"},
    "bureau_inquiries_6m": {"type": "number", "description": "Hard credit inquiries in the last 6 months"},
    "delinquencies_24m": {"type": "number", "description": "Payments 30+ days late in the last 24 months"},
    "open_credit_lines": {"type": "number"},
    "utilization": {"type": "number", "description": "Revolving balance / limit; missing without revolving lines"},
    "existing_loans": {"type": "number", "description": "Open instalment loans"},
    "new_loans_30d": {"type": "number", "description": "Loans opened at other lenders in the last 30 days"},
    "bureau_balance": {"type": "number", "description": "Total outstanding balance at the bureau"},
    "oldest_account_months": {"type": "number", "description": "Age of the oldest bureau account"},
    "previous_defaults": {"type": "number", "description": "Loans ever written off or 90+ days late"},
    "email_domain_age_days": {"type": "number"},
    "phone_tenure_months": {"type": "number", "description": "Months the phone number has been with its carrier"},
    "device_age_days": {"type": "number", "description": "Days since the device was first seen"},
    "device_emulator": {"type": "bool", "description": "The device fingerprint looks like an emulator"},
    "proxy_ip": {"type": "bool", "description": "The IP address is a known proxy, VPN or hosting range"},
    "ip_country_mismatch": {"type": "bool", "description": "IP geolocation differs from the country of residence"},
    "id_verified": {"type": "bool", "description": "Identity document check passed"},
}

# --------------------------------------------------------------------------------------
# Features: (name, kind, source, description). kind is "expr" or "field" (source a
# string), or "map", "bins", "velocity" (source the object bundle.json holds).
# --------------------------------------------------------------------------------------

REGION_RISK = {"capital": -0.20, "central": -0.05, "north": 0.00, "south": 0.10, "east": 0.05,
               "west": 0.00, "coast": 0.15, "mountain": 0.25}


def _velocity(entity: str, window: str, agg: str, value: str | None = None) -> dict:
    spec = {"entity": [entity], "window": window, "agg": agg}
    if value:
        spec["value"] = value
    return spec


# Monthly instalment approximated without pow(): average outstanding balance is about
# amount * (n + 1) / (2n); at 2 % a month the interest part is 0.01 * amount * (n + 1) / n.
FEATURES: list[tuple[str, str, object, str]] = [
    # affordability
    ("dti", "expr", "monthly_debt / monthly_income", "Existing debt payments / income"),
    ("instalment", "expr", "requested_amount * (1 + 0.01 * (term_months + 1)) / term_months",
     "Approximate monthly instalment of the new loan (about 24% APR)"),
    ("payment_to_income", "expr", "instalment / monthly_income", "New instalment / income"),
    ("total_dti", "expr", "dti + payment_to_income", "All debt payments incl. the new loan / income"),
    ("housing_cost_ratio", "expr", "housing_cost / monthly_income", "Rent or mortgage / income"),
    ("disposable_income", "expr", "monthly_income - monthly_debt - coalesce(housing_cost, 0) - instalment",
     "Income left after debt, housing and the new instalment"),
    ("loan_to_income", "expr", "requested_amount / monthly_income", "Requested amount / monthly income"),
    ("log_income", "expr", "log(monthly_income)", "Natural log of monthly income"),
    ("income_per_person", "expr", "monthly_income / (dependents + 1)", "Income per household member"),
    ("income_missing", "expr", "is_missing(monthly_income)", "1 when income was not declared"),
    ("large_amount", "expr", "requested_amount >= 20000", "1 for 20,000 and more"),
    ("maturity_age", "expr", "age + term_months / 12", "Applicant age at the end of the loan"),
    # bureau
    ("thin_file", "expr", "is_missing(bureau_score)", "1 when the bureau has no file"),
    ("bureau_score_woe", "bins", {"input": "bureau_score", "edges": [560, 600, 640, 680, 720, 760],
                                  "woe": [-1.10, -0.62, -0.25, 0.08, 0.42, 0.78, 1.15], "missing": -0.35},
     "Bureau score as weight of evidence; no file = -0.35"),
    ("utilization_capped", "expr", "clamp(utilization, 0, 1.5)", "Revolving utilisation capped at 150%"),
    ("utilization_high", "expr", "utilization >= 0.9", "1 at 90% utilisation and more"),
    ("no_revolving", "expr", "is_missing(utilization)", "1 without revolving credit lines"),
    ("inquiries_per_line", "expr", "bureau_inquiries_6m / max(open_credit_lines, 1)",
     "Recent inquiries relative to the depth of the credit file"),
    ("recent_delinquency", "expr", "delinquencies_24m > 0", "1 with a late payment in 24 months"),
    ("history_years", "expr", "oldest_account_months / 12", "Length of credit history in years"),
    ("balance_to_income", "expr", "bureau_balance / monthly_income",
     "Bureau balances in months of income"),
    ("loans_opened_recently", "expr", "new_loans_30d >= 2", "1 with two or more loans opened in 30 days"),
    # applicant
    ("employment_rank", "map", {"input": "employment_type",
                                "values": {"salaried": 4, "self_employed": 3, "contract": 3, "retired": 2,
                                           "informal": 1, "unemployed": 0}, "missing": 2},
     "Stability of the income source, 0 (none) to 4 (salaried)"),
    ("self_employed", "expr", "employment_type in [\"self_employed\", \"informal\"]",
     "1 for self-employed or informal income"),
    ("short_employment", "expr", "employment_months < 6", "1 below six months in the job"),
    ("young_applicant", "expr", "age < 25", "1 under 25"),
    ("renting", "expr", "housing == \"rent\"", "1 when the applicant rents"),
    ("home_owner", "expr", "housing == \"own\"", "1 when the applicant owns the home"),
    ("short_residence", "expr", "residence_months < 6", "1 below six months at the address"),
    ("married", "expr", "marital_status == \"married\"", "1 when married"),
    ("education_rank", "map", {"input": "education",
                               "values": {"secondary": 1, "vocational": 2, "bachelor": 3, "postgraduate": 4},
                               "other": 1, "missing": 1}, "Education level 1-4"),
    ("higher_education", "expr", "education_rank >= 3", "1 with a degree"),
    ("region_risk", "map", {"input": "region", "values": REGION_RISK, "other": 0, "missing": 0},
     "Regional default-rate offset (log-odds, from the lender's book)"),
    ("new_bank_account", "expr", "bank_account_months < 3", "1 when the salary account is under 3 months old"),
    ("debt_consolidation", "expr", "loan_purpose == \"debt_consolidation\"", "1 for debt consolidation"),
    # channel and time
    ("online_channel", "expr", "channel in [\"web\", \"h5\"]", "1 for browser applications"),
    ("agent_channel", "expr", "channel == \"agent\"", "1 for applications taken by an agent"),
    ("express_product", "expr", "product == \"express\"", "1 for the express (same-day) product"),
    ("top_up_product", "expr", "product == \"top_up\"", "1 for a top-up of an existing loan"),
    ("application_hour", "expr", "hour_of_day(applied_at)", "Hour of the application, UTC"),
    ("night_application", "expr", "application_hour < 6 or application_hour >= 23", "1 between 23:00 and 06:00"),
    ("weekend_application", "expr", "day_of_week(applied_at) >= 6", "1 on Saturday or Sunday"),
    # device and identity
    ("fresh_email", "expr", "email_domain_age_days < 30", "1 when the e-mail domain is under 30 days old"),
    ("fresh_phone", "expr", "phone_tenure_months < 1", "1 when the phone number is under a month old"),
    ("fresh_device", "expr", "device_age_days < 2", "1 when the device was first seen under 2 days ago"),
    ("fresh_identity", "expr", "fresh_email + fresh_phone + fresh_device",
     "How many of e-mail, phone and device are new (0-3)"),
    ("emulator", "field", "device_emulator", "Emulator fingerprint as 1/0"),
    ("proxy", "field", "proxy_ip", "Proxy / VPN IP as 1/0"),
    ("ip_mismatch", "field", "ip_country_mismatch", "IP country mismatch as 1/0"),
    ("id_verified_flag", "field", "id_verified", "Identity verified as 1/0"),
    # velocity: prior events of the same entity in (t - window, t]
    ("apps_per_device_1h", "velocity", _velocity("device_id", "1h", "count"),
     "Applications from this device in the last hour"),
    ("customers_per_device_24h", "velocity", _velocity("device_id", "24h", "distinct_count", "customer_id"),
     "Distinct customers who applied from this device in the last 24 hours"),
    ("apps_per_phone_7d", "velocity", _velocity("phone", "7d", "count"),
     "Applications with this phone number in the last 7 days"),
    ("devices_per_email_7d", "velocity", _velocity("email", "7d", "distinct_count", "device_id"),
     "Distinct devices used with this e-mail address in the last 7 days"),
    ("apps_per_customer_24h", "velocity", _velocity("customer_id", "24h", "count"),
     "Applications by this customer in the last 24 hours"),
    ("amount_per_customer_7d", "velocity", _velocity("customer_id", "7d", "sum", "requested_amount"),
     "Amount this customer requested in the last 7 days"),
    ("device_shared", "expr", "customers_per_device_24h >= 1", "1 when another customer used this device today"),
    ("repeat_applicant", "expr", "apps_per_customer_24h >= 1", "1 when the customer applied earlier today"),
    ("stacking_ratio", "expr", "(amount_per_customer_7d + requested_amount) / monthly_income",
     "Amount requested this week, this application included, in months of income"),
]

VELOCITY_FEATURES = [name for name, kind, *_ in FEATURES if kind == "velocity"]

# The credit model's inputs, in column order (fields or features).
MODEL_INPUTS: list[str] = [
    "dti", "payment_to_income", "total_dti", "housing_cost_ratio", "disposable_income", "loan_to_income",
    "log_income", "income_per_person", "bureau_score", "thin_file", "bureau_inquiries_6m", "inquiries_per_line",
    "delinquencies_24m", "utilization_capped", "open_credit_lines", "existing_loans", "new_loans_30d",
    "history_years", "balance_to_income", "employment_rank", "employment_months", "age", "residence_months",
    "renting", "home_owner", "married", "education_rank", "region_risk", "bank_account_months",
    "debt_consolidation", "online_channel", "agent_channel", "express_product", "top_up_product",
    "no_revolving", "requested_amount", "term_months", "night_application",
    "weekend_application", "email_domain_age_days", "phone_tenure_months", "device_age_days", "emulator",
    "proxy", "ip_mismatch", "id_verified_flag", "apps_per_device_1h", "customers_per_device_24h",
    "apps_per_phone_7d", "devices_per_email_7d", "apps_per_customer_24h", "amount_per_customer_7d",
    "stacking_ratio",
]

# The bureau scorecard: characteristic -> fixed bin edges (float32-exact), in column order.
SCORECARD_BINS: dict[str, list[float]] = {
    "bureau_score": [540, 580, 620, 660, 700, 740],
    "utilization": [0.25, 0.5, 0.75, 1.0],
    "delinquencies_24m": [1, 2],
    "bureau_inquiries_6m": [1, 2, 4, 6],
    "history_years": [1, 3, 6, 10],
    "existing_loans": [1, 2, 4],
    "new_loans_30d": [1, 2],
    "balance_to_income": [1, 3, 6, 12],
}
SCORECARD_INPUTS = list(SCORECARD_BINS)
SCORECARD_SCALING = {"base_points": 600, "base_odds": 50, "pdo": 20}

# The logistic shadow model (scored and logged, never deciding): a simpler candidate.
SHADOW_INPUTS = ["total_dti", "log_income", "bureau_score_woe", "delinquencies_24m", "utilization_capped",
                 "employment_rank", "age", "id_verified_flag", "apps_per_customer_24h", "customers_per_device_24h"]

# Adverse-action reasons, one per model input (used when the feature pushed risk up).
# The velocity counts share one reason (a catalogue group).
REASONS: dict[str, tuple[str, str]] = {
    "dti": ("R01", "Debt obligations are high relative to income"),
    "payment_to_income": ("R02", "The monthly payment on this loan is high relative to income"),
    "total_dti": ("R03", "Total monthly debt payments including this loan are too high relative to income"),
    "housing_cost_ratio": ("R04", "Housing costs are high relative to income"),
    "disposable_income": ("R05", "Income left after obligations is insufficient"),
    "loan_to_income": ("R06", "The amount requested is high relative to income"),
    "log_income": ("R07", "Income is insufficient for the amount of credit requested"),
    "income_per_person": ("R08", "Income is low relative to the number of dependents"),
    "bureau_score": ("R09", "Credit bureau score is too low"),
    "thin_file": ("R10", "Insufficient credit history at the credit bureau"),
    "bureau_inquiries_6m": ("R11", "Too many recent credit inquiries"),
    "inquiries_per_line": ("R12", "Number of recent inquiries is high for the length of credit history"),
    "delinquencies_24m": ("R13", "Delinquent payments on credit obligations in the last 24 months"),
    "utilization_capped": ("R14", "Balances on revolving accounts are high relative to credit limits"),
    "utilization": ("R15", "Proportion of revolving balances to credit limits is too high"),
    "open_credit_lines": ("R16", "Number of open credit accounts"),
    "existing_loans": ("R17", "Too many open instalment loans"),
    "new_loans_30d": ("R18", "Too many loans opened recently"),
    "history_years": ("R19", "Length of credit history is insufficient"),
    "balance_to_income": ("R20", "Outstanding balances are high relative to income"),
    "employment_rank": ("R21", "Income source could not be assessed as stable"),
    "employment_months": ("R22", "Length of employment is insufficient"),
    "age": ("R23", "Limited length of adult borrowing experience"),
    "residence_months": ("R24", "Length of time at current address is insufficient"),
    "renting": ("R25", "Housing status (renting)"),
    "home_owner": ("R26", "No home ownership on record"),
    "married": ("R27", "Household composition"),
    "education_rank": ("R28", "Education level"),
    "region_risk": ("R29", "Region of residence"),
    "bank_account_months": ("R30", "Length of relationship with the salary bank is insufficient"),
    "debt_consolidation": ("R31", "Purpose of the loan (consolidating existing debt)"),
    "online_channel": ("R32", "Application channel"),
    "requested_amount": ("R33", "The amount of credit requested is too high"),
    "term_months": ("R34", "The loan term requested"),
    "night_application": ("R35", "Time of application"),
    "weekend_application": ("R36", "Day of application"),
    "email_domain_age_days": ("R37", "The email address could not be established as long-standing"),
    "phone_tenure_months": ("R38", "The phone number has been in use for a short time"),
    "device_age_days": ("R39", "The device used to apply was recently first seen"),
    "emulator": ("R40", "The device used to apply could not be verified"),
    "proxy": ("R41", "The connection used to apply could not be verified"),
    "ip_mismatch": ("R42", "Application location does not match the country of residence"),
    "id_verified_flag": ("R43", "Identity could not be fully verified"),
    "stacking_ratio": ("R45", "Several recent loan requests add up to a large amount relative to income"),
    "agent_channel": ("R46", "Application channel (agent)"),
    "express_product": ("R47", "Product requested (express)"),
    "top_up_product": ("R48", "Product requested (top-up of an existing loan)"),
    "no_revolving": ("R49", "No revolving credit accounts on record"),
}
VELOCITY_REASON = ("R44", "Several recent applications linked to the same device, phone, e-mail address or customer")

# Rules: (id, when, action, code, text, description). Fraud rules first, then policy.
RULES: list[tuple[str, str, str, str, str, str]] = [
    ("F001", "id_verified == false or is_missing(id_verified)", "review", "F01",
     "We could not verify your identity document", "Identity check failed or was not performed"),
    ("F002", "apps_per_device_1h >= 3", "review", "F02",
     "Several applications were made from the same device in the last hour", "Device velocity"),
    ("F003", "customers_per_device_24h >= 3", "decline", "F03",
     "Application pattern is consistent with fraudulent activity",
     "Three or more other customers on this device today: typical of application farms"),
    ("F004", "apps_per_phone_7d >= 4", "review", "F04",
     "Several applications were made with the same phone number in the last 7 days", "Phone velocity"),
    ("F005", "ip_country_mismatch == true and night_application == 1", "flag", "F05",
     "Application made at night from an IP address outside the country of residence",
     "Recorded for the fraud team; does not change the outcome"),
    ("F006", "fresh_identity == 3", "review", "F06",
     "The email address, phone number and device are all newly created", "Synthetic-identity pattern"),
    ("F007", "fresh_device == 1 and large_amount == 1 and online_channel == 1", "flag", "F07",
     "Large online application from a device never seen before", "Recorded for the fraud team"),
    ("F008", "device_emulator == true and id_verified == false", "decline", "F08",
     "Application pattern is consistent with automated fraud", "Emulator with a failed identity check"),
    ("F009", "device_emulator == true", "flag", "F09",
     "The device fingerprint looks like an emulator", "Recorded for the fraud team"),
    ("F010", "proxy_ip == true and ip_country_mismatch == true", "flag", "F10",
     "Application made through a foreign proxy or VPN", "Recorded for the fraud team"),
    ("F011", "devices_per_email_7d >= 3", "review", "F11",
     "The email address was used from several devices in the last 7 days", "Account-takeover pattern"),
    ("F012", "device_shared == 1", "flag", "F12",
     "Another customer applied from this device today", "Shared device; recorded"),
    ("F013", "apps_per_device_1h >= 6", "decline", "F13",
     "Application pattern is consistent with fraudulent activity", "Extreme device velocity"),
    ("F014", "email_domain_age_days < 7", "flag", "F14",
     "The email domain was registered in the last week", "Recorded for the fraud team"),
    ("F015", "apps_per_customer_24h >= 3", "decline", "F15",
     "Too many applications in the last 24 hours", "Fourth application in a day: loan stacking"),
    ("F016", "night_application == 1 and requested_amount >= 30000", "flag", "F16",
     "Large application made at night", "Recorded for the fraud team"),
    ("F017", "age >= 70 and online_channel == 1 and fresh_device == 1", "flag", "F17",
     "Online application by an older applicant from a new device", "Possible account takeover; recorded"),
    ("F018", "fresh_identity >= 2 and id_verified == false", "decline", "F18",
     "Identity could not be established", "New phone or e-mail and a failed identity check"),
    ("P001", "age < 18", "decline", "P01", "Applicant is below the minimum age of 18", "Legal minimum age"),
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
    ("P008", "thin_file == 1 and requested_amount > 25000", "decline", "P08",
     "No credit history at the bureau for the amount requested", "Thin file with a large amount"),
    ("P009", "income_missing == 1", "review", "P09",
     "Income was not declared or could not be read", "Income needed for affordability"),
    ("P010", "loan_to_income > 10", "decline", "P10",
     "Requested amount is high relative to income", "More than 10 months of income"),
    ("P011", "bureau_inquiries_6m >= 10", "review", "P11", "Many recent credit inquiries", "Credit hunger"),
    ("P012", "employment_months < 3 and employment_type == \"salaried\"", "flag", "P12",
     "Employment shorter than 3 months", "Recorded; probation period"),
    ("P013", "disposable_income < 0", "decline", "P13",
     "Income does not cover existing obligations, housing and this loan", "Negative disposable income"),
    ("P014", "new_loans_30d >= 4", "decline", "P14",
     "Too many loans opened in the last 30 days", "Loan stacking at other lenders"),
    ("P015", "stacking_ratio > 12", "decline", "P15",
     "Loan requests this week are too high relative to income", "Amount requested in 7 days incl. this one"),
    ("P016", "utilization >= 1.2", "flag", "P16", "Revolving accounts over their limits", "Over-limit; recorded"),
    ("P017", "requested_amount > 30000 and bureau_score < 600", "decline", "P17",
     "Amount requested is too high for the credit bureau score", "Large amount, weak file"),
    ("P018", "age < 21 and requested_amount > 10000", "decline", "P18",
     "Amount requested is too high for an applicant under 21", "Young applicant limit"),
    ("P019", "term_months > 24 and age >= 65", "flag", "P19", "Long term for an older applicant", "Recorded"),
    ("P020", "housing_cost_ratio > 0.6", "decline", "P20",
     "Housing costs exceed 60% of income", "Affordability limit on housing"),
    ("P021", "existing_loans >= 6", "decline", "P21", "Too many open instalment loans", "Over-indebtedness"),
    ("P022", "employment_type == \"informal\" and requested_amount > 15000", "decline", "P22",
     "Amount requested is too high for an informal income", "Informal income limit"),
    ("P023", "new_bank_account == 1 and online_channel == 1", "flag", "P23",
     "Salary account opened in the last 3 months", "Recorded"),
    ("P024", "recent_delinquency == 1 and utilization_high == 1", "flag", "P24",
     "Recent late payment with revolving accounts near their limits", "Recorded"),
    ("P025", "debt_consolidation == 1 and total_dti > 0.6", "flag", "P25",
     "Debt consolidation with high total obligations", "Recorded for collections strategy"),
    ("P026", "dependents >= 4 and income_per_person < 800", "decline", "P26",
     "Income is too low for the size of the household", "Household affordability"),
    ("P027", "employment_type == \"retired\" and term_months > 24", "flag", "P27",
     "Long term for a retired applicant", "Recorded"),
    ("P028", "short_residence == 1 and renting == 1", "flag", "P28", "Recently moved into rented housing", "Recorded"),
    ("P029", "self_employed == 1 and employment_months < 3", "decline", "P29",
     "Self-employment is too recent", "Three months of self-employment needed"),
    ("P030", "balance_to_income > 24", "decline", "P30",
     "Outstanding balances exceed two years of income", "Over-indebtedness"),
    ("P031", "requested_amount < 500", "decline", "P31",
     "The amount requested is below our minimum of 500", "Product minimum"),
    ("P032", "term_months > 36", "decline", "P32", "The term requested exceeds 36 months", "Product maximum"),
]

CUTOFF_DECLINE_RATE = 0.11    # target share declined by the credit score alone
CUTOFF_REVIEW_RATE = 0.008    # further share referred by the credit score alone (≥ 97% automated)
SCORECARD_DECLINE_RATE = 0.02  # share of bureau files declined on the scorecard's points alone
THIN_DECLINE_RATE = 0.16      # thin files: a stricter PD cutoff (segment `thin_file`)
CUTOFF_DECLINE_REASON = {"code": "P90", "text": "Overall credit risk is too high for the loan requested"}
CUTOFF_REVIEW_REASON = {"code": "P91", "text": "The application needs a manual credit review"}
SCORECARD_DECLINE_REASON = {"code": "P92", "text": "Credit bureau record is too weak"}
THIN_DECLINE_REASON = {"code": "P93", "text": "Credit risk is too high for an applicant without a credit history"}

# Limits by grade and monthly income, prices by grade and term (decision tables).
LIMIT_ROWS = [
    ["A", ">= 8000", 40000], ["A", "[4000, 8000)", 25000], ["A", "-", 12000],
    ["B", ">= 8000", 30000], ["B", "[4000, 8000)", 18000], ["B", "-", 9000],
    ["C", ">= 8000", 18000], ["C", "[4000, 8000)", 10000], ["C", "-", 5000],
    ["D", ">= 4000", 6000], ["D", "-", 3000],
    ["-", "-", 0],
]
CHALLENGER_LIMIT_ROWS = [[g, inc, round(limit * 1.25)] for g, inc, limit in LIMIT_ROWS]
PRICE_ROWS = [
    ["A", "<= 12", 0.099], ["A", "-", 0.119],
    ["B", "<= 12", 0.149], ["B", "-", 0.169],
    ["C", "<= 12", 0.199], ["C", "-", 0.229],
    ["D", "-", 0.299],
    ["-", "-", None],
]
CHALLENGER = {"field": "customer_id", "salt": "2026-q4-limit-test",
              "arms": [("champion", 90), ("higher_limits", 10)]}

XGB_PARAMS = {
    "objective": "binary:logistic", "eval_metric": "auc", "max_depth": 5, "eta": 0.03,
    "subsample": 0.8, "colsample_bytree": 0.8, "min_child_weight": 20, "lambda": 1.0,
    "tree_method": "hist", "seed": 7, "nthread": 1,
}
XGB_ROUNDS = 500

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
        if fn == "coalesce":
            typ = vals[0][0]
            assert typ != "string" and all(t == typ for t, _ in vals), fn
            out = vals[0][1].copy()
            for _, c in vals[1:]:
                out = np.where(np.isnan(out), c, out)
            return typ, out
        if fn in ("hour_of_day", "day_of_week"):
            (t, c), = vals
            assert t == "timestamp", fn
            with np.errstate(invalid="ignore"):
                if fn == "hour_of_day":
                    return "number", np.floor(c / 3600.0) % 24
                return "number", (np.floor(c / 86400.0) + 3) % 7 + 1   # 1970-01-01 was a Thursday
        cols = []
        for t, c in vals:
            assert t == "number", (fn, t)
            cols.append(c)
        with np.errstate(all="ignore"):
            if fn == "min":
                return "number", np.minimum.reduce(cols)   # NaN propagates
            if fn == "max":
                return "number", np.maximum.reduce(cols)
            if fn == "clamp":
                x, lo, hi = cols
                return "number", np.where(lo > hi, np.nan, np.minimum(np.maximum(x, lo), hi))
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


_WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _event_column(role: str) -> str:
    return next(name for name, spec in SCHEMA.items() if spec.get("role") == role)


def _map_feature(spec: dict, env) -> np.ndarray:
    typ, col = env[spec["input"]]
    assert typ == "string", spec["input"]
    other, missing = spec.get("other", np.nan), spec.get("missing", np.nan)
    return np.array([missing if v is None else spec["values"].get(v, other) for v in col], dtype=np.float64)


def _bins_feature(spec: dict, env) -> np.ndarray:
    typ, col = env[spec["input"]]
    assert typ == "number", spec["input"]
    # Bin i is edges[i-1] <= x < edges[i]: an input on an edge goes to the upper bin.
    out = np.asarray(spec["woe"], dtype=np.float64)[np.searchsorted(spec["edges"], np.nan_to_num(col), side="right")]
    return np.where(np.isnan(col), spec.get("missing", np.nan), out)


def velocity_values(spec: dict, env) -> np.ndarray:
    """A velocity feature over a stream in event-time order (docs/features.md): for each
    event, the aggregate of the earlier events of its entity with time in (t - window, t];
    then the event is recorded (a value aggregation records only a present value). No
    event here is late or re-delivered: the stream is sorted and its event ids unique."""
    times = env[_event_column("event_time")][1]
    ids = env[_event_column("event_id")][1]
    assert np.all(np.diff(times[~np.isnan(times)]) >= 0), "velocity needs the stream in event-time order"
    window = int(spec["window"][:-1]) * _WINDOW_UNITS[spec["window"][-1]]
    (entity,) = spec["entity"]
    keys = env[entity][1]
    agg = spec["agg"]
    value = env[spec["value"]][1] if "value" in spec else None
    out = np.full(len(times), np.nan)
    recorded: dict[object, list[tuple[float, object]]] = {}
    for i, key in enumerate(keys):
        t = times[i]
        if key is None or np.isnan(t) or ids[i] is None:
            continue
        events = recorded.setdefault(key, [])
        prior = [v for when, v in events if t - window < when <= t]
        if agg == "count":
            out[i] = len(prior)
        elif agg == "sum":
            out[i] = float(sum(prior))
        elif agg == "distinct_count":
            out[i] = len(set(prior))
        else:
            raise AssertionError(agg)
        v = None if value is None else value[i]
        if value is not None and (v is None or (isinstance(v, float) and np.isnan(v))):
            continue
        events.append((t, v))
        while events and events[0][0] <= t - window:   # sorted stream: never read again
            events.pop(0)
    return out


def compute_features(env: dict[str, tuple[str, np.ndarray]]) -> dict[str, tuple[str, np.ndarray]]:
    """Adds every feature (as a number column) to a copy of the conformed columns. The rows
    are a stream in event-time order (velocity features read the earlier rows)."""
    env = dict(env)
    n = len(next(iter(env.values()))[1])
    for name, kind, source, _ in FEATURES:
        if kind == "field":
            typ, col = env[source]
            assert typ in ("number", "bool", "timestamp")
            env[name] = ("number", col.astype(np.float64))
        elif kind == "expr":
            typ, col = evaluate(source, env, n)
            assert typ in ("number", "bool"), (name, typ)
            env[name] = ("number", col.astype(np.float64))
        elif kind == "map":
            env[name] = ("number", _map_feature(source, env))
        elif kind == "bins":
            env[name] = ("number", _bins_feature(source, env))
        else:
            env[name] = ("number", velocity_values(source, env))
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


def _logit(p):
    return np.log(p / (1 - p))


START = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
DAYS = 304


def _primary(rng: np.random.Generator, n: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """First applications: (columns without identifiers, p_bad, is_fraud, event time in seconds)."""
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
    mu = rng.random(n)
    marital_status = np.select([mu < np.clip((age - 22) / 30, 0.05, 0.65), mu < np.clip((age - 22) / 30, 0.05, 0.65) + 0.08,
                                mu < np.clip((age - 22) / 30, 0.05, 0.65) + 0.08 + 0.03 * (age > 55)],
                               ["married", "divorced", "widowed"], "single").astype(object)

    u = rng.random(n) - 0.01 * np.clip(q, -2, 2)
    employment_type = np.select([u < 0.60, u < 0.74, u < 0.86, u < 0.96, u < 0.995],
                                ["salaried", "self_employed", "contract", "informal", "retired"],
                                "unemployed").astype(object)
    employment_type[(employment_type == "retired") & (age < 58)] = "salaried"
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
    income_undeclared = rng.random(n) < np.where(employment_type == "informal", 0.03, 0.003)
    monthly_income = np.where(income_undeclared, -999.0, true_income)

    has_debt = rng.random(n) < 0.78
    dti0 = np.clip(rng.beta(2.0, 8.0, n) + 0.05 * np.clip(-q, -2, 3), 0.0, 1.1)
    monthly_debt = np.where(has_debt, np.round(true_income * dti0 / 10) * 10, 0.0)

    lti = np.exp(rng.normal(0.6, 0.55, n) - 0.1 * np.clip(q, -2, 2))
    requested_amount = np.clip(np.round(true_income * lti / 100) * 100, 500, 50000)
    term_choices = np.array([3, 6, 9, 12, 18, 24, 36], dtype=float)
    term_idx = np.clip(np.round(2 + 1.6 * np.log(requested_amount / 2000) + rng.normal(0, 0.8, n)), 0, 6)
    term_months = term_choices[term_idx.astype(int)]
    term_months[(requested_amount >= 8000) & (term_months < 12)] = 12

    dependents = np.minimum(rng.poisson(np.where(age > 28, 1.2, 0.3)), 6).astype(float)

    thin = rng.random(n) < (0.05 + 0.18 * (age < 25) + 0.04 * (employment_type == "informal"))
    thin[fraud] = rng.random(fraud.sum()) < 0.5
    bureau_score = np.clip(np.round(655 + 55 * q + rng.normal(0, 50, n)), 300, 850)
    bureau_inquiries_6m = rng.poisson(np.exp(0.15 - 0.45 * q + 0.3 * rng.standard_normal(n))).astype(float)
    delinquencies_24m = rng.poisson(np.exp(-2.0 - 0.95 * q)).astype(float)
    open_credit_lines = np.minimum(rng.poisson(1.0 + 0.12 * np.maximum(age - 18, 0) + 0.3 * np.clip(q, 0, 2)), 25).astype(float)
    utilization = np.clip(rng.beta(2.0, 3.0, n) + 0.16 * np.clip(-q, -2, 3) + rng.normal(0, 0.05, n), 0, 1.9)
    existing_loans = np.minimum(rng.poisson(np.exp(-0.4 - 0.25 * q)), 9).astype(float)
    new_loans_30d = np.minimum(rng.poisson(np.exp(-2.2 - 0.55 * q)), 6).astype(float)
    oldest_account_months = np.minimum(np.round(rng.uniform(0.2, 1.0, n) * (age - 17) * 12 + 4 * q), (age - 17) * 12).clip(1)
    bureau_balance = np.round(true_income * rng.gamma(2.0, 1.6, n) * np.exp(-0.25 * q) * (existing_loans + 0.5) / 100) * 100
    previous_defaults = (rng.random(n) < _sigmoid(-4.4 - 1.1 * q)).astype(float)
    previous_defaults[previous_defaults > 0] += (rng.random(int(previous_defaults.sum())) < 0.2)
    for col in (bureau_score, oldest_account_months, bureau_balance):
        col[thin] = np.nan
    open_credit_lines[thin] = 0
    bureau_inquiries_6m[thin] = np.minimum(bureau_inquiries_6m[thin], 2)
    delinquencies_24m[thin] = 0
    existing_loans[thin] = 0
    new_loans_30d[thin] = 0
    previous_defaults[thin] = 0
    utilization[open_credit_lines == 0] = np.nan
    utilization = np.round(utilization, 3)

    housing_u = rng.random(n) + 0.012 * (age - 35) + 0.15 * q
    housing = np.select([housing_u > 0.85, housing_u > 0.35], ["own", "rent"], "family").astype(object)
    housing_cost = np.select([housing == "rent", housing == "own"],
                             [np.round(true_income * rng.beta(2.5, 8.0, n) / 10) * 10,
                              np.where(rng.random(n) < 0.4, np.round(true_income * rng.beta(2.0, 9.0, n) / 10) * 10, 0.0)],
                             0.0)
    housing_cost[rng.random(n) < 0.03] = np.nan     # not given
    residence_months = np.minimum(np.round(rng.exponential(20 + 1.8 * np.maximum(age - 18, 0), n)), (age - 15) * 12)
    bank_account_months = np.minimum(np.round(rng.exponential(30 + 2.0 * np.maximum(age - 18, 0), n)), (age - 16) * 12)
    regions = np.array(list(REGION_RISK), dtype=object)
    region = rng.choice(regions, n, p=[0.10, 0.16, 0.14, 0.14, 0.14, 0.12, 0.12, 0.08])
    region_lp = np.array([REGION_RISK[r] for r in region])

    email_domain_age_days = np.round(rng.choice([9500, 8200, 7300, 6100], n) + rng.normal(0, 30, n))
    small_domain = rng.random(n) < 0.08
    email_domain_age_days[small_domain] = np.round(rng.exponential(900, small_domain.sum()))
    phone_tenure_months = np.round(rng.exponential(40 + 1.2 * np.maximum(age - 18, 0), n))
    device_age_days = np.round(rng.exponential(420, n))
    device_emulator = rng.random(n) < 0.002
    proxy_ip = rng.random(n) < 0.02
    ip_country_mismatch = rng.random(n) < 0.012
    id_verified = rng.random(n) < 0.995
    hour_w = np.array([1, .6, .4, .3, .3, .5, 1.5, 3, 5, 6, 6.5, 6.5, 6, 6, 6, 6, 6, 6.5, 7, 7, 6, 5, 3.5, 2])
    hour = rng.choice(24, n, p=hour_w / hour_w.sum()).astype(float)
    channel = rng.choice(np.array(["app", "web", "h5", "agent"], dtype=object), n, p=[0.5, 0.25, 0.15, 0.10])
    product = rng.choice(np.array(["standard", "express", "top_up"], dtype=object), n, p=[0.62, 0.28, 0.10])
    product[(product == "top_up") & (existing_loans == 0)] = "standard"
    purpose_p = np.column_stack([0.20 + 0.08 * np.clip(-q, 0, 2), np.full(n, 0.32), np.full(n, 0.15),
                                 np.full(n, 0.07), np.full(n, 0.06), np.full(n, 0.20)])
    purpose_c = np.cumsum(purpose_p / purpose_p.sum(axis=1, keepdims=True), axis=1)
    purpose_idx = (rng.random(n)[:, None] > purpose_c).sum(axis=1)
    loan_purpose = np.array(["debt_consolidation", "purchase", "renovation", "medical", "education", "other"],
                            dtype=object)[purpose_idx]

    # The fraud segment: fresh identities, failed ID checks, emulators, proxies, nights.
    nf = int(fraud.sum())
    email_domain_age_days[fraud] = np.where(rng.random(nf) < 0.7, rng.integers(1, 60, nf), email_domain_age_days[fraud])
    phone_tenure_months[fraud] = np.where(rng.random(nf) < 0.7, rng.integers(0, 2, nf), phone_tenure_months[fraud])
    device_age_days[fraud] = np.where(rng.random(nf) < 0.75, rng.integers(0, 3, nf), device_age_days[fraud])
    device_emulator[fraud] = rng.random(nf) < 0.25
    proxy_ip[fraud] = rng.random(nf) < 0.40
    ip_country_mismatch[fraud] = rng.random(nf) < 0.45
    id_verified[fraud] = rng.random(nf) < 0.55
    hour[fraud] = np.where(rng.random(nf) < 0.55, rng.choice([0, 1, 2, 3, 4, 5, 23], nf), hour[fraud])
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
          + 1.0 * np.clip(np.nan_to_num(housing_cost) / inc - 0.25, 0, 0.5)
          + 0.10 * np.minimum(bureau_inquiries_6m, 10)
          + 0.40 * np.minimum(delinquencies_24m, 5)
          + 0.30 * new_loans_30d
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
          + 0.8 * region_lp
          + 0.20 * (loan_purpose == "debt_consolidation")
          - 0.004 * np.minimum(bank_account_months, 120)
          - 0.003 * np.minimum(residence_months, 120)
          + 0.2 * (1 - id_verified) + 0.1 * ip_country_mismatch
          + 1.7 * rng.standard_normal(n))
    lo, hi = -12.0, 4.0
    for _ in range(60):                                 # intercept for ~6.5 % credit defaults
        mid = (lo + hi) / 2
        if _sigmoid(mid + lp[~fraud]).mean() < 0.065:
            lo = mid
        else:
            hi = mid
    p_bad = np.where(fraud, 0.85, _sigmoid(lo + lp))

    day = rng.integers(0, DAYS, n)
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
    cols = {
        "channel": channel, "product": product, "loan_purpose": loan_purpose, "requested_amount": requested_amount,
        "term_months": term_months, "monthly_income": monthly_income, "monthly_debt": monthly_debt,
        "housing_cost": housing_cost, "dependents": dependents, "marital_status": marital_status,
        "employment_type": employment_type, "employment_months": employment_months, "age": age,
        "residence_months": residence_months, "housing": housing, "region": region, "education": education,
        "bank_account_months": bank_account_months, "bureau_score": bureau_score,
        "bureau_inquiries_6m": bureau_inquiries_6m, "delinquencies_24m": delinquencies_24m,
        "open_credit_lines": open_credit_lines, "utilization": utilization, "existing_loans": existing_loans,
        "new_loans_30d": new_loans_30d, "bureau_balance": bureau_balance,
        "oldest_account_months": oldest_account_months, "previous_defaults": previous_defaults,
        "email_domain_age_days": email_domain_age_days, "phone_tenure_months": phone_tenure_months,
        "device_age_days": device_age_days, "device_emulator": device_emulator, "proxy_ip": proxy_ip,
        "ip_country_mismatch": ip_country_mismatch, "id_verified": id_verified,
    }
    return cols, p_bad, fraud, seconds.astype(np.float64)


def _identities(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """One distinct customer, device, phone and e-mail address per row."""
    customer = rng.choice(90_000_000, n, replace=False) + 10_000_000
    phone = rng.choice(9_000_000, n, replace=False) + 1_000_000
    domains = np.array(["mail.example", "post.example", "inbox.example", "web.example"], dtype=object)
    return {
        "customer_id": np.array([f"C{c:08d}" for c in customer], dtype=object),
        "device_id": np.array([f"dev-{x:012x}" for x in rng.integers(0, 2**48, n)], dtype=object),
        "phone": np.array([f"+4477{p:07d}" for p in phone], dtype=object),
        "email": np.array([f"user{c}@{d}" for c, d in zip(customer, rng.choice(domains, n))], dtype=object),
    }


def generate(n: int = N_PRIMARY, seed: int = SEED) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Returns (raw columns as the upstream system would send them, in event-time order;
    bad; is_fraud). Three kinds of rows:

    - first applications, one identity each;
    - re-applications: a customer (more often a weak one) applies again 10 minutes to
      two days later with a smaller amount, usually from the same device, each time
      with one more bureau inquiry and a higher risk of default (loan stacking);
    - fraud rings: the fraud rows of the first applications, grouped in rings of 2-12
      synthetic customers who apply minutes apart through one or two devices and a few
      phones (application farms), or through one e-mail address from several devices
      (account takeover).
    """
    rng = np.random.default_rng(seed)
    cols, p_bad, fraud, seconds = _primary(rng, n)
    cols.update(_identities(rng, n))

    # Fraud rings share devices, phones or e-mail addresses, minutes apart.
    fraud_rows = np.flatnonzero(fraud)
    rng.shuffle(fraud_rows)
    k = 0
    while k < len(fraud_rows):
        size = min(int(rng.integers(2, 13)), len(fraud_rows) - k)
        ring = fraud_rows[k:k + size]
        k += size
        start = float(rng.integers(0, DAYS) * 86400 + rng.integers(0, 86400))
        seconds[ring] = start + np.cumsum(np.round(rng.exponential(360, size)))
        if rng.random() < 0.7:                          # application farm
            devices = cols["device_id"][ring[:int(rng.integers(1, 3))]].copy()
            phones = cols["phone"][ring[:int(rng.integers(1, 4))]].copy()
            cols["device_id"][ring] = rng.choice(devices, size)
            cols["phone"][ring] = rng.choice(phones, size)
        else:                                           # one e-mail address, many devices
            cols["email"][ring] = cols["email"][ring[0]]
            cols["customer_id"][ring] = cols["customer_id"][ring[0]]

    # Re-applications (loan stacking): copies of weak customers' applications, later.
    q_proxy = -_logit(np.clip(p_bad, 1e-6, 1 - 1e-6))
    again = np.flatnonzero(~fraud & (rng.random(n) < 0.16 * _sigmoid(-0.5 * (q_proxy - 3.0))))
    extra_rows, extra_p, extra_t = [], [], []
    for src in again:
        t = seconds[src]
        amount = cols["requested_amount"][src]
        for k in range(1, 2 + int(rng.poisson(0.5))):
            t = t + float(np.round(600 + rng.exponential(6 * 3600)))
            amount = max(500.0, float(np.round(amount * rng.uniform(0.55, 0.95) / 100) * 100))
            extra_rows.append((src, k, amount))
            extra_p.append(float(_sigmoid(_logit(p_bad[src]) + 0.35 * k)))
            extra_t.append(t)
    m = len(extra_rows)
    src_idx = np.array([s for s, _, _ in extra_rows], dtype=int)
    again_cols = {name: col[src_idx].copy() for name, col in cols.items()}
    again_cols["requested_amount"] = np.array([a for _, _, a in extra_rows])
    again_cols["bureau_inquiries_6m"] = again_cols["bureau_inquiries_6m"] + np.array([k for _, k, _ in extra_rows])
    new_device = rng.random(m) < 0.15
    again_cols["device_id"][new_device] = np.array([f"dev-{x:012x}" for x in rng.integers(0, 2**48, int(new_device.sum()))],
                                                   dtype=object)
    again_cols["device_age_days"][new_device] = rng.integers(0, 30, int(new_device.sum()))

    cols = {name: np.concatenate([col, again_cols[name]]) for name, col in cols.items()}
    p_bad = np.concatenate([p_bad, np.array(extra_p)])
    fraud = np.concatenate([fraud, np.zeros(m, dtype=bool)])
    seconds = np.concatenate([seconds, np.array(extra_t)])
    bad = (rng.random(len(p_bad)) < p_bad).astype(np.int32)

    # The stream in event-time order; ids in that order.
    order = np.argsort(seconds, kind="stable")
    cols = {name: col[order] for name, col in cols.items()}
    bad, fraud, seconds = bad[order], fraud[order], seconds[order]
    total = len(order)
    cols["application_id"] = np.array([f"A-{i + 1:06d}" for i in range(total)], dtype=object)
    cols["applied_at"] = np.array([(START + _dt.timedelta(seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%SZ")
                                   for s in seconds], dtype=object)
    cols = {name: cols[name] for name in SCHEMA}
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
# The bureau scorecard and the logistic shadow model (numpy only)
# --------------------------------------------------------------------------------------

def _fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-6) -> tuple[float, np.ndarray]:
    """Newton-Raphson for log-odds = a + X b (the intercept unpenalised)."""
    A = np.column_stack([np.ones(len(X)), X])
    beta = np.zeros(A.shape[1])
    penalty = np.full(A.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = _sigmoid(A @ beta)
        grad = A.T @ (p - y) + penalty * beta
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[0]), beta[1:]


def scorecard_bins(env, name: str) -> np.ndarray:
    """Bin index per row (len(edges) + 1 = missing), comparing in float32 as the engine does."""
    x = env[name][1].astype(np.float32)
    edges = np.asarray(SCORECARD_BINS[name], dtype=np.float32)
    idx = np.searchsorted(edges, np.nan_to_num(x), side="right")
    return np.where(np.isnan(x), len(edges) + 1, idx)


def fit_scorecard(env, y: np.ndarray) -> dict:
    """Fixed bins → WOE (Siddiqi: ln(share of goods / share of bads), 0.5 added to an
    empty side) → logistic regression on WOE → integer points (docs/scorecard.md)."""
    goods, bads = float((y == 0).sum()), float((y == 1).sum())
    woe_cols, tables = [], {}
    for name in SCORECARD_INPUTS:
        b = scorecard_bins(env, name)
        k = len(SCORECARD_BINS[name]) + 2
        g = np.bincount(b[y == 0], minlength=k).astype(float)
        d = np.bincount(b[y == 1], minlength=k).astype(float)
        empty_side = (g == 0) | (d == 0)
        g_s, d_s = np.where(empty_side & (g + d > 0), g + 0.5, g), np.where(empty_side & (g + d > 0), d + 0.5, d)
        woe = np.where(g + d > 0, np.log(np.maximum(g_s, 1e-300) / goods / (np.maximum(d_s, 1e-300) / bads)), 0.0)
        tables[name] = (woe, (g + d) / len(y))
        woe_cols.append(woe[b])
    alpha, beta = _fit_logistic(np.column_stack(woe_cols), y.astype(float))
    factor = SCORECARD_SCALING["pdo"] / math.log(2)
    offset = SCORECARD_SCALING["base_points"] - factor * math.log(SCORECARD_SCALING["base_odds"])
    characteristics = []
    for j, name in enumerate(SCORECARD_INPUTS):
        woe, share = tables[name]
        points = np.round(-factor * beta[j] * woe)
        characteristics.append({
            "name": name, "edges": SCORECARD_BINS[name], "points": [int(p) for p in points[:-1]],
            "missing_points": int(points[-1]), "expected_points": round(float((share * points).sum()), 4)})
    return {"riskkit_model": "scorecard", "format": 1, "intercept_points": int(round(offset - factor * alpha)),
            "scaling": SCORECARD_SCALING, "characteristics": characteristics}


def scorecard_points(card: dict, env) -> np.ndarray:
    """Total points: intercept, then each characteristic's points, in order, in double."""
    total = np.full(len(env[SCORECARD_INPUTS[0]][1]), float(card["intercept_points"]))
    for ch in card["characteristics"]:
        table = np.array(ch["points"] + [ch["missing_points"]], dtype=np.float64)
        total = total + table[scorecard_bins(env, ch["name"])]
    return total


def fit_shadow(env, y: np.ndarray) -> dict:
    """The logistic shadow model: missing inputs imputed with the training mean."""
    X = np.column_stack([env[name][1] for name in SHADOW_INPUTS])
    means = np.nanmean(X, axis=0)
    X = np.where(np.isnan(X), means, X)
    alpha, beta = _fit_logistic(X, y.astype(float), l2=1e-3)
    return {"riskkit_model": "logistic", "format": 1, "intercept": round(alpha, 8),
            "features": [{"name": n, "coefficient": round(float(b), 8), "mean": round(float(m), 8)}
                         for n, b, m in zip(SHADOW_INPUTS, beta, means)]}


# --------------------------------------------------------------------------------------
# The policy as an oracle (docs/bundle-format.md `policy`, docs/stages.md)
# --------------------------------------------------------------------------------------

SEGMENTS = [("thin_file", "thin_file == 1"), ("repeat_applicant", "repeat_applicant == 1"),
            ("online", "online_channel == 1")]


def challenger_arm(customer_id: str | None, key_hex: str = bg.TEST_PSEUDONYM_KEY) -> str:
    """Bucket = first 8 bytes of SHA-256(salt 0x1f pseudonym) mod 10000; arms in order."""
    arms = CHALLENGER["arms"]
    if customer_id is None:
        return arms[0][0]
    digest = hashlib.sha256((CHALLENGER["salt"] + "\x1f" + bg.pseudonym(customer_id, key_hex)).encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10000
    upper = 0
    for name, percent in arms:
        upper += round(percent * 100)
        if bucket < upper:
            return name
    return arms[-1][0]


def expected_decisions(env, p_credit: np.ndarray, points: np.ndarray, hits: dict[str, np.ndarray],
                       policy: dict) -> list[dict]:
    """Outcome, grade, segment, arm and table outputs per row, as the engine decides them:
    the strongest of the active rules' action, the first matching cutoff (the segment's
    list for a segment with cutoffs) and the default; grades by credit PD; tables by grade."""
    n = len(p_credit)
    action = {rid: a for rid, _, a, *_ in RULES}
    rank = {"approve": 0, "review": 1, "decline": 2}
    seg_hits = [(name, _truth(*evaluate(when, env, n))) for name, when in SEGMENTS]
    scores = {"credit": p_credit, "bureau_scorecard": points}
    out = []
    for i in range(n):
        best = "approve"
        for rid, h in hits.items():
            if h[i] and action[rid] in rank and rank[action[rid]] > rank[best]:
                best = action[rid]
        segment = next((name for name, h in seg_hits if h[i]), "")
        cutoffs = policy["segment_cutoffs"].get(segment, policy["cutoffs"])
        cut = "approve"
        for c in cutoffs:
            s = scores[c["score"]][i]
            if ("above" in c and s > c["above"]) or ("below" in c and s < c["below"]):
                cut = c["outcome"]
                break
        grade = next((g for g, b in policy["bands"] if b is None or p_credit[i] < b), None)
        arm = challenger_arm(env["customer_id"][1][i])
        limit_rows = CHALLENGER_LIMIT_ROWS if arm == "higher_limits" else LIMIT_ROWS
        income = env["monthly_income"][1][i]
        out.append({"outcome": max(best, cut, key=rank.get), "grade": grade, "segment": segment, "arm": arm,
                    "limit": bg.table_output(limit_rows, [grade, income]),
                    "apr": bg.table_output(PRICE_ROWS, [grade, env["term_months"][1][i]])})
    return out


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Example applications
# --------------------------------------------------------------------------------------

_ENTITIES = ("customer_id", "device_id", "phone", "email")


def example_records(cols, test_idx: np.ndarray, pd_test: np.ndarray, fraud: np.ndarray,
                    scorecard_declines: list[int]) -> list[dict]:
    """≈35 records in event-time order: holdout applications across the risk range (no
    two sharing an identifier, so each reads empty velocity state) and hand-made cases,
    among them three short bursts that the velocity features catch."""
    picks: list[int] = []
    seen: set[str] = set()

    def take(i: int) -> bool:
        keys = {cols[e][i] for e in _ENTITIES}
        if keys & seen:
            return False
        seen.update(keys)
        picks.append(i)
        return True

    order = test_idx[np.argsort(pd_test, kind="mergesort")]
    for q in (0.02, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.78, 0.84, 0.90, 0.95, 0.985, 0.998):
        j = int(q * (len(order) - 1))
        while not take(int(order[j])):
            j += 1
    for pool in ([int(i) for i in test_idx if fraud[i]], scorecard_declines):
        taken = 0
        for i in pool:
            if taken < 2 and take(i):
                taken += 1
    recs = [record_at(cols, i) for i in picks]

    base = {
        "application_id": "X-0001", "applied_at": "2026-11-25T10:15:00Z", "customer_id": "C90000001",
        "device_id": "dev-00000000a001", "phone": "+447700900001", "email": "jane.clean@mail.example",
        "channel": "app", "product": "standard", "loan_purpose": "purchase", "requested_amount": 3000,
        "term_months": 12, "monthly_income": 4200, "monthly_debt": 350, "housing_cost": 0, "dependents": 1,
        "marital_status": "married", "employment_type": "salaried", "employment_months": 64, "age": 41,
        "residence_months": 96, "housing": "own", "region": "central", "education": "bachelor",
        "bank_account_months": 120, "bureau_score": 765, "bureau_inquiries_6m": 0, "delinquencies_24m": 0,
        "open_credit_lines": 6, "utilization": 0.18, "existing_loans": 1, "new_loans_30d": 0,
        "bureau_balance": 4200, "oldest_account_months": 200, "previous_defaults": 0,
        "email_domain_age_days": 9480, "phone_tenure_months": 84, "device_age_days": 610,
        "device_emulator": False, "proxy_ip": False, "ip_country_mismatch": False, "id_verified": True,
    }
    assert list(base) == list(SCHEMA)

    def variant(app_id, **changes):
        r = dict(base)
        r["application_id"] = app_id
        k = int(app_id[2:])
        r["customer_id"] = f"C9{k:07d}"
        r["device_id"] = f"dev-0000a1b2{k:04x}"
        r["phone"] = f"+4477009{k:05d}"
        r["email"] = f"applicant{k}@mail.example"
        r.update(changes)
        return r

    fresh = dict(email_domain_age_days=12, phone_tenure_months=0, device_age_days=0, residence_months=3,
                 housing="rent", housing_cost=900, bank_account_months=2, channel="h5")
    recs += [
        variant("X-0001"),                                             # clean approve
        variant("X-0002", device_id="dev-0000000bad01", phone="+447700900666", email="k9x2q@fresh-mail.example",
                channel="h5", requested_amount=25000, term_months=24, monthly_income=9000, age=27,
                employment_months=4, residence_months=2, housing="rent", housing_cost=1500, bureau_score=None,
                open_credit_lines=0, utilization=None, existing_loans=0, bureau_balance=None,
                oldest_account_months=None, bank_account_months=1, email_domain_age_days=5,
                phone_tenure_months=0, device_age_days=0, device_emulator=True, proxy_ip=True,
                ip_country_mismatch=True, id_verified=False, applied_at="2026-11-25T03:12:44Z"),  # obvious fraud
        variant("X-0003", age=22, bureau_score=None, open_credit_lines=0, utilization=None, existing_loans=0,
                bureau_balance=None, oldest_account_months=None, bureau_inquiries_6m=1, monthly_income=2400,
                monthly_debt=0, employment_months=10, residence_months=14, housing="family",
                education="vocational", marital_status="single", bank_account_months=20,
                requested_amount=2000, term_months=6),                 # thin file
        variant("X-0004", monthly_income=-999),                        # sentinel -> missing income
        variant("X-0005", employment_type=None, utilization=None),     # explicit nulls
        variant("X-0006", promo_code="BLACKFRIDAY26"),                 # unknown extra field
        variant("X-0007", monthly_income="5200", term_months="12"),    # numbers as strings
        variant("X-0008", residence_months="n/a"),                     # wrong-typed value
        variant("X-0009", age=17, employment_months=8),                # under-age
        variant("X-0010", previous_defaults=1, delinquencies_24m=2, bureau_score=560),  # prior default
        variant("X-0011", monthly_debt=2600, requested_amount=12000, term_months=12),  # DTI too high
    ]
    # An application farm: four synthetic customers through one device within four minutes.
    for k, minute in enumerate(("02:10:05", "02:11:10", "02:12:40", "02:13:55")):
        recs.append(variant(f"X-{12 + k:04d}", applied_at=f"2026-11-25T{minute}Z", device_id="dev-0000farm0001",
                            age=24 + 3 * k, monthly_income=3800 + 400 * k, requested_amount=9000 + 1000 * k,
                            **fresh))
    # A customer retrying three minutes after the first try, with a smaller amount.
    for k, (minute, amount) in enumerate((("14:02:00", 18000), ("14:05:00", 12000))):
        recs.append(variant(f"X-{16 + k:04d}", applied_at=f"2026-11-25T{minute}Z", customer_id="C95550016",
                            device_id="dev-0000a1b20016", phone="+447700955516", email="retry16@mail.example",
                            requested_amount=amount, term_months=24, monthly_income=3600, monthly_debt=600,
                            bureau_score=640, bureau_inquiries_6m=3, utilization=0.62))
    # One e-mail address on four devices within four minutes (account takeover).
    for k, minute in enumerate(("19:40:00", "19:41:00", "19:42:30", "19:43:45")):
        recs.append(variant(f"X-{18 + k:04d}", applied_at=f"2026-11-25T{minute}Z", customer_id="C95550018",
                            email="victim18@mail.example", phone="+447700955518", proxy_ip=True))
    recs.sort(key=lambda r: _parse_timestamp(r["applied_at"]))
    return recs


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def _predict(booster, X: np.ndarray) -> np.ndarray:
    import xgboost as xgb
    d = xgb.DMatrix(X, missing=np.nan, feature_names=MODEL_INPUTS, feature_types=["float"] * len(MODEL_INPUTS),
                    nthread=1)
    return booster.predict(d).astype(np.float64)


def _catalogue() -> dict:
    cat = {name: {"code": code, "text": text} for name, (code, text) in REASONS.items()}
    cat["velocity"] = {"code": VELOCITY_REASON[0], "text": VELOCITY_REASON[1], "features": VELOCITY_FEATURES}
    return cat


def main() -> int:
    import xgboost as xgb

    cols, bad, fraud = generate()
    env = compute_features(conform_columns(cols))
    X = feature_matrix(env)
    n = len(bad)
    perm = np.random.default_rng(SEED + 1).permutation(n)
    n_test = n // 4
    test_idx, train_idx = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    env_train = {k: (t, c[train_idx]) for k, (t, c) in env.items()}
    env_test = {k: (t, c[test_idx]) for k, (t, c) in env.items()}

    dtrain = xgb.DMatrix(X[train_idx], label=bad[train_idx], missing=np.nan,
                         feature_names=MODEL_INPUTS, feature_types=["float"] * len(MODEL_INPUTS), nthread=1)
    booster = xgb.train(XGB_PARAMS, dtrain, num_boost_round=XGB_ROUNDS)
    p_test = _predict(booster, X[test_idx])
    p_train = _predict(booster, X[train_idx])
    y_test = bad[test_idx].astype(float)
    m_auc, m_ks = bg.auc(y_test, p_test), ks(y_test, p_test)
    tr_auc = bg.auc(bad[train_idx].astype(float), p_train)

    models_dir = BUNDLE_DIR / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    model_path = models_dir / "credit.json"
    booster.save_model(str(model_path))

    # The bureau scorecard on bureau files only; the logistic shadow model on everyone.
    has_file = ~np.isnan(env_train["bureau_score"][1])
    card = fit_scorecard({k: (t, c[has_file]) for k, (t, c) in env_train.items()}, bad[train_idx][has_file])
    card_path = models_dir / "bureau_scorecard.json"
    bg.write_text(card_path, json.dumps(card, indent=1) + "\n")
    points_test = scorecard_points(card, env_test)
    file_test = ~np.isnan(env_test["bureau_score"][1])
    sc_auc = bg.auc(y_test[file_test], -points_test[file_test])
    shadow = fit_shadow(env_train, bad[train_idx])
    shadow_path = models_dir / "credit_challenger.json"
    bg.write_text(shadow_path, json.dumps(shadow, indent=1) + "\n")

    # Cutoffs from holdout quantiles, rounded to readable values.
    decline_at = round(float(np.quantile(p_test, 1 - CUTOFF_DECLINE_RATE)), 3)
    review_at = round(float(np.quantile(p_test, 1 - CUTOFF_DECLINE_RATE - CUTOFF_REVIEW_RATE)), 3)
    thin_test = ~file_test
    thin_decline_at = round(float(np.quantile(p_test[thin_test], 1 - THIN_DECLINE_RATE)), 3)
    points_floor = float(np.floor(np.quantile(points_test[file_test], SCORECARD_DECLINE_RATE)))
    bands = [("A", round(float(np.quantile(p_test, 0.20)), 3)), ("B", round(float(np.quantile(p_test, 0.45)), 3)),
             ("C", round(float(np.quantile(p_test, 0.75)), 3)), ("D", decline_at), ("E", None)]
    cutoffs = [
        {"score": "credit", "above": decline_at, "outcome": "decline", "reason": CUTOFF_DECLINE_REASON},
        {"score": "bureau_scorecard", "below": points_floor, "outcome": "decline", "reason": SCORECARD_DECLINE_REASON},
        {"score": "credit", "above": review_at, "outcome": "review", "reason": CUTOFF_REVIEW_REASON},
    ]
    thin_cutoffs = [
        {"score": "credit", "above": thin_decline_at, "outcome": "decline", "reason": THIN_DECLINE_REASON},
    ]
    policy = {"cutoffs": cutoffs, "segment_cutoffs": {"thin_file": thin_cutoffs}, "bands": bands}

    # Rules and the whole policy on the holdout (as the engine would decide, stream aside).
    hits = evaluate_rules(env_test)
    decided = expected_decisions(env_test, p_test, points_test, hits, policy)
    outcome = np.array([d["outcome"] for d in decided])
    action = {rid: a for rid, _, a, *_ in RULES}
    rule_decline = np.zeros(n_test, bool)
    rule_review = np.zeros(n_test, bool)
    for rid, h in hits.items():
        if action[rid] == "decline":
            rule_decline |= h
        elif action[rid] == "review":
            rule_review |= h
    grade_of = np.array([d["grade"] for d in decided])
    grade_stats = {g: (float((grade_of == g).mean()), float(y_test[grade_of == g].mean())) for g, _ in bands}
    segment_of = np.array([d["segment"] for d in decided])
    segment_share = {s: float((segment_of == s).mean()) for s, _ in SEGMENTS + [("", "")]}
    velocity_rate = {name: float((env_test[name][1] > 0).mean()) for name in VELOCITY_FEATURES}

    # ---- bundle.json ------------------------------------------------------------------
    reasons_path = BUNDLE_DIR / "reasons.json"
    bg.write_text(reasons_path, bg.json_text(_catalogue()))
    features_json = [{"name": name, kind: source, "description": desc} for name, kind, source, desc in FEATURES]
    rules_json = [{"id": rid, "when": when, "action": act, "reason": {"code": code, "text": text},
                   "description": desc} for rid, when, act, code, text, desc in RULES]
    tables = {
        "limit": {"inputs": ["grade", "monthly_income"], "outputs": ["amount"], "rows": LIMIT_ROWS,
                  "description": "Largest loan offered, by grade and declared income"},
        "price": {"inputs": ["grade", "term_months"], "outputs": ["apr"], "rows": PRICE_ROWS,
                  "description": "Annual percentage rate by grade and term"},
    }
    challenger_tables = dict(tables)
    challenger_tables["limit"] = dict(tables["limit"], rows=CHALLENGER_LIMIT_ROWS,
                                      description="Limits 25% higher: the test arm")
    manifest = {
        "format": 1,
        "name": "cash-loan-application",
        "version": "2026.11.2",
        "stage": "application",
        "description": ("Example consumer cash-loan application bundle, built from synthetic data by "
                        "scripts/make_example_bundle.py. Not for production lending decisions."),
        "schema": SCHEMA,
        "features": features_json,
        "rules": rules_json,
        "models": {
            "credit": {"kind": "xgboost", "file": "models/credit.json", "sha256": bg.sha256(model_path),
                       "inputs": MODEL_INPUTS, "output": "value"},
            "bureau_scorecard": {"kind": "scorecard", "file": "models/bureau_scorecard.json",
                                 "sha256": bg.sha256(card_path), "inputs": SCORECARD_INPUTS, "output": "margin"},
            "credit_challenger": {"kind": "logistic", "file": "models/credit_challenger.json",
                                  "sha256": bg.sha256(shadow_path), "inputs": SHADOW_INPUTS, "output": "value",
                                  "mode": "shadow"},
        },
        "policy": {
            "cutoffs": cutoffs,
            "default": "approve",
            "grades": {"score": "credit", "bands": [{"grade": g, "below": b} if b is not None else {"grade": g}
                                                    for g, b in bands]},
            "tables": tables,
            "segments": [{"name": name, "when": when, **({"cutoffs": thin_cutoffs} if name == "thin_file" else {})}
                         for name, when in SEGMENTS],
            "challenger": {"field": CHALLENGER["field"], "salt": CHALLENGER["salt"],
                           "arms": [{"name": "champion", "percent": 90},
                                    {"name": "higher_limits", "percent": 10, "tables": challenger_tables}]},
            "reasons": {"top": 4, "catalogue": "reasons.json", "catalogue_sha256": bg.sha256(reasons_path)},
        },
    }
    bg.write_text(BUNDLE_DIR / "bundle.json", manifest_text(manifest))

    # ---- example applications -----------------------------------------------------
    sc_only = [int(test_idx[i]) for i in np.flatnonzero((segment_of != "thin_file") & (points_test < points_floor)
                                                       & (p_test <= decline_at) & ~rule_decline)]
    recs = example_records(cols, test_idx, p_test, fraud, sc_only)
    assert len({r["application_id"] for r in recs}) == len(recs)
    bg.write_text(BUNDLE_DIR / "applications.jsonl", bg.records_jsonl(recs))
    header = list(dict.fromkeys(list(SCHEMA) + [k for r in recs for k in r if k not in SCHEMA]))
    bg.write_text(BUNDLE_DIR / "applications.csv", bg.records_csv(recs, header, "\r\n"))

    missing_req = dict(next(r for r in recs if r["application_id"] == "X-0001"))
    missing_req["application_id"] = "X-9001"
    del missing_req["requested_amount"]
    bg.write_text(MISSING_REQUIRED_PATH, json.dumps(missing_req, ensure_ascii=False) + "\n")

    # Expected decisions for the examples, decided as one stream in file order.
    ex_env, ex_issues = conform_records(recs)
    ex_env = compute_features(ex_env)
    ex_p = _predict(booster, feature_matrix(ex_env))
    ex_points = scorecard_points(card, ex_env)
    ex_hits = evaluate_rules(ex_env)
    ex_decided = expected_decisions(ex_env, ex_p, ex_points, ex_hits, policy)

    # ---- figures ---------------------------------------------------------------------
    figures = {
        "rows": n, "train": len(train_idx), "holdout": n_test,
        "bad_rate": float(bad.mean()), "fraud_rate": float(fraud.mean()),
        "bad_rate_fraud": float(bad[fraud].mean()), "bad_rate_nonfraud": float(bad[~fraud].mean()),
        "auc": m_auc, "ks": m_ks, "train_auc": tr_auc, "scorecard_auc": sc_auc,
        "decline_at": decline_at, "review_at": review_at, "thin_decline_at": thin_decline_at,
        "points_floor": points_floor,
        "decline_rate_score": float((p_test > decline_at).mean()),
        "review_rate_score": float(((p_test > review_at) & (p_test <= decline_at)).mean()),
        "rule_decline_rate": float(rule_decline.mean()), "rule_review_rate": float((rule_review & ~rule_decline).mean()),
        "final_decline_rate": float((outcome == "decline").mean()), "final_review_rate": float((outcome == "review").mean()),
        "final_approve_rate": float((outcome == "approve").mean()),
        "approved_bad_rate": float(y_test[outcome == "approve"].mean()),
        "model_bytes": model_path.stat().st_size,
    }
    rule_rates = {rid: float(h.mean()) for rid, h in hits.items()}
    bg.write_text(BUNDLE_DIR / "README.md", readme_text(figures, rule_rates, grade_stats, segment_share, velocity_rate,
                                                     bands, card, recs, ex_p, ex_points, ex_hits, ex_issues,
                                                     ex_decided, ex_env))
    print(json.dumps(figures, indent=2))
    print("rule hit rates (holdout):", {rid: round(r, 4) for rid, r in rule_rates.items()})
    print("velocity > 0 (holdout):", {k: round(v, 4) for k, v in velocity_rate.items()})
    print("segments:", segment_share)
    for r, p, pts, d in zip(recs, ex_p, ex_points, ex_decided):
        print(f"  {r['application_id']}: pd={p:.4f} points={pts:g} {d}")
    for path in sorted(BUNDLE_DIR.rglob("*")) + [MISSING_REQUIRED_PATH]:
        if path.is_file():
            print(f"{bg.sha256(path)}  {path.relative_to(ROOT)}")
    return 0


def _fmt_source(kind: str, source) -> str:
    if kind == "field":
        return f"field `{source}`"
    if kind == "expr":
        return f"`{source}`"
    if kind == "velocity":
        value = f" of `{source['value']}`" if "value" in source else ""
        return f"velocity: {source['agg']}{value} per `{source['entity'][0]}` over {source['window']}"
    if kind == "bins":
        return f"bins of `{source['input']}` at {source['edges']} → {source['woe']}, missing {source['missing']}"
    return f"map of `{source['input']}`: " + ", ".join(f"{k} {v}" for k, v in source["values"].items())


def readme_text(f, rule_rates, grade_stats, segment_share, velocity_rate, bands, card, recs, ex_p, ex_points,
                ex_hits, ex_issues, ex_decided, ex_env) -> str:
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    out = []
    out.append("# Example bundle: `cash-loan-application` (stage `application`)\n")
    out.append("A complete riskkit bundle for a consumer cash-loan application decision, anti-fraud and "
               f"credit together: {len(SCHEMA)} schema fields, {len(FEATURES)} features ({len(VELOCITY_FEATURES)} "
               f"of them velocity), {len(RULES)} fraud and credit-policy rules, a {XGB_ROUNDS}-tree XGBoost "
               "probability-of-default model, a bureau scorecard, a logistic shadow model, and a policy with "
               "cutoffs, grades, limit and price tables, segments and a champion/challenger split. The format "
               "is described in [docs/bundle-format.md](../../../docs/bundle-format.md) and "
               "[docs/stages.md](../../../docs/stages.md).\n")
    out.append("**Everything here is synthetic.** The data, the models and the thresholds come from "
               "`scripts/make_example_bundle.py`; they show the shape of a real bundle and are not "
               "fit for lending decisions.\n")
    out.append("## Files\n")
    out.append("| file | what |\n|---|---|")
    out.append("| `bundle.json` | the manifest |")
    out.append("| `models/credit.json` | XGBoost 3.2 JSON model (`binary:logistic`, "
               f"{XGB_ROUNDS} trees, depth {XGB_PARAMS['max_depth']}), {f['model_bytes'] // 1024} KiB |")
    out.append(f"| `models/bureau_scorecard.json` | points scorecard, {len(SCORECARD_INPUTS)} characteristics "
               "(docs/models.md#scorecard-format) |")
    out.append(f"| `models/credit_challenger.json` | logistic regression on {len(SHADOW_INPUTS)} inputs, "
               "scored in shadow mode |")
    out.append("| `reasons.json` | reason catalogue: every input of a deciding model → adverse-action code and "
               "text; the velocity features form one group |")
    out.append(f"| `applications.jsonl` / `applications.csv` | {len(recs)} applications to decide, in event-time "
               "order (same records; CSV with a header row, RFC 4180 quoting) |")
    out.append("| `../../../tests/data/records/missing_required.jsonl` | a record without the required "
               "`requested_amount` (must be rejected as `invalid_record`) |\n")
    out.append("Decide them with `riskkit decide --bundle examples/bundles/application "
               "--input examples/bundles/application/applications.jsonl --output -` (personal-data fields "
               "need a pseudonymization key: docs/privacy.md).\n")
    out.append("## Schema\n")
    out.append(f"{len(SCHEMA)} fields. Required: "
               + ", ".join(f"`{k}`" for k, s in SCHEMA.items() if s.get("required")) + ". "
               "`application_id` is the event id, `applied_at` the event time; `customer_id`, "
               "`device_id`, `phone` and `email` are entities and personal data (pseudonymized on entry, "
               "so velocity state holds pseudonyms only). `monthly_income` declares `-999` as missing "
               "(income not declared). `bureau_score`, `bureau_balance` and `oldest_account_months` are "
               "missing when the bureau has no file (thin file), and `utilization` when there are no "
               "revolving lines.\n")
    out.append("## Features\n")
    out.append("| feature | definition |\n|---|---|")
    for name, kind, source, desc in FEATURES:
        out.append(f"| `{name}` | {_fmt_source(kind, source).replace('|', chr(92) + '|')} — {desc} |")
    out.append("")
    out.append("Missing propagates through arithmetic (`x / 0` and `log` of a non-positive number are "
               "missing too); a comparison with a missing value is false, so flags such as "
               "`night_application` are 0, not missing, when their input is missing. A velocity feature "
               "reads the entity's earlier events with event time in `(t − window, t]` and then records the "
               "event (docs/features.md): in the training stream "
               + ", ".join(f"`{k}` is positive for {pct(v)}" for k, v in velocity_rate.items()) + ".\n")
    out.append("## Rules\n")
    out.append("Evaluated in order; `decline` beats `review`, `flag` only records. Hit rates on the "
               f"{f['holdout']:,}-row holdout.\n")
    out.append("| id | when | action | code | text | hit rate |\n|---|---|---|---|---|---|")
    for rid, when, act, code, text, _ in RULES:
        w = when.replace("|", "\\|")
        out.append(f"| {rid} | `{w}` | {act} | {code} | {text} | {pct(rule_rates[rid])} |")
    out.append("")
    out.append("## Models\n")
    out.append(f"`credit`: XGBoost `binary:logistic`, {XGB_ROUNDS} trees, max depth {XGB_PARAMS['max_depth']}, eta "
               f"{XGB_PARAMS['eta']}, subsample {XGB_PARAMS['subsample']}, colsample_bytree "
               f"{XGB_PARAMS['colsample_bytree']}, seed {XGB_PARAMS['seed']}, one thread; missing = NaN. "
               f"{len(MODEL_INPUTS)} inputs in this column order: "
               + ", ".join(f"`{x}`" for x in MODEL_INPUTS) + ".\n")
    out.append(f"`bureau_scorecard`: points (base {SCORECARD_SCALING['base_points']} at odds "
               f"{SCORECARD_SCALING['base_odds']}:1, {SCORECARD_SCALING['pdo']} points to double the odds), "
               f"intercept {card['intercept_points']}; fixed bins, WOE and a logistic regression on WOE, fitted "
               "on the applicants with a bureau file; output `margin` (the points).\n")
    out.append("| characteristic | edges | points | missing |\n|---|---|---|---|")
    for ch in card["characteristics"]:
        out.append(f"| `{ch['name']}` | {ch['edges']} | {ch['points']} | {ch['missing_points']} |")
    out.append("")
    out.append("`credit_challenger`: logistic regression on " + ", ".join(f"`{x}`" for x in SHADOW_INPUTS)
               + " (missing inputs take the training mean), `\"mode\": \"shadow\"`: scored and logged in "
               "`shadow_scores` for every decision, never deciding.\n")
    out.append("| figure | value |\n|---|---|")
    out.append(f"| applications | {f['rows']:,} (train {f['train']:,}, holdout {f['holdout']:,}) |")
    out.append(f"| bad rate (target `bad`) | {pct(f['bad_rate'])} |")
    out.append(f"| fraud rings | {pct(f['fraud_rate'])} of applications, bad rate {pct(f['bad_rate_fraud'])} |")
    out.append(f"| `credit` holdout AUC | {f['auc']:.4f} (train {f['train_auc']:.4f}), KS {f['ks']:.4f} |")
    out.append(f"| `bureau_scorecard` holdout AUC (bureau files) | {f['scorecard_auc']:.4f} |")
    out.append("")
    out.append("## Policy\n")
    out.append(f"- `credit` > {f['decline_at']} → **decline** (P90): {pct(f['decline_rate_score'])} of the holdout "
               "on the score alone;")
    out.append(f"- `bureau_scorecard` < {f['points_floor']:g} points → **decline** (P92): the weakest bureau files;")
    out.append(f"- `credit` > {f['review_at']} → **review** (P91): a further {pct(f['review_rate_score'])};")
    out.append("- otherwise **approve**.\n")
    out.append(f"Segments, first match: `thin_file` (`thin_file == 1`: its own cutoffs, `credit` > "
               f"{f['thin_decline_at']} → decline (P93), no scorecard cutoff: no bureau file), `repeat_applicant` "
               "(`repeat_applicant == 1`), `online` (`online_channel == 1`). Holdout shares: "
               + ", ".join(f"{s or '(none)'} {pct(v)}" for s, v in segment_share.items()) + ".\n")
    out.append(f"With the rules: {pct(f['final_decline_rate'])} declined, {pct(f['final_review_rate'])} "
               f"referred ({pct(1 - f['final_review_rate'])} decided automatically), "
               f"{pct(f['final_approve_rate'])} approved; the approved have a bad rate of "
               f"{pct(f['approved_bad_rate'])} (rules decline {pct(f['rule_decline_rate'])} and refer "
               f"{pct(f['rule_review_rate'])} on their own).\n")
    out.append("Grades by PD (holdout share and bad rate):\n")
    out.append("| grade | PD | share | bad rate |\n|---|---|---|---|")
    lo = 0.0
    for g, b in bands:
        rng_text = f"{lo} – {b}" if b is not None else f"≥ {lo}"
        out.append(f"| {g} | {rng_text} | {pct(grade_stats[g][0])} | {pct(grade_stats[g][1])} |")
        lo = b
    out.append("")
    out.append("Decision tables (first matching row): `limit` (grade × `monthly_income` → `limit.amount`) and "
               "`price` (grade × `term_months` → `price.apr`):\n")
    out.append("| grade | income | limit | | grade | term | APR |\n|---|---|---|---|---|---|---|")
    for i in range(max(len(LIMIT_ROWS), len(PRICE_ROWS))):
        a = LIMIT_ROWS[i] if i < len(LIMIT_ROWS) else ["", "", ""]
        b = PRICE_ROWS[i] if i < len(PRICE_ROWS) else ["", "", ""]
        out.append(f"| {a[0]} | {a[1]} | {a[2]} | | {b[0]} | {b[1]} | {'—' if b[2] is None else b[2]} |")
    out.append("")
    out.append("Tables run after the outcome for every decision (docs/bundle-format.md), so a declined "
               "application still shows the limit and price its grade and income would get: read them "
               "for approvals only.\n")
    out.append(f"Champion/challenger: customers split by their pseudonymized `customer_id` (salt "
               f"`{CHALLENGER['salt']}`): `champion` 90%, `higher_limits` 10% with limits 25% higher; both arms "
               "keep the champion's cutoffs.\n")
    out.append("Reasons: at most 4 — the deciding rules' reasons, the cutoff's reason, then the inputs of "
               "the deciding model that pushed it furthest across the cutoff (TreeSHAP for `credit`, points "
               "below the average for `bureau_scorecard`), worded from `reasons.json`. "
               "Note for US lenders: under Regulation B an empirically derived system may use age but "
               "must not assign applicants aged 62 or over a negative factor; review `age` (R23) with "
               "compliance before reusing this catalogue.\n")
    out.append("## Example applications\n")
    out.append("Holdout records across the PD range, two from fraud rings and two declined by the scorecard "
               "(no two sharing an identifier), then hand-made cases `X-0001`…`X-0011`: a clean approve, an "
               "obvious fraud, a thin file, income `-999`, explicit nulls, an unknown extra field "
               "(`promo_code`), numbers given as strings (`\"5200\"`), a wrong-typed value (`\"n/a\"`), an "
               "under-age applicant, a previous default and an unaffordable loan; and three bursts the "
               "velocity features catch: an application farm (`X-0012`…`X-0015`, four customers on one "
               "device), a customer retrying with a smaller amount (`X-0016`, `X-0017`) and one e-mail "
               "address on four devices (`X-0018`…`X-0021`). Decided as one stream in file order, under the "
               "test pseudonymization key (the arm depends on the key), the expected decisions are:\n")
    out.append("| application | PD | points | velocity (device 1h, customers/device, phone, devices/email, "
               "customer 24h, amount 7d) | rules | outcome | grade | segment | arm | limit | APR | issues |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(recs):
        fired = ", ".join(rid for rid, h in ex_hits.items() if h[i]) or "—"
        iss = ", ".join(sorted({x["field"] for x in ex_issues[i]})) or "—"
        vel = " / ".join(f"{ex_env[v][1][i]:g}" for v in VELOCITY_FEATURES)
        d = ex_decided[i]
        out.append(f"| {r['application_id']} | {ex_p[i]:.4f} | {ex_points[i]:g} | {vel} | {fired} | {d['outcome']} "
                   f"| {d['grade']} | {d['segment'] or '—'} | {d['arm']} | {d['limit']} | {d['apr']} | {iss} |")
    out.append("")
    out.append("## Expression semantics assumed\n")
    out.append("The script computes features and rule hits with a small interpreter of the expression "
               "language that follows the engine's documented semantics: arithmetic, `min`, `max`, `clamp`, "
               "`abs` and `log` on a missing value give missing; `x / 0` and `log(x <= 0)` give missing; every "
               "comparison (including `==`, `!=` and `in`) with a missing operand is false; `and`/`or` "
               "read a missing bool as false; `coalesce` takes the first present argument; `hour_of_day` and "
               "`day_of_week` are in UTC. `map`, `bins` and `velocity` features follow docs/features.md.\n")
    out.append("## Regenerate\n")
    out.append("```sh\n.venv/bin/python scripts/make_example_bundle.py\n"
               ".venv/bin/python -m pytest tests/python/test_example_bundle.py\n```\n")
    out.append("The script is deterministic (fixed seeds, single-threaded XGBoost): every run writes "
               "the same bytes, so `git diff` after a run shows only intended changes. It uses numpy and "
               "xgboost only.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
