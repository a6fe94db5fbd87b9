"""HTML renderings for notebooks (``_repr_html_``) of decisions, engines and models.

Plain tables with inline styles only, so they read the same in Jupyter, VS Code and an
exported HTML file; every text is escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable, Sequence

_OUTCOME_COLOURS = {"approve": "#1a7f37", "review": "#9a6700", "decline": "#cf222e"}
_TABLE = 'style="border-collapse:collapse;font-size:12px;margin:2px 0"'
_CELL = 'style="border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top"'


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th {_CELL}>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td {_CELL}>{escape(_text(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table {_TABLE}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return "missing" if math.isnan(value) else f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _pairs(pairs: Iterable[tuple[str, Any]]) -> str:
    return _table(["", ""], pairs).replace("<thead><tr><th", "<thead style=\"display:none\"><tr><th", 1)


def decision_html(decision: Any) -> str:
    """A Decision as an outcome banner, then its scores, rule hits, reasons and issues."""
    outcome = decision.outcome
    colour = _OUTCOME_COLOURS.get(outcome, "#57606a")
    bundle = decision.bundle
    parts = [
        f'<div><b style="color:{colour};font-size:14px">{escape(outcome.upper())}</b>'
        f"{' &middot; grade <b>' + escape(decision.grade) + '</b>' if decision.grade else ''}"
        f" &middot; event <code>{escape(decision.event_id or '-')}</code>"
        f" &middot; {escape(bundle['name'])} {escape(bundle['version'])}"
        f" <code>{escape(bundle['digest'][:12])}</code> &middot; {decision.latency_us:.1f} µs</div>",
    ]
    if decision.scores:
        parts.append(_table(["score", "value"], decision.scores.items()))
    if decision.rule_hits:
        parts.append(_table(["rule", "action", "mode", "code", "text"],
                            [(h["id"], h["action"], h["mode"], h["code"], h["text"]) for h in decision.rule_hits]))
    if decision.reasons:
        parts.append(_table(["reason", "text", "source", "weight"],
                            [(r["code"], r["text"], r["source"], r["weight"]) for r in decision.reasons]))
    if decision.outputs:
        parts.append(_table(["output", "value"], decision.outputs.items()))
    if decision.issues:
        parts.append(_table(["field", "issue"], [(i["field"], i["message"]) for i in decision.issues]))
    return "<div>" + "".join(parts) + "</div>"


def engine_html(info: dict) -> str:
    """An Engine's bundle: name, version, stage, digest, then its fields, features and models."""
    return "<div><b>riskkit.Engine</b>" + _pairs([
        ("bundle", info["name"]), ("version", info["version"]), ("stage", info["stage"]),
        ("digest", info["digest"]), ("directory", info["directory"]),
        (f"fields ({len(info['fields'])})", info["fields"]),
        (f"features ({len(info['feature_names'])})", info["feature_names"]),
        ("models", info["model_names"]),
    ]) + "</div>"


def model_html(model: Any) -> str:
    """A Model's kind, shape and input names."""
    names = model.feature_names
    return "<div><b>riskkit.Model</b>" + _pairs([
        ("kind", model.kind), ("num_features", model.num_features), ("num_outputs", model.num_outputs),
        ("feature_names", names if names else "(none stored: columns are taken by position)"),
    ]) + "</div>"
