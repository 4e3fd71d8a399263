"""The layers hold: every module is in the table of xlsheets/layers.py, imports point down (at the top of a
module or inside a function), own imports sit at the top outside the faces, and the heavy optional
dependencies stay lazy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from xlsheets.layers import LAYERS, LAZY, LAZY_AT_TOP, layer_of, rank

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "xlsheets"


class Import(NamedTuple):
    module: str  # the importing module, relative to the package (summary.tables, io.grid, cli)
    line: int
    target: str  # the imported one, relative to the package; a third-party top-level name when not ours
    ours: bool
    at_top: bool


def _relative(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _modules() -> dict[str, Path]:
    return {_relative(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    here = module.split(".")[:-1]  # a package's __init__ is "pkg.__init__": its package is "pkg"
    base = here[:len(here) - (node.level - 1)] if node.level else []
    name = node.module or ""
    if not node.level:
        return name.removeprefix("xlsheets").lstrip(".") if name.split(".")[0] == "xlsheets" else name
    return ".".join([*base, name] if name else base)


def _module(name: str, modules: dict[str, Path]) -> str | None:
    """A dotted name relative to the package as one of its modules (a package as its __init__)."""
    for candidate in (name, f"{name}.__init__".lstrip(".")):
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, source: str, modules: dict[str, Path]) -> list[Import]:
    """Every import in a module's source, with where it sits (names of the package as its modules)."""
    tree = ast.parse(source)
    top = {id(n) for n in tree.body} | {id(n) for s in tree.body if isinstance(s, (ast.If, ast.Try))
                                         for n in ast.walk(s)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                ours = alias.name.split(".")[0] == "xlsheets"
                name = alias.name.removeprefix("xlsheets").lstrip(".")
                target = (_module(name, modules) or name) if ours else alias.name.split(".")[0]
                found.append(Import(module, node.lineno, target, ours, id(node) in top))
        elif isinstance(node, ast.ImportFrom):
            ours = bool(node.level) or (node.module or "").split(".")[0] == "xlsheets"
            if not ours:
                found.append(Import(module, node.lineno, (node.module or "").split(".")[0], False, id(node) in top))
                continue
            name = _resolve(module, node)
            for alias in node.names:  # 「from . import layout」 imports a module; 「from .grid import a1」 a name
                target = _module(f"{name}.{alias.name}".lstrip("."), modules) or _module(name, modules) or name
                found.append(Import(module, node.lineno, target, True, id(node) in top))
    return found


def _all_imports() -> list[Import]:
    modules = _modules()
    return [i for m, p in modules.items() for i in imports_of(m, p.read_text(encoding="utf-8"), modules)]


def upward(imports: list[Import]) -> list[str]:
    """The imports from a lower layer to a higher one, as 'module:line → target (layer → layer)'."""
    out = []
    for i in imports:
        if not i.ours:
            continue
        low, high = layer_of(i.module), layer_of(i.target)
        if rank(high) > rank(low):
            out.append(f"xlsheets/{i.module.replace('.', '/')}.py:{i.line} imports {i.target} "
                       f"({low.name} → {high.name})")
    return out


def test_every_module_is_in_one_layer_and_every_entry_names_a_module():
    modules = _modules()
    for m in modules:
        layer_of(m)  # raises for a module in no layer
    entries = [e for layer in LAYERS for part in layer.parts for e in part.modules]
    assert len(entries) == len(set(entries))
    for entry in entries:
        place = PACKAGE / entry
        assert place.is_dir() if entry.endswith("/") else place.with_suffix(".py").is_file(), entry


def test_no_import_points_from_a_lower_layer_to_a_higher_one():
    assert upward(_all_imports()) == []


def test_an_upward_import_inside_a_function_is_caught_with_its_module_and_line():
    modules = _modules()
    source = "def f():\n    x = 1\n    from ..summary.pipeline import rollup\n    return rollup\n"
    found = upward(imports_of("io.grid", source, modules))
    assert found == ["xlsheets/io/grid.py:3 imports summary.pipeline (io → summary)"]
    assert upward(imports_of("io.grid", "from .writers import MARK_FORMULA\n", modules)) == []


def test_outside_the_faces_own_modules_are_imported_at_the_top():
    nested = [f"xlsheets/{i.module.replace('.', '/')}.py:{i.line} imports {i.target} inside a function"
              for i in _all_imports() if i.ours and not i.at_top and layer_of(i.module).name != "faces"]
    assert nested == []


def _lazy_at_top_allowed(module: str) -> bool:
    path = module.replace(".", "/")
    return any(path == m or (m.endswith("/") and path.startswith(m)) for m in LAZY_AT_TOP)


def test_heavy_optional_dependencies_are_never_imported_at_a_modules_top():
    at_top = [f"xlsheets/{i.module.replace('.', '/')}.py:{i.line} imports {i.target}" for i in _all_imports()
              if not i.ours and i.at_top and i.target in LAZY and not _lazy_at_top_allowed(i.module)]
    assert at_top == []


def test_importing_the_command_line_and_every_module_below_the_faces_loads_none_of_them():
    below = sorted(f"xlsheets.{m.removesuffix('.__init__')}".removesuffix(".__init__")
                   for m in _modules() if layer_of(m).name != "faces")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in [*below, "xlsheets.cli"])
            + f"print(','.join(sorted(m for m in {list(LAZY)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("layer", [layer.name for layer in LAYERS])
def test_each_layer_holds_at_least_one_module(layer):
    assert any(layer_of(m).name == layer for m in _modules())
