"""A self-contained HTML monitoring report from decisions (an audit log or ``riskkit decide``
JSON Lines output).

    python -m riskkit.report AUDIT.jsonl --out report.html [--freq W] [--labels labels.csv]

Sections: decision rates (overall and per period, with the share decided without manual
review), rule hit rates over time, score distribution by outcome, score stability (PSI
of the last period against the first, by bin) and — when ``--labels`` gives a CSV with the
columns ``event_id`` and ``bad`` (1 = bad) — ROC, KS curve and a score-band table. Images
are PNGs embedded as base64, so the file needs nothing else to display.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys

import numpy as np

from . import metrics, plots

__all__ = ["main", "write_report"]

_STYLE = """body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
h2{border-bottom:1px solid #ddd;margin-top:2em}"""


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _table(frame) -> str:
    return frame.to_html(float_format=lambda v: f"{v:.4f}", border=0)


def _score_column(frame, score: str | None) -> str | None:
    if score is not None:
        return f"score_{score}" if f"score_{score}" in frame else score
    columns = [c for c in frame.columns if str(c).startswith("score_")]
    return columns[0] if columns else None


def write_report(decisions, out, *, freq: str = "D", labels=None, score: str | None = None,
                 title: str = "riskkit monitoring report") -> str:
    """Writes the HTML report to ``out`` and returns its text.

    ``decisions`` as :func:`riskkit.metrics.decision_rates` takes them (a JSONL path, a
    DataFrame, a list); ``freq`` groups times into periods when the decisions carry a
    ``time``; ``labels`` maps event_id → 1/0 (a dict or Series) for the performance
    section; ``score`` names the model whose score to show (default: the first).
    """
    import pandas as pd

    frame = metrics._decisions(decisions)
    timed = "time" in frame and frame["time"].notna().any()
    column = _score_column(frame, score)
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p>{len(frame)} decisions"
             + (f", {frame['time'].min()} to {frame['time'].max()}" if timed else "") + "</p>"]

    parts.append("<h2>Decision rates</h2>")
    overall = pd.DataFrame([metrics.decision_rates(frame)], index=["all"])
    parts.append(_table(overall))
    if timed:
        parts.append(_table(metrics.decision_rates(frame, by="time", freq=freq)))

    parts.append("<h2>Rule hit rates</h2>")
    if timed:
        parts.append(_png(plots.rule_hit_rates(frame, by="time", freq=freq)))
    rates = metrics.rule_hit_rates(frame).T.sort_values("all", ascending=False)
    parts.append(_table(rates) if len(rates) else "<p>No rule fired.</p>")

    if column is not None:
        s = frame[column].to_numpy(dtype=np.float64)
        parts.append(f"<h2>Score distribution by outcome ({html.escape(str(column))})</h2>")
        parts.append(_png(plots.score_distribution(s, frame["outcome"])))
        parts.append("<h2>Score stability</h2>")
        if timed:
            periods = frame["time"].dt.tz_convert(None).dt.to_period(freq)
            first, last = periods.min(), periods.max()
            if first != last:
                result = metrics.psi(s[(periods == first).to_numpy()], s[(periods == last).to_numpy()],
                                     return_bins=True)
                parts.append(f"<p>PSI of {last} against {first}: {result[0]:.4f} "
                             "(&lt; 0.1 stable, 0.1–0.25 watch, &gt; 0.25 shifted)</p>")
                parts.append(_png(plots.psi_bins(result)))
            else:
                parts.append("<p>One period only: nothing to compare.</p>")
        else:
            parts.append("<p>The decisions carry no time: stability needs periods.</p>")

        if labels is not None and "event_id" in frame:
            y = frame["event_id"].map(pd.Series(labels)).to_numpy(dtype=np.float64)
            known = ~np.isnan(y)
            parts.append("<h2>Performance</h2>")
            parts.append(f"<p>{int(known.sum())} labelled decisions; AUC {metrics.auc(s[known], y[known]):.4f}, "
                         f"KS {metrics.ks(s[known], y[known]):.4f}</p>")
            parts.append(_png(plots.roc(s[known], y[known])))
            parts.append(_png(plots.ks_curve(s[known], y[known])))
            parts.append(_table(metrics.score_bands(s[known], y[known])))

    text = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>\n")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return text


def _read_labels(path: str):
    import pandas as pd

    table = pd.read_csv(path, dtype={"event_id": str})
    return table.set_index("event_id")["bad"]


def main(argv: list[str] | None = None) -> int:
    """``python -m riskkit.report AUDIT.jsonl --out report.html``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m riskkit.report", description=__doc__.split("\n")[0])
    parser.add_argument("decisions", help="JSON Lines: an audit log or riskkit decide output")
    parser.add_argument("--out", required=True, help="the HTML file to write")
    parser.add_argument("--freq", default="D", help="period of the time series: D, W, M (default D)")
    parser.add_argument("--labels", help="CSV with event_id and bad (1 = bad) for ROC, KS and score bands")
    parser.add_argument("--score", help="model whose score to show (default: the first)")
    args = parser.parse_args(argv)
    try:
        labels = _read_labels(args.labels) if args.labels else None
        write_report(args.decisions, args.out, freq=args.freq, labels=labels, score=args.score)
    except (OSError, ValueError, KeyError) as error:
        print(f"riskkit report: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
