"""The public API keeps its word: every name of xlsheets.__all__ is the documented object, whatever
was imported before (a module named like a public function would replace it on import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import xlsheets

# what each public name must be: (module that defines it, kind)
DOCUMENTED = {
    "fill": ("xlsheets.filling", "function"), "read": ("xlsheets.reading", "function"),
    "carry_forward": ("xlsheets.carry", "function"), "parse_target": ("xlsheets.grammar.measure", "function"),
    "achievement": ("xlsheets.rates", "function"), "validate_path": ("xlsheets.validation", "function"),
    "rollup": ("xlsheets.summary.pipeline", "function"), "XlsheetsError": ("xlsheets.errors", "type"),
    "Department": ("xlsheets.model", "type"), "Goal": ("xlsheets.model", "type"),
    "Item": ("xlsheets.model", "type"), "SubItem": ("xlsheets.model", "type"),
}

PROBE = """
import importlib, json, pkgutil, sys
import xlsheets

def seen():
    out = {}
    for name in xlsheets.__all__:
        ns = {}
        exec(f"from xlsheets import {name} as obj", ns)
        for how, obj in (("from", ns["obj"]), ("attr", getattr(xlsheets, name))):
            kind = "module" if type(obj).__name__ == "module" else ("type" if isinstance(obj, type) else "function")
            out[f"{how}:{name}"] = [getattr(obj, "__module__", obj.__name__), kind]
    return out

before = seen()
for m in pkgutil.walk_packages(xlsheets.__path__, "xlsheets."):
    if not m.name.startswith(("xlsheets.server", "xlsheets.officejs")):  # xlwings Server's app, xlwings' UDFs
        importlib.import_module(m.name)
after = seen()
print(json.dumps({"before": before, "after": after}))
"""


def test_every_public_name_is_the_documented_object_before_and_after_importing_every_submodule():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert set(DOCUMENTED) == set(xlsheets.__all__)
    for moment in ("before", "after"):
        for name, (module, kind) in DOCUMENTED.items():
            for how in ("from", "attr"):
                assert seen[moment][f"{how}:{name}"] == [module, kind], (moment, how, name)


def test_no_module_is_named_like_a_public_name():
    root = Path(xlsheets.__file__).parent  # the files, not imported: importing the server app has effects
    modules = {p.stem for p in root.rglob("*.py")} | {p.parent.name for p in root.rglob("__init__.py")}
    assert not modules & set(xlsheets.__all__)
