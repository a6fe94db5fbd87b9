"""Writes tests/data/bundles/features: a bundle with velocity features, a block list and
personal-data fields, for tests/cpp/test_features.cpp and tests/python/test_features_python.py.

The block list holds pseudonyms computed here with Python's hmac/hashlib
(scripts/bundlegen.py's `pseudonym`) under the fixed test key (tests/python/conftest.py,
tests/CMakeLists.txt), so the C++ pseudonymizer is checked against an independent
implementation. Deterministic: run it again, get the same bytes.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts"))
import bundlegen as bg  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent / "bundles" / "features"
BLOCKED_DEVICES = ["dev-blocked-1", "  dev-blocked-2 "]  # normalization trims


def main() -> None:
    (HERE / "lists").mkdir(parents=True, exist_ok=True)
    lines = ["# device block list: HMAC-SHA-256 pseudonyms, one per line"]
    lines += sorted(bg.pseudonym(d) for d in BLOCKED_DEVICES)  # bg.pseudonym trims
    listing_path = HERE / "lists" / "device_blocklist.txt"
    listing_path.write_text("\n".join(lines) + "\n")
    bundle = {
        "format": 1, "name": "features-test", "version": "1", "stage": "application",
        "schema": {
            "application_id": {"type": "string", "role": "event_id", "required": True},
            "applied_at": {"type": "timestamp", "role": "event_time", "required": True},
            "device_id": {"type": "string", "role": "entity", "pii": "device"},
            "phone": {"type": "string", "role": "entity", "pii": "phone"},
            "email": {"type": "string", "pii": "email"},
            "channel": {"type": "string"},
            "amount": {"type": "number"},
        },
        "lists": {"device_blocklist": {"file": "lists/device_blocklist.txt",
                                       "sha256": bg.sha256(listing_path), "kind": "device"}},
        "features": [
            {"name": "apps_per_device_1h", "velocity": {"entity": ["device_id"], "window": "1h", "agg": "count"}},
            {"name": "amount_per_phone_1d",
             "velocity": {"entity": ["phone"], "window": "1d", "agg": "sum", "value": "amount"}},
            {"name": "devices_per_phone_30d",
             "velocity": {"entity": ["phone"], "window": "30d", "agg": "distinct_count", "value": "device_id"}},
            {"name": "web_apps_per_phone_1h",
             "velocity": {"entity": ["phone"], "window": "1h", "agg": "count", "filter": "channel == \"web\""}},
            {"name": "max_amount_per_device_1d",
             "velocity": {"entity": ["device_id"], "window": "1d", "agg": "max", "value": "amount",
                          "lateness": "10m"}},
            {"name": "device_blocked", "in_list": {"list": "device_blocklist", "field": "device_id"}},
            {"name": "amount_share", "expr": "amount / max(amount_per_phone_1d + amount, 1)"},
        ],
        "rules": [
            {"id": "L001", "when": "in_list(\"device_blocklist\", device_id)", "action": "decline",
             "reason": {"code": "L01", "text": "Device on the block list"}},
            {"id": "V001", "when": "apps_per_device_1h >= 3", "action": "review",
             "reason": {"code": "V01", "text": "Several applications from this device within an hour"}},
        ],
        "policy": {"default": "approve"},
    }
    (HERE / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")


if __name__ == "__main__":
    main()
