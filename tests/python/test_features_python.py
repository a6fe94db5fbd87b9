"""riskkit.privacy and riskkit.features against independent references: pseudonyms from
Python's hmac/hashlib over a Python statement of the normalization rules, velocity counts
from a brute-force loop, and offline features against what Engine.decide does online on
the same stream (train/serve skew 0).

Fixture: tests/data/bundles/features (tests/data/make_feature_bundle.py); the test key
comes from conftest.py.

Run:  .venv/bin/python -m pytest tests/python/test_features_python.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import os
import random
import re
import shutil
from pathlib import Path

import pytest

import riskkit
import riskkit.features
import riskkit.privacy

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "tests" / "data" / "bundles" / "features"
KEY = bytes(range(32))


def reference_normalize(kind: str, raw: str, country_code: str = "86") -> str:
    """docs/privacy.md, restated independently."""
    s = raw.strip()
    if kind in ("email", "ip"):
        return s.lower()
    if kind == "id_number":
        return re.sub(r"\s", "", s).upper()
    if kind == "account":
        return re.sub(r"[^0-9A-Za-z]", "", s).upper()
    if kind == "phone":
        digits = re.sub(r"\D", "", s)
        if not digits:
            return ""
        if s.startswith("+"):
            return digits
        if digits.startswith("00"):
            return digits[2:]
        national = digits[1:] if digits.startswith("0") else digits
        return country_code + national if national else ""
    return s


def reference_pseudonym(kind: str, raw: str) -> str | None:
    normalized = reference_normalize(kind, raw)
    return hmac.new(KEY, normalized.encode(), hashlib.sha256).hexdigest() if normalized else None


SAMPLES = {
    "phone": ["138-1234-5678", "+86 138 1234 5678", "0086 13812345678", "010 8888 6666", "+44 20 7946 0958", "n/a"],
    "email": ["  Jane.Roe@Example.COM ", "x@y.z"],
    "id_number": ["110105 19900101 123x", "a1b2"],
    "account": ["6222-0212 3456 7890"],
    "device": ["  Dev-42 ", "dev-blocked-1"],
    "customer_id": ["C-001\n"],
    "ip": [" FE80::1 "],
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_pseudonyms_equal_hmac_sha256_of_the_normalized_value(kind):
    values = SAMPLES[kind]
    assert riskkit.privacy.pseudonymize(values, kind=kind) == [reference_pseudonym(kind, v) for v in values]
    normalized = [reference_normalize(kind, v) or None for v in values]
    assert riskkit.privacy.normalize(values, kind=kind) == normalized


def test_series_in_series_out_and_missing_values():
    s = pd.Series(["138 1234 5678", None, float("nan"), pd.NA], index=[10, 11, 12, 13], name="phone")
    out = riskkit.privacy.pseudonymize(s, kind="phone")
    assert isinstance(out, pd.Series) and list(out.index) == [10, 11, 12, 13] and out.name == "phone"
    assert out.iloc[0] == reference_pseudonym("phone", "138 1234 5678")
    assert out.iloc[1:].isna().all()
    masked = riskkit.privacy.mask(pd.Series(["138 1234 5678", "John.Doe@Example.com"]), kind="phone")
    assert masked.iloc[0] == "138****5678"
    assert riskkit.privacy.mask(["John.Doe@Example.com"], kind="email") == ["j***@example.com"]
    other_key = "ff" * 32
    assert riskkit.privacy.pseudonymize(["x"], kind="device", key=other_key) == [
        hmac.new(bytes.fromhex(other_key), b"x", hashlib.sha256).hexdigest()]
    assert riskkit.privacy.normalize(["(555) 010-9999"], kind="phone", country_code="1") == ["15550109999"]


def test_missing_key_and_unknown_kind_are_errors(monkeypatch):
    monkeypatch.delenv("RISKKIT_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("RISKKIT_PSEUDONYM_KEY_FILE", raising=False)
    with pytest.raises(riskkit.RiskkitError, match="RISKKIT_PSEUDONYM_KEY"):
        riskkit.privacy.pseudonymize(["x"], kind="device")
    with pytest.raises(riskkit.RiskkitError, match="RISKKIT_PSEUDONYM_KEY"):
        riskkit.Engine(str(BUNDLE))
    with pytest.raises(riskkit.RiskkitError, match="unknown kind"):
        riskkit.privacy.pseudonymize(["x"], kind="emial", key="00" * 16)


def random_history(seed: int, n: int = 400) -> pd.DataFrame:
    """Applications on a minute grid (many exactly an hour apart), re-deliveries, a few
    devices and phones written in several ways, sorted by event time."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc)
    rows, minute = [], 0
    for i in range(n):
        if rows and rng.random() < 0.08:
            rows.append(dict(rows[-1]))  # a re-delivery, right after the original
            continue
        minute += rng.choice([0, 0, 5, 10, 20, 30])
        phone = rng.choice(["138 1234 5678", "+86 13812345678", "139 0000 1111", "137-2222-3333"])
        rows.append({
            "application_id": f"A{i}",
            "applied_at": start + dt.timedelta(minutes=minute),
            "device_id": rng.choice(["dev-1", " dev-1", "dev-2", "dev-3", "dev-blocked-1", None]),
            "phone": phone,
            "email": "someone@example.com",
            "channel": rng.choice(["web", "app"]),
            "amount": float(rng.randrange(0, 5000)) if rng.random() > 0.1 else math.nan,
        })
    return pd.DataFrame(rows)


def test_velocity_counts_equal_a_brute_force_loop():
    history = random_history(1)
    features = riskkit.features.compute(BUNDLE, history)
    assert list(features.columns) == [f["name"] for f in json.loads((BUNDLE / "bundle.json").read_text())["features"]]
    recorded: list[tuple[str, dt.datetime, str]] = []  # (device, time, id) in order
    for row, got in zip(history.itertuples(), features["apps_per_device_1h"]):
        device = row.device_id.strip() if isinstance(row.device_id, str) else None
        if device is None:
            assert math.isnan(got)
            continue
        t = row.applied_at
        want = sum(1 for d, u, i in recorded
                   if d == device and t - dt.timedelta(hours=1) < u <= t and i != row.application_id)
        assert got == want, (row.Index, device, t)
        if not any(d == device and i == row.application_id for d, u, i in recorded):
            recorded.append((device, t, row.application_id))
    blocked = features["device_blocked"].to_numpy()
    expect = [float(d.strip() == "dev-blocked-1") if isinstance(d, str) else math.nan for d in history["device_id"]]
    assert [("nan" if math.isnan(x) else x) for x in blocked] == [("nan" if math.isnan(x) else x) for x in expect]


@pytest.mark.parametrize("store", ["in-process", "redis"])
def test_offline_features_equal_what_decide_does_online(tmp_path, store):
    """Every velocity feature value is read back from decide() through one flag rule per
    observed value, so online and offline must agree exactly, record by record — with the
    default in-process store and with Redis (scripts/test.sh starts one: RISKKIT_TEST_REDIS)."""
    options = {}
    if store == "redis":
        address = os.environ.get("RISKKIT_TEST_REDIS")
        if not address:
            pytest.skip("RISKKIT_TEST_REDIS is not set (scripts/test.sh starts a Redis)")
        options = {"velocity_store": f"redis://{address}"}
    history = random_history(2)
    if store == "redis":
        # Whatever ran against this Redis before: new event ids, and times whole years
        # (52 weeks: same weekday and hour) away from any earlier run's windows.
        run = os.urandom(4).hex()
        history["application_id"] = history["application_id"] + "-" + run
        history["applied_at"] = history["applied_at"] + dt.timedelta(weeks=52 * (1 + int(run, 16) % 500))
    offline = riskkit.features.compute(BUNDLE, history)
    velocity = ["apps_per_device_1h", "amount_per_phone_1d", "devices_per_phone_30d", "web_apps_per_phone_1h",
                "max_amount_per_device_1d", "device_blocked"]
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle)
    manifest = json.loads((bundle / "bundle.json").read_text())
    rules = []
    for f in velocity:
        rules.append({"id": f"{f}=missing", "when": f"is_missing({f})", "action": "flag",
                      "reason": {"code": "T", "text": "test"}})
        for v in sorted({float(x) for x in offline[f].dropna()}):
            rules.append({"id": f"{f}={v!r}", "when": f"{f} == {v!r}", "action": "flag",
                          "reason": {"code": "T", "text": "test"}})
    manifest["rules"] = rules
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    engine = riskkit.Engine(str(bundle), **options)
    for (index, row), (_, features) in zip(history.iterrows(), offline.iterrows()):
        decision = engine.decide({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
        online = {hit["id"] for hit in decision.rule_hits}
        expected = {f"{f}=missing" if math.isnan(features[f]) else f"{f}={float(features[f])!r}" for f in velocity}
        assert online == expected, index


def test_an_unsorted_history_is_refused():
    history = random_history(3, 50).iloc[::-1]
    with pytest.raises(ValueError, match="sort the history"):
        riskkit.features.compute(BUNDLE, history)


def test_raw_identifiers_never_reach_a_decision():
    engine = riskkit.Engine(str(BUNDLE))
    decision = engine.decide({"application_id": "Z1", "applied_at": "2026-11-25T10:00:00Z",
                              "device_id": "dev-secret-77", "phone": "13812345678",
                              "email": "Jane.Roe@Example.com", "channel": "web", "amount": 10})
    text = decision.to_json()
    for raw in ["dev-secret-77", "13812345678", "Jane.Roe", "jane.roe"]:
        assert raw not in text
