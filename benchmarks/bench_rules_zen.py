"""riskkit against GoRules ZEN from Python: the 100 lending rules of benchmarks/lending_rules.hpp.

Both engines get the same records as Python dicts, one call per record, in this process:

- riskkit: ``riskkit.Engine(bundle).decide(record)`` over a bundle that this script writes to
  a temporary directory (schema = the 100 fields, rules = the 100 rules, no models); the
  hits are ``Decision.rule_hits``. Also ``decide_many(records, nthread=1)``, one call for
  all records.
- ZEN (PyPI ``zen-engine``, pinned in benchmarks/requirements-bench.txt): one JDM decision graph,
  input -> one expression node with one boolean expression per rule -> output; the hits are
  the keys whose value is true. ZEN's own ``performance`` figure (time inside its Rust
  core) is reported too.

Missing values. riskkit: a comparison with a missing value is false, arithmetic with it
is missing, x / 0 is missing, ``not`` of a missing bool is true, ``is_missing(x)`` tests
it. ZEN raises an error when null meets an arithmetic or ordering operator, so each
translated rule guards its operands: ``x >= 2`` becomes ``(x != null and x >= 2)``, a
divisor is also guarded ``!= 0``, ``not b`` becomes ``b != true``, ``is_missing(x)``
becomes ``x == null``. Timestamps are passed as epoch seconds to both (riskkit reads a
number given for a timestamp field as epoch seconds). Every record is checked to give the
same hits in both engines before anything is timed.

Run (see benchmarks/README.md):
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -r benchmarks/requirements-bench.txt
    .venv-bench/bin/pip install --no-build-isolation .      # or PYTHONPATH=<dir holding riskkit>
    .venv-bench/bin/python benchmarks/bench_rules_zen.py [--records 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import riskkit
import zen

HERE = Path(__file__).resolve().parent
NOW = 1_795_000_000  # 2026-11, epoch seconds
DAY = 86_400


def lending_rules() -> tuple[list[tuple[str, str]], list[str]]:
    """(name, type) of the 100 fields and the 100 rule sources, read from lending_rules.hpp."""
    text = (HERE / "lending_rules.hpp").read_text()
    fields = re.findall(r'\{"(\w+)", riskkit::rules::Type::(\w+)\}', text)
    body = text[text.index("kRules[] = {"):text.index("};", text.index("kRules[] = {"))]
    rules = [s.replace('\\"', '"') for s in re.findall(r'^\s*"((?:[^"\\]|\\.)*)",\s*$', body, re.M)]
    assert len(fields) == 100 and len(rules) == 100, (len(fields), len(rules))
    return fields, rules


# ---- the rules in ZEN's expression language, null-guarded (see the module docstring) ----

def n(f: str, op: str, c) -> str:
    return f"({f} != null and {f} {op} {c})"


def present(*names: str) -> str:
    return " and ".join(f"{x} != null" for x in names)


def t(f: str) -> str:
    return f"({f} == true)"


def nt(f: str) -> str:
    return f"({f} != true)"


def eq(f: str, v: str) -> str:
    return f"({f} == '{v}')"


def isin(f: str, *vs: str) -> str:
    return f"({f} in [{', '.join(repr(v) for v in vs)}])"


def ne(f: str, g: str) -> str:
    return f"({present(f, g)} and {f} != {g})"


def ratio(num: str, den: str, op: str, c, *extra: str) -> str:
    names = sorted(set(re.findall(r"[a-z_]\w*", num)) | {den} | set(extra))
    return f"({present(*names)} and {den} != 0 and ({num}) / {den} {op} {c})"


def days(a: str, b: str, op: str, c) -> str:
    return f"({present(a, b)} and ({b} - {a}) / {DAY} {op} {c})"


def velocity(i: int, f: str) -> str:
    window, c = [("1h", 2), ("24h", 5), ("7d", 8), ("30d", 15)][i % 4]
    if i < 16 and window == "1h":
        return f"{n(f, '>=', c)} and {nt('phone_verified')}"
    if i >= 16 and window == "1h":
        return n(f, ">=", 3)
    return n(f, ">=", c)


def zen_rules(fields: list[tuple[str, str]]) -> list[str]:
    z = [velocity(i, fields[i][0]) for i in range(32)]
    z += [n("distinct_devices_per_phone_7d", ">", 3), n("distinct_phones_per_device_7d", ">", 3),
          n("distinct_emails_per_device_7d", ">", 4), n("distinct_cards_per_device_7d", ">", 3),
          n("distinct_addresses_per_phone_7d", ">", 3), n("distinct_ips_per_account_7d", ">", 10)]
    z += [
        ratio("monthly_debt", "monthly_income", ">", 0.6),
        ratio("amount", "monthly_income", ">", 10),
        ratio("monthly_debt + rent", "monthly_income", ">", 0.8),
        f"{n('amount', '>', 5000)} and {n('account_age_days', '<', 30)}",
        f"monthly_income == null and {n('amount', '>', 1000)}",
        n("age", "<", 18),
        f"{n('age', '>', 75)} and {n('amount', '>', 2000)}",
        n("bureau_score", "<", 450),
        n("bureau_inquiries_6m", ">=", 6),
        f"{n('delinquencies_24m', '>=', 2)} and {n('bureau_score', '<', 600)}",
        n("utilization", ">", 0.9),
        f"{n('employment_months', '<', 3)} and {isin('employment_type', 'contract', 'temporary')}",
        n("residence_months", "<", 2),
        n("existing_loans", ">=", 5),
        f"({present('amount', 'term_months', 'monthly_income')} and term_months != 0 and "
        f"amount / term_months > monthly_income * 0.5)",
        n("savings", "<", 0),
        f"({present('credit_limit_total', 'monthly_income')} and credit_limit_total > 20 * monthly_income)",
        f"({present('requested_limit', 'monthly_income')} and requested_limit > max([3 * monthly_income, 10000]))",
        f"{n('dependents', '>=', 5)} and {n('monthly_income', '<', 2000)}",
        n("loan_count_30d", ">=", 3),
        n("chargebacks_90d", ">=", 1),
        f"(monthly_income == null or monthly_income < 800) and {n('amount', '>', 1500)}",
        f"{eq('housing', 'none')} and {n('residence_months', '<', 6)}",
        n("email_age_days", "<", 7),
        n("phone_age_days", "<", 14),
        n("ip_distance_km", ">", 500),
        n("device_age_days", "<", 1),
        n("name_match_score", "<", 0.6),
        f"({present('address_match_score')} and address_match_score >= 0 and address_match_score <= 0.4)",
        ne("country", "ip_country"),
        ne("phone_country", "country"),
        isin("email_domain", "mailinator.com", "guerrillamail.com", "10minutemail.com", "trashmail.com"),
        "(email_domain != null and endsWith(lower(email_domain), '.ru'))",
        f"{nt('id_verified')} and {n('amount', '>', 3000)}",
        f"{nt('selfie_match')} and {eq('id_doc_type', 'passport')}",
        f"{t('is_vpn')} or {t('is_tor')} or {t('is_proxy')}",
        f"{t('is_emulator')} or {t('device_rooted')}",
        f"{t('on_watchlist')} or {t('sanctions_hit')} or {t('pep')}",
        t("disposable_email"),
        f"{nt('email_verified')} and {nt('phone_verified')}",
        n("id_doc_age_days", ">", 3650),
        f"{nt('address_verified')} and {eq('product', 'card')}",
        f"{nt('bank_verified')} and {n('amount', '>', 2000)}",
        isin("country", "KP", "IR", "SY", "CU"),
        f"{isin('ip_country', 'NG', 'RU')} and {eq('channel', 'web')}",
        f"{eq('device_os', 'linux')} and {eq('channel', 'app')}",
        isin("browser", "headless", "phantomjs"),
        "(device_model != null and startsWith(device_model, 'generic'))",
        f"{isin('utm_source', 'affiliate_x', 'unknown')} and {n('amount', '>', 1000)}",
        isin("bank_code", "9999", "0000"),
        f"{isin('postcode_prefix', 'E1', 'N15')} and {n('apps_address_30d', '>=', 3)}",
        f"{eq('product', 'bnpl')} and {n('amount', '>', 3000)}",
        f"{eq('channel', 'partner')} and {n('bureau_score', '<', 520)}",
        f"(applied_at != null and (applied_at % {DAY}) / 3600 >= 1 and (applied_at % {DAY}) / 3600 < 6)",
        f"{days('account_opened_at', 'applied_at', '<', 30)} and {n('amount', '>', 2000)}",
        days("phone_first_seen", "applied_at", "<", 3),
        days("last_application_at", "applied_at", "<", 1),
        f"(applied_at != null and (floor(applied_at / {DAY}) % 7 + 10) % 7 + 1 >= 6) and {n('amount', '>', 4000)}",
        days("email_first_seen", "applied_at", "<", 2),
        f"{n('apps_device_24h', '>=', 3)} and {n('device_age_days', '<', 2)}",
        f"bureau_score == null and {n('amount', '>', 2500)}",
        f"({eq('product', 'card')} ? {n('requested_limit', '>', 15000)} : {n('amount', '>', 20000)})",
    ]
    assert len(z) == 100
    return z


# ---- records ------------------------------------------------------------------------------

def records(fields: list[tuple[str, str]], count: int, seed: int = 11) -> list[dict]:
    """Synthetic applications with the ranges of bench_rules.cpp; ~5 % of values missing."""
    rng = random.Random(seed)
    pools = {"channel": ["web", "app", "partner"], "product": ["cash", "bnpl", "card"],
             "email_domain": ["gmail.com", "mailinator.com", "Mail.RU", "bank.example"],
             "device_os": ["ios", "android", "linux"], "browser": ["chrome", "safari", "headless"],
             "employment_type": ["salaried", "contract", "temporary", "self"], "housing": ["own", "rent", "none"],
             "id_doc_type": ["passport", "licence"], "bank_code": ["2001", "9999", "4402"],
             "utm_source": ["google", "affiliate_x", "unknown"], "device_model": ["iPhone15", "generic-x86", "Pixel8"],
             "postcode_prefix": ["E1", "N15", "SW1", "M4"]}
    out = []
    for _ in range(count):
        row: dict = {}
        for name, kind in fields:
            if rng.random() < 0.05:
                row[name] = None
            elif kind == "number":
                row[name] = number(name, rng)
            elif kind == "boolean":
                row[name] = rng.random() < (0.1 if name == "is_vpn" else 0.7)
            elif kind == "timestamp":
                row[name] = NOW - int(rng.random() * (7 if name == "applied_at" else 60) * DAY)
            else:
                row[name] = rng.choice(["GB", "DE", "NG", "RU", "KP", "US"] if name.endswith("country") else pools[name])
        out.append(row)
    return out


def number(name: str, rng: random.Random) -> float:
    def between(lo: float, hi: float) -> float:
        return float(math.floor(lo + rng.random() * (hi - lo)))
    if name.startswith("apps_"):
        return float(int(rng.random() ** 3 * 20))
    if name.startswith("distinct_"):
        return between(0, 8)
    if name == "monthly_income":
        return 0.0 if rng.random() < 0.03 else between(500, 12000)
    if name in ("amount", "requested_limit"):
        return between(300, 30000)
    if name == "bureau_score":
        return between(300, 850)
    if name == "age":
        return between(16, 85)
    if name == "utilization" or name.endswith("match_score"):
        return rng.random()
    if name == "savings":
        return between(-2000, 20000)
    if name == "term_months":
        return between(3, 60)
    return between(0, 4000 if name.endswith("_days") else 2000 if name == "ip_distance_km" else 12)


# ---- the two engines ----------------------------------------------------------------------

def riskkit_bundle(directory: Path, fields: list[tuple[str, str]], rules: list[str]) -> Path:
    kinds = {"number": "number", "string": "string", "boolean": "bool", "timestamp": "timestamp"}
    bundle = {
        "format": 1, "name": "lending-rules-bench", "version": "1", "stage": "application",
        "schema": {name: {"type": kinds[kind]} for name, kind in fields},
        "rules": [{"id": f"L{i}", "when": when, "action": "review", "reason": {"code": f"L{i}", "text": when}}
                  for i, when in enumerate(rules)],
        "policy": {"default": "approve"},
    }
    (directory / "bundle.json").write_text(json.dumps(bundle, indent=1))
    return directory


def zen_graph(expressions: list[str]) -> str:
    position = {"x": 0, "y": 0}
    graph = {
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "request", "position": position},
            {"id": "rules", "type": "expressionNode", "name": "rules", "position": position,
             "content": {"expressions": [{"id": f"e{i}", "key": f"L{i}", "value": e} for i, e in enumerate(expressions)]}},
            {"id": "response", "type": "outputNode", "name": "response", "position": position},
        ],
        "edges": [{"id": "in", "type": "edge", "sourceId": "request", "targetId": "rules"},
                  {"id": "out", "type": "edge", "sourceId": "rules", "targetId": "response"}],
    }
    return json.dumps(graph)


def riskkit_hits(decision) -> list[str]:
    return [h["id"] for h in decision.rule_hits]


def zen_hits(result: dict) -> list[str]:
    """The rules whose expression gave true, in rule order (ZEN's output keys are unordered)."""
    return sorted((k for k, v in result["result"].items() if v is True), key=lambda k: int(k[1:]))


def zen_core_micros(result: dict) -> float:
    """ZEN's own timing string (e.g. '84.6µs', '1.2ms') in microseconds."""
    text = result["performance"]
    for unit, scale in (("ns", 1e-3), ("µs", 1.0), ("us", 1.0), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    raise ValueError(text)


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median over `repeat` runs of (CPU seconds, wall seconds)."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    fields, rules = lending_rules()
    data = records(fields, args.records)
    with tempfile.TemporaryDirectory() as tmp:
        engine = riskkit.Engine(riskkit_bundle(Path(tmp), fields, rules))
    decision = zen.ZenEngine().create_decision(zen_graph(zen_rules(fields)))

    fired = 0
    for i, row in enumerate(data):
        ours, theirs = riskkit_hits(engine.decide(row)), zen_hits(decision.evaluate(row))
        if ours != theirs:
            print(f"record {i}: riskkit fired {ours}, ZEN fired {theirs}", file=sys.stderr)
            return 1
        fired += len(ours)
    print(f"{len(data)} records, 100 rules, {fired / len(data):.1f} hits per record: riskkit and ZEN agree on every record")

    results: dict[str, tuple[float, float]] = {
        "riskkit Engine.decide": timed(lambda: [engine.decide(row) for row in data], args.repeat),
        "riskkit Engine.decide_many (nthread=1)": timed(lambda: engine.decide_many(data, nthread=1), args.repeat),
        "ZEN decision.evaluate": timed(lambda: [decision.evaluate(row) for row in data], args.repeat),
    }
    core = statistics.median(zen_core_micros(decision.evaluate(row)) for row in data)
    per = {name: (cpu / len(data) * 1e6, wall / len(data) * 1e6) for name, (cpu, wall) in results.items()}
    print(f"{'per record':40s} {'CPU us':>9s} {'wall us':>9s}")
    for name, (cpu, wall) in per.items():
        print(f"{name:40s} {cpu:9.2f} {wall:9.2f}")
    print(f"{'ZEN inside its Rust core (its own figure)':40s} {'':>9s} {core:9.2f}")
    ours, theirs = per["riskkit Engine.decide"][0], per["ZEN decision.evaluate"][0]
    print(f"ZEN / riskkit, one call per record (CPU time): {theirs / ours:.1f}x")
    print(f"ZEN / riskkit decide_many (CPU time): {theirs / per['riskkit Engine.decide_many (nthread=1)'][0]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
