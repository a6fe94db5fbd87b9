"""Histories for the Spark and Dask tests: many entities, linked in small clusters.

Each application belongs to one of CLUSTERS households; a household's devices and phones
are shared among its applications only, so the entity graph (device — phone) has about
CLUSTERS components that a correct split must keep whole. Phones are written in several
equivalent ways ("+86 138…", "138 …") and devices with stray spaces, which only the
engine's normalization identifies; event times sit on a coarse grid (many ties, many
exactly one window apart); some applications are re-delivered. Sorted by event time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pandas as pd

FEATURES_BUNDLE = Path(__file__).resolve().parents[1] / "data" / "bundles" / "features"
EXAMPLE_BUNDLE = Path(__file__).resolve().parents[2] / "examples" / "bundles" / "application"
CLUSTERS = 14


def _phone_forms(number: str) -> list[str]:
    return [f"+86 {number}", f"{number[:3]} {number[3:7]} {number[7:]}", f"{number[:3]}-{number[3:7]}-{number[7:]}"]


def linked_history(seed: int = 7, n: int = 700) -> pd.DataFrame:
    """``n`` applications for tests/data/bundles/features (see the module docstring)."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc)
    households = [{"devices": [f"dev-{c}-{k}" for k in range(rng.randint(1, 3))],
                   "phones": [f"13{c:02d}{k:07d}"[:11].ljust(11, "0") for k in range(rng.randint(1, 2))]}
                  for c in range(CLUSTERS)]
    rows: list[dict] = []
    minute = 0
    for i in range(n):
        if rows and rng.random() < 0.05:
            rows.append(dict(rows[-1]))  # a re-delivery
            continue
        minute += rng.choice([0, 0, 1, 2, 5, 10, 60])
        home = rng.choice(households)
        device = rng.choice(home["devices"] + [None])
        rows.append({
            "application_id": f"A{i:04d}",
            "applied_at": start + dt.timedelta(minutes=minute),
            "device_id": None if device is None else rng.choice([device, f" {device}", f"{device} "]),
            "phone": rng.choice(_phone_forms(rng.choice(home["phones"]))),
            "email": f"user{i}@example.com",
            "channel": rng.choice(["web", "app"]),
            "amount": float(rng.randrange(100, 5000)) if rng.random() > 0.1 else math.nan,
        })
    return pd.DataFrame(rows)


def example_applications() -> pd.DataFrame:
    """The example bundle's applications (JSON Lines), as a DataFrame."""
    return pd.read_json(EXAMPLE_BUNDLE / "applications.jsonl", lines=True, dtype=False, convert_dates=False)
