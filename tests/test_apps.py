"""apps/: the stand-alone Voila apps (``make voila``) are committed clean, show no code, and run.

The browser test (tests/test_browser.py) drives the planner in Voila; these checks need no browser.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANNER = ROOT / "apps" / "planner.ipynb"


def test_the_make_voila_target_serves_the_planner_on_loopback():
    target = (ROOT / "Makefile").read_text().split("\nvoila:", 1)[1].split("\n\n", 1)[0]
    assert "apps/planner.ipynb" in target and "--no-browser" in target
    assert "--Voila.ip=$(JUPYTER_HOST)" in target


def test_the_planner_app_is_a_title_instructions_and_one_cell_that_shows_the_app():
    nb = nbformat.read(PLANNER, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert markdown and markdown[0].startswith("# "), "a title first"
    assert "not clinical advice" in "\n".join(markdown).lower()
    assert len(code) == 1 and code[0].source.rstrip().endswith("widgets.planner_app()")
    assert code[0].execution_count is None and not code[0].outputs, "commit the app without outputs"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_the_planner_app_runs_in_a_kernel_and_displays_one_widget(monkeypatch, tmp_path):
    from nbclient import NotebookClient

    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(name, str(tmp_path / name))
    nb = nbformat.read(PLANNER, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}) \
        .execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    # One widget and nothing else: no warning, print or error for the trainee to see.
    assert len(outputs) == 1 and outputs[0].output_type in ("display_data", "execute_result"), outputs
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data
