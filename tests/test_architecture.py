"""The package's shape (DESIGN.md): small modules, short functions, no private names across modules,
dependencies pointing one way (data -> model -> figures -> apps)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "needling_sim"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# Modules over the line budget that are still one idea, and why.
ONE_IDEA_MODULES = {
    "_checks.py": "every argument check of the package, by design in one place",
    "screening.py": "one small function per screening rule, under its claim ids",
}
# Figures and apps may use plotting and widget libraries; the model may not.
FRONT_END_PACKAGES = ("plots", "widgets")
FRONT_END_LIBRARIES = ("plotly", "ipywidgets", "anywidget")


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_names(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            internal = node.level > 0 or (node.module or "").startswith("needling_sim")
            for alias in node.names:
                yield internal, node.module or "", alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.startswith("needling_sim"), alias.name, ""


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_imports_another_modules_private_name(path):
    private = [f"{module}.{name}" for internal, module, name in _imported_names(_tree(path))
               if internal and name.startswith("_") and not name.startswith("__")]
    assert private == [], f"{_relative(path)} imports private names {private}: make them public where they live"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_module_reaches_into_another_modules_private_attributes(path):
    tree = _tree(path)
    modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and (node.level > 0 or (node.module or "").startswith("needling_sim")) for alias in node.names}
    modules |= {"plotly", "go", "widgets", "W"}
    reached = sorted({f"{node.value.id}.{node.attr}" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                      and node.value.id in modules and node.attr.startswith("_") and not node.attr.startswith("__")})
    assert reached == [], f"{_relative(path)} uses private attributes {reached}"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_the_model_imports_no_plotting_or_widget_library(path):
    if _relative(path).split("/")[0] in FRONT_END_PACKAGES:
        pytest.skip("figures and apps draw with plotly and ipywidgets")
    used = sorted({module.split(".")[0] or name for _, module, name in _imported_names(_tree(path))}
                  & set(FRONT_END_LIBRARIES))
    assert used == [], f"{_relative(path)} imports {used}; the model must not (dependencies point one way)"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_modules_stay_small_unless_they_hold_one_idea(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if _relative(path) in ONE_IDEA_MODULES:
        pytest.skip(ONE_IDEA_MODULES[_relative(path)])
    assert lines <= MAX_MODULE_LINES, f"{_relative(path)} has {lines} lines; split it by idea"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_function_body_is_over_sixty_lines(path):
    long = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(node.body) > 1:
                first = node.body[1]  # the docstring is documentation, not body
            length = node.end_lineno - first.lineno + 1
            if length > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({length} lines)")
    assert long == [], f"{_relative(path)}: {long}"
