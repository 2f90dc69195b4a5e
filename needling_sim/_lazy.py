"""Deferred imports of numpy and pandas, so ``import needling_sim`` stays fast.

numpy and pandas together take about 0.4 s to import, three times the package's
budget (``benchmarks/``: ``import_core_ms`` <= 150 ms). The core modules use them only
inside functions, so they import them through :class:`LazyModule`, which imports the
real module on first attribute access. Type annotations are never evaluated
(``from __future__ import annotations``), so they cost nothing either.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["LazyModule", "np", "pd"]


class LazyModule:
    """Stand-in for a module that imports it on first attribute access.

    Examples
    --------
    >>> math = LazyModule("math")
    >>> math.sqrt(16.0)
    4.0
    """

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


np = LazyModule("numpy")
pd = LazyModule("pandas")
