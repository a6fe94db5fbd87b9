"""Monitoring plots render (Agg, no display) and the HTML report holds its sections with
embedded images, from a JSON Lines file of decisions written by the engine's own to_json."""

import base64
import json

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from riskkit import metrics, plots  # noqa: E402
from riskkit import report  # noqa: E402


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(12)
    y = (rng.random(3000) < 0.2).astype(float)
    return rng.normal(y, 1.0), y


def rendered(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_every_plot_returns_a_figure_that_renders(scored):
    s, y = scored
    psi = metrics.psi(s[:1500], s[1500:] + 0.2, return_bins=True)
    for fig in [plots.roc(s, y), plots.ks_curve(s, y), plots.score_distribution(s, y), plots.psi_bins(psi)]:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert rendered(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    legend = plots.roc(s, y).axes[0].get_legend().get_texts()[0].get_text()
    assert f"AUC {metrics.auc(s, y):.4f}" in legend


@pytest.fixture()
def audit(tmp_path, scored):
    s, y = scored
    rng = np.random.default_rng(1)
    path = tmp_path / "audit.jsonl"
    with open(path, "w") as f:
        for i, (score, bad) in enumerate(zip(s, y)):
            outcome = "decline" if score > 1.2 else "review" if score > 0.8 else "approve"
            hits = [{"id": "V001", "action": "review"}] if rng.random() < 0.1 else []
            f.write(json.dumps({"event_id": f"A{i}", "outcome": outcome, "scores": {"credit": score},
                                "rule_hits": hits, "reasons": [], "decided_at": 1767225600 + 86400 * (i % 14)}) + "\n")
    labels = tmp_path / "labels.csv"
    labels.write_text("event_id,bad\n" + "".join(f"A{i},{int(b)}\n" for i, b in enumerate(y)))
    return path, labels


def test_report_is_self_contained_with_every_section(audit, tmp_path):
    path, labels = audit
    out = tmp_path / "report.html"
    assert report.main([str(path), "--out", str(out), "--freq", "W", "--labels", str(labels)]) == 0
    text = out.read_text()
    for section in ["Decision rates", "Rule hit rates", "Score distribution by outcome", "Score stability",
                    "Performance", "V001"]:
        assert section in text, section
    images = text.split('src="data:image/png;base64,')[1:]
    assert len(images) == 5  # hit rates, score distribution, PSI by bin, ROC, KS
    assert base64.b64decode(images[0].split('"')[0])[:4] == b"\x89PNG"
    assert "http://" not in text and "https://" not in text


def test_report_without_time_or_labels_still_writes(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"outcome": o, "scores": {"m": v}}) + "\n"
                            for o, v in [("approve", 0.1), ("decline", 0.9), ("review", 0.5)] * 5))
    text = report.write_report(str(path), tmp_path / "r.html")
    assert "Decision rates" in text and "stability needs periods" in text and "Performance" not in text


def test_python_m_riskkit_report_runs_the_same_report(audit, tmp_path):
    from riskkit.__main__ import main

    path, labels = audit
    out = tmp_path / "cli.html"
    assert main(["report", str(path), "--out", str(out), "--labels", str(labels)]) == 0
    assert "Decision rates" in out.read_text()
