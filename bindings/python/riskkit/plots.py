"""Monitoring plots (matplotlib): ROC, KS curve, score distribution, PSI by bin, rule hit
rates over time.

Every function returns a new ``matplotlib.figure.Figure`` built without pyplot, so it
touches no global state (safe in threads and scripts, shown inline in notebooks; save it
with ``fig.savefig("roc.png")``). Labels are 1 for bad, 0 for good; larger scores riskier
unless said otherwise.
"""

from __future__ import annotations

import numpy as np

from . import metrics

__all__ = ["ks_curve", "psi_bins", "roc", "rule_hit_rates", "score_distribution"]


def _figure(figsize=(6.0, 4.0)):
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def _scored(scores, labels):
    s, y = metrics._column(scores), metrics._column(labels)
    keep = ~np.isnan(s)
    return s[keep], y[keep]


def _cumulative(scores, labels):
    """Cumulative shares of bads and goods at each distinct score, from the highest score down
    (the ROC's true- and false-positive rates); ties are one step."""
    s, y = _scored(scores, labels)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    bads, goods = np.cumsum(y)[last], np.cumsum(1 - y)[last]
    return s[last], np.r_[0, bads / bads[-1]], np.r_[0, goods / goods[-1]]


def roc(scores, labels, *, title: str = "ROC curve"):
    """ROC curve with its AUC and Gini in the legend."""
    _, tpr, fpr = _cumulative(scores, labels)
    auc = metrics.auc(scores, labels)
    fig, ax = _figure()
    ax.plot(fpr, tpr, label=f"AUC {auc:.4f}  Gini {2 * auc - 1:.4f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    ax.set(xlabel="false positive rate (goods)", ylabel="true positive rate (bads)", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="lower right")
    return fig


def ks_curve(scores, labels, *, title: str = "KS curve"):
    """Cumulative shares of bads and goods by score (highest first), with the KS gap marked."""
    thresholds, bads, goods = _cumulative(scores, labels)
    gap = np.abs(bads - goods)
    k = int(np.argmax(gap))
    x = np.r_[np.nan, thresholds]
    fig, ax = _figure()
    population = np.linspace(0, 1, len(bads))
    ax.plot(population, bads, label="bads")
    ax.plot(population, goods, label="goods")
    ax.vlines(population[k], goods[k], bads[k], colors="black", linestyles=":",
              label=f"KS {gap[k]:.4f} at score {x[k]:.4g}")
    ax.set(xlabel="score steps, highest first", ylabel="cumulative share", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="lower right")
    return fig


def score_distribution(scores, outcome, *, bins: int = 30, title: str = "Score distribution by outcome"):
    """Histograms of the scores for each value of ``outcome`` (labels 0/1, or decision
    outcomes such as "approve"/"decline"), as densities on shared bins."""
    s = metrics._column(scores)
    o = np.asarray(outcome, dtype=object)
    keep = ~np.isnan(s)
    s, o = s[keep], o[keep]
    edges = np.histogram_bin_edges(s, bins=bins)
    fig, ax = _figure()
    names = {0: "good (0)", 1: "bad (1)", 0.0: "good (0)", 1.0: "bad (1)"}
    for value in sorted(set(o.tolist()), key=str):
        ax.hist(s[o == value], bins=edges, density=True, alpha=0.5, label=names.get(value, str(value)))
    ax.set(xlabel="score", ylabel="density", title=title)
    ax.legend()
    return fig


def psi_bins(table, *, title: str | None = None):
    """Expected vs actual share per bin, with each bin's PSI contribution, from the bin table
    of ``metrics.psi(..., return_bins=True)`` or ``metrics.csi(..., return_bins=True)`` —
    pass the ``(value, table)`` pair or the table alone."""
    value = None
    if isinstance(table, tuple):
        value, table = table
    labels = [str(b) for b in table["bin"]]
    x = np.arange(len(labels))
    fig, ax = _figure((max(6.0, 0.6 * len(labels) + 2), 4.0))
    ax.bar(x - 0.2, table["expected_share"], width=0.4, label="expected")
    ax.bar(x + 0.2, table["actual_share"], width=0.4, label="actual")
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set(ylabel="share", title=title or ("PSI by bin" + (f" (PSI {value:.4f})" if value is not None else "")))
    twin = ax.twinx()
    twin.plot(x, table["contribution"], color="black", marker="o", linewidth=1, label="contribution")
    twin.set_ylabel("PSI contribution")
    ax.legend(loc="upper left")
    return fig


def rule_hit_rates(decisions, *, by="time", freq: str | None = "D", top: int = 10,
                   title: str = "Rule hit rates over time"):
    """Share of decisions hitting each rule per period (the ``top`` rules by overall hit
    rate), from decisions as :func:`riskkit.metrics.rule_hit_rates` takes them."""
    rates = metrics.rule_hit_rates(decisions, by=by, freq=freq)
    fig, ax = _figure((7.0, 4.0))
    columns = rates.mean().sort_values(ascending=False).index[:top] if len(rates.columns) else []
    for rule in columns:
        ax.plot(rates.index, rates[rule], marker="o", markersize=3, label=str(rule))
    ax.set(xlabel=str(by) if isinstance(by, str) else "period", ylabel="hit rate", title=title)
    if len(columns):
        ax.legend(fontsize=8, ncols=2)
    fig.autofmt_xdate()
    return fig
