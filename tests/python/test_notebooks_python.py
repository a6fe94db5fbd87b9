"""The example notebooks (examples/notebooks/*.ipynb) run top to bottom without an error.

Each notebook checks its own results with asserts (e.g. the model scored in the notebook
equals the score inside the engine's decisions), so running it is the test. The kernel is
this interpreter (the .venv), in the notebook's folder, with this process's environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "examples" / "notebooks"


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    nb = nbformat.read(path, as_version=4)
    # The native kernel ("python3") is started with sys.executable, i.e. the venv's Python.
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=NATIVE_KERNEL_NAME,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors


def test_the_application_walkthrough_is_there():
    assert (NOTEBOOKS / "application_scoring.ipynb") in notebooks(), sys.path
