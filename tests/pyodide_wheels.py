"""The wheels tests/test_lite.py installs into Pyodide with micropip from local files, and how to fetch them.

Pyodide's CDN is not reachable here, so everything comes from PyPI through pip: xlwings' own
Pyodide wheel (the remote engine that xlwings Lite runs) and python-calamine's, both built for
Pyodide 314 (``pyemscripten_2026_0_wasm32``); the pure-Python dependencies the buttons import, at the
versions installed here; and micropip with packaging at the versions of Pyodide's lock file, which
``loadPackage("micropip")`` finds in ``packageCacheDir``. ``python -m tests.pyodide_wheels [DIR]``
(run by .ci/run) downloads what is missing into DIR (default .cache/pyodide-wheels).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / ".cache" / "pyodide-wheels"
PYODIDE = ["--platform", "pyemscripten_2026_0_wasm32", "--python-version", "3.14", "--abi", "cp314",
           "--implementation", "cp"]
BUILT = ["xlwings", "python-calamine"]  # built for Pyodide: at the versions installed here
PURE = ["openpyxl", "et-xmlfile", "defusedxml", "XlsxWriter", "xlrd"]  # pure Python: at the versions installed here
MICROPIP = ["micropip", "packaging"]  # at the versions of Pyodide's lock file


def _file_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def wanted(pyodide_dir: Path) -> dict[str, list[str]]:
    """{'built': [...], 'pure': [...]} pinned requirements (name==version)."""
    lock = json.loads((pyodide_dir / "pyodide-lock.json").read_text())["packages"]
    return {"built": [f"{n}=={version(n)}" for n in BUILT],
            "pure": [f"{n}=={version(n)}" for n in PURE] + [f"{n}=={lock[n]['version']}" for n in MICROPIP]}


def wheel(folder: Path, requirement: str) -> Path | None:
    """The wheel in folder for name==version, if there."""
    name, ver = requirement.split("==")
    found = [p for p in folder.glob("*.whl") if p.name.lower().startswith(f"{_file_key(name)}-{ver}-")]
    return found[0] if found else None


def missing(folder: Path, pyodide_dir: Path) -> list[str]:
    return [r for group in wanted(pyodide_dir).values() for r in group if wheel(folder, r) is None]


def fetch(folder: Path, pyodide_dir: Path) -> list[str]:
    """Download what is missing (pip, no dependencies, wheels only); returns what is still missing."""
    folder.mkdir(parents=True, exist_ok=True)
    need = set(missing(folder, pyodide_dir))
    for group, extra in (("built", PYODIDE), ("pure", ["--python-version", "3.14"])):
        todo = [r for r in wanted(pyodide_dir)[group] if r in need]
        if todo:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", *extra,
                            "-d", str(folder), *todo], check=False, timeout=600)
    return missing(folder, pyodide_dir)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    left = fetch(target, ROOT / ".cache" / "pyodide" / "node_modules" / "pyodide")
    print(f"Pyodide wheels in {target}: " + (f"missing {', '.join(left)}" if left else "complete"))
    sys.exit(1 if left else 0)
