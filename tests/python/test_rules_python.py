"""riskkit.rules.backtest against a brute-force pandas computation.

The oracle evaluates the rules of tests/data/bundles/rule_policy with pandas
operations written from the bundle's rule text, then counts every figure from its
definition in docs/backtest.md.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskkit
import riskkit.rules

BUNDLE = Path(__file__).resolve().parents[1] / "data" / "bundles" / "rule_policy"


def history(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    applied = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 30 * 24 * 60, n), unit="min")
    opened = applied - pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    df = pd.DataFrame({
        "application_id": [f"A{i}" for i in range(n)],
        "applied_at": applied,
        "account_opened_at": opened.where(rng.random(n) > 0.1),
        "amount": np.where(rng.random(n) < 0.02, np.nan, rng.integers(1, 80, n) * 1000.0),
        "income": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 12, n) * 1000.0),
        "email": rng.choice(["a@x.example", "B@MAILINATOR.com", "c@mailinator.com.evil"], n),
        "device_os": rng.choice(["ios", "android"], n),
        "on_allowlist": pd.array(np.where(rng.random(n) < 0.05, True, None), dtype="object"),
        "is_bad": (rng.random(n) < 0.2).astype(int),
    })
    return df


def oracle_hits(df: pd.DataFrame) -> pd.DataFrame:
    """The bundle's enabled rules, in order, evaluated with pandas (missing → False)."""
    income = df["income"].where(df["income"] != 0)  # x / 0 is missing
    days = (df["applied_at"] - df["account_opened_at"]).dt.total_seconds() / 86400
    hour = df["applied_at"].dt.hour
    return pd.DataFrame({
        "A001": (df["amount"] / income > 5).fillna(False),
        "I001": (days < 30).fillna(False),
        "T001": hour.between(1, 5),
        "E001": df["email"].str.lower().str.endswith("@mailinator.com"),
        "W001": df["on_allowlist"].eq(True),
        "D001": (df["amount"] / income > 100).fillna(False),
    }).astype(bool)


def test_backtest_equals_pandas_brute_force():
    df = history()
    report, overlap = riskkit.rules.backtest(str(BUNDLE), df, label="is_bad", with_overlap=True)
    scored = df[df["amount"].notna()]  # amount is required: the others are rejected
    hits = oracle_hits(scored)
    bad = scored["is_bad"].astype(bool)
    assert list(report.index) == list(hits.columns)  # X001 is disabled: left out
    assert report.attrs["rows"] == len(scored)
    assert report.attrs["rejected"] == len(df) - len(scored)
    assert report.attrs["bads"] == int(bad.sum())
    overall = bad.mean()
    for rule in hits.columns:
        h = hits[rule]
        row = report.loc[rule]
        assert row["hits"] == int(h.sum()), rule
        assert row["bad_hits"] == int((h & bad).sum()), rule
        assert row["hit_rate"] == pytest.approx(h.mean())
        want_bad_rate = (h & bad).sum() / h.sum() if h.sum() else math.nan
        if h.sum():
            assert row["bad_rate"] == pytest.approx(want_bad_rate)
            assert row["lift"] == pytest.approx(want_bad_rate / overall)
        else:
            assert math.isnan(row["bad_rate"]) and math.isnan(row["lift"])
        assert row["recall"] == pytest.approx((h & bad).sum() / bad.sum())
        for other in hits.columns:
            assert overlap.loc[rule, other] == int((h & hits[other]).sum())
    assert report.loc["E001", "mode"] == "shadow"
    assert report.loc["I001", "tags"] == ["identity", "account"]
    assert report["hits"].drop("D001").gt(0).all()

    jac = riskkit.rules.jaccard(overlap)
    a, b = hits["A001"], hits["I001"]
    assert jac.loc["A001", "I001"] == pytest.approx((a & b).sum() / (a | b).sum())


def test_backtest_takes_an_engine_and_skips_missing_labels():
    df = history(500)
    df.loc[df.index[:50], "is_bad"] = np.nan
    engine = riskkit.Engine(str(BUNDLE))
    report = riskkit.rules.backtest(engine, df, label="is_bad", nthread=1)
    assert report.attrs["unlabelled"] == 50
    assert report.attrs["rows"] + report.attrs["rejected"] == 450


def test_backtest_refuses_bad_labels_and_missing_columns():
    df = history(20)
    with pytest.raises(riskkit.RiskkitError):
        riskkit.rules.backtest(str(BUNDLE), df, label="nope")
    df["is_bad"] = 2
    with pytest.raises(riskkit.RiskkitError):
        riskkit.rules.backtest(str(BUNDLE), df, label="is_bad")
