"""Strip outputs and execution counts from notebooks before committing.

Cells tagged ``nbval-check-output`` keep their outputs and execution counts (nbval compares
the outputs, and refuses stored outputs without an execution count). The tag lives in the
cell's metadata, so a trainee never sees it; ``tests/test_notebooks.py`` holds the rule. Run it on
the files you changed:

    .venv/bin/python tools/clean_notebooks.py course/*.ipynb

``--execute`` first runs each notebook in a fresh kernel (from its own folder) so the
checked cells get fresh outputs, then strips the rest.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

CHECK_TAG = "nbval-check-output"


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs (except nbval-checked cells), execution counts and volatile metadata."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        if cell.cell_type != "code":
            continue
        if CHECK_TAG not in cell.metadata.get("tags", []):
            cell.execution_count = None
            cell.outputs = []
    nb.metadata.pop("widgets", None)
    return nb


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--execute", action="store_true", help="run each notebook in a fresh kernel first")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if args.execute:
            from nbclient import NotebookClient

            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        nbformat.write(clean(nb), path)
        print(f"cleaned {path}")


if __name__ == "__main__":
    main()
