"""The xlwings Lite face: lite/main.py through xlwings' remote engine, the core inside Pyodide, and the
wheel's dependencies, each of which Pyodide must be able to install."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402
from xlwings.pro.udfs_officejs import custom_functions_meta, custom_scripts_call, custom_scripts_meta  # noqa: E402

from tests import pyodide_probe, pyodide_wheels  # noqa: E402
from tests.xlwings_payload import payload_from_file, remote_book, replay  # noqa: E402
from xlsheets.cli import main as cli  # noqa: E402
from xlsheets.interchange import department_to_long_records  # noqa: E402
from xlsheets.ops import achieve_file, annotate_file, clear_file  # noqa: E402
from xlsheets.reading import read  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ["fy2020", "fy2024"]

# Pyodide's own packages (binary wheels it builds; the rest of PyPI it installs only as pure-Python
# wheels) that xlsheets requires. From the npm package pyodide 314.0.8, whose pyodide-lock.json says
# Python 3.14.2, ABI 2026_0; test_the_kept_pyodide_list_matches_the_npm_package checks it when present.
PYODIDE_VERSION = "314.0.8"
PYODIDE_PACKAGES = {"numpy", "pandas", "pillow", "pyarrow", "python-calamine", "pyyaml", "click", "rich",
                    "pygments", "python-dateutil", "pytz", "six", "tzdata", "jinja2", "markupsafe"}
PYODIDE_ENV = {"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32",
               "os_name": "posix", "implementation_name": "cpython", "platform_python_implementation": "CPython",
               "python_version": "3.14", "python_full_version": "3.14.2", "extra": ""}


@pytest.fixture(scope="module")
def lite():
    """lite/main.py as xlwings Lite loads it: a module named main."""
    spec = importlib.util.spec_from_file_location("main", ROOT / "lite" / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(lite, script: str, path: Path, out: Path) -> Path:
    """Run a Lite script as the runtime does (custom_scripts_call, the book injected) and replay its actions."""
    book = remote_book(path, active=0)  # the cover is active: every goal sheet
    asyncio.run(custom_scripts_call(lite, script, typehint_to_value={xw.Book: book}))
    return replay(book.json()["actions"], path, out)


def _results_sheet(path: Path):
    return [[c.value for c in row] for row in load_workbook(path)["検証結果"].iter_rows()]


def _live_checks(path: Path):
    """Every goal sheet's conditional formats in order: (range, formula, stop if true, colour)."""
    return {ws.title: [(str(cf.sqref), r.formula, bool(r.stopIfTrue), r.dxf.fill.bgColor.rgb[-6:].upper())
                       for cf in ws.conditional_formatting for r in sorted(cf.rules, key=lambda r: r.priority)]
            for ws in load_workbook(path).worksheets}


def _rates(path: Path):
    return [[s.achievement for _i, s in g.subitems()] for g in read(path).goals]


def test_lite_lists_the_buttons_and_functions(lite):
    scripts = {m["function_name"] for m in custom_scripts_meta(lite)}
    assert scripts == {"xs_validate", "xs_achievement", "xs_clear", "xs_carry_forward"}
    functions = {f["name"] for f in custom_functions_meta(lite)["functions"]}
    assert {"XS_TARGET", "XS_RATE", "XS_GRADE"} <= functions


def test_lite_main_lists_them_where_xlwings_binds_its_own_decorators():
    """In a runtime xlwings.func/script are bound at import (XLWINGS_ON_SERVER): main.py uses those."""
    code = ("import importlib.util, xlwings as xw\n"
            "from xlwings.pro.udfs_officejs import custom_scripts_meta\n"
            f"spec = importlib.util.spec_from_file_location('main', {str(ROOT / 'lite' / 'main.py')!r})\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "print(xw.script.__module__, sorted(d['function_name'] for d in custom_scripts_meta(m)))")
    env = os.environ | {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split(" ", 1) == ["xlwings.pro.udfs_officejs",
                                         "['xs_achievement', 'xs_carry_forward', 'xs_clear', 'xs_validate']\n"]


@pytest.mark.parametrize("name", SAMPLES)
def test_lite_validate_and_clear_equal_the_cli(lite, sample_books, tmp_path, name):
    src = sample_books[name]
    live = _run(lite, "xs_validate", src, tmp_path / "live.xlsx")
    cli_out, report = annotate_file(src, tmp_path / "cli.xlsx")
    assert report.findings and _results_sheet(live) == _results_sheet(cli_out.path)
    assert _live_checks(live) == _live_checks(cli_out.path) != _live_checks(src)  # the marks, placed first
    cleared = _run(lite, "xs_clear", live, tmp_path / "live_clear.xlsx")
    cli_cleared = clear_file(cli_out.path, tmp_path / "c.xlsx").path
    assert load_workbook(cleared).sheetnames == load_workbook(cli_cleared).sheetnames
    assert _live_checks(cleared) == _live_checks(cli_cleared) == _live_checks(src)


def test_lite_validate_twice_in_a_row_gives_the_same_result(lite, sample_books, tmp_path):
    once = _run(lite, "xs_validate", sample_books["fy2024"], tmp_path / "once.xlsx")
    twice = _run(lite, "xs_validate", once, tmp_path / "twice.xlsx")
    assert _results_sheet(twice) == _results_sheet(once)
    assert read(twice).to_dict() == read(sample_books["fy2024"]).to_dict()


@pytest.mark.parametrize("name", SAMPLES)
def test_lite_achievement_equals_the_cli(lite, sample_books, tmp_path, name):
    src = sample_books[name]
    live = _run(lite, "xs_achievement", src, tmp_path / "live.xlsx")
    rates = _rates(live)
    assert any(r for g in rates for r in g) and rates == _rates(achieve_file(src, tmp_path / "cli.xlsx").path)


@pytest.mark.parametrize("name", SAMPLES)
def test_lite_carry_forward_sheet_holds_what_the_cli_carries_forward(lite, sample_books, tmp_path, name):
    src = sample_books[name]
    live = _run(lite, "xs_carry_forward", src, tmp_path / "live.xlsx")
    rows = [[c.value for c in row] for row in load_workbook(live)["新年度入力"].iter_rows()]
    year = read(src).fiscal_year + 1
    res = CliRunner().invoke(cli, ["carry-forward", str(src), "--to-year", str(year), "-o", str(tmp_path / "n.xlsx")])
    assert res.exit_code == 0, res.output
    records = department_to_long_records(read(tmp_path / "n.xlsx"))
    want = [list(records[0])] + [list(r.values()) for r in records]
    mask = re.compile(r"g-[0-9a-f]{12}")  # new goal ids are random

    def masked(table):
        return [[None if v == "" else mask.sub("g-ID", v) if isinstance(v, str) else v for v in r] for r in table]

    assert len(rows) == len(want) > 1 and masked(rows) == masked(want)


def test_lite_functions_give_the_core_values(lite):
    assert lite.XS_RATE("被保護者30人以上の受診", "被保護者 35名受診") == 116
    assert lite.XS_TARGET("目標調達額：8,000千円") == "8,000,000円 以上"
    assert lite.XS_GRADE(80) == "○"


def test_lite_buttons_start_no_thread_or_process(lite, sample_books, tmp_path, monkeypatch):
    """Pyodide has neither threads nor processes: a button that started one would fail in Lite."""
    import multiprocessing.process
    import threading

    def refused(*_a, **_k):
        raise AssertionError("a Lite button started a thread or a process")

    monkeypatch.setattr(threading.Thread, "start", refused)
    monkeypatch.setattr(subprocess.Popen, "__init__", refused)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
    monkeypatch.setattr(os, "fork", refused, raising=False)
    for script in ("xs_validate", "xs_achievement", "xs_clear", "xs_carry_forward"):
        book = remote_book(sample_books["fy2024"], active=0)
        asyncio.run(custom_scripts_call(lite, script, typehint_to_value={xw.Book: book}))
        alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
        assert alerts and not any("エラー" in a and "予期しない" in a for a in alerts), alerts


# ---------------------------------------------------------------- installing in Pyodide


def _requirement(line: str):
    from packaging.requirements import Requirement

    return Requirement(line)


@pytest.fixture(scope="module")
def xlsheets_wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout (hatchling, as pip would build it)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("xlsheets-*.whl")
    assert whl.name.endswith("-py3-none-any.whl")
    return whl


@pytest.fixture(scope="module")
def wheel_requirements(xlsheets_wheel) -> list[str]:
    """Requires-Dist of the wheel built from this checkout."""
    import zipfile

    with zipfile.ZipFile(xlsheets_wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    return [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]


def _is_pure_python(name: str) -> bool:
    """The installed distribution came from a pure-Python wheel (py3-none-any)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        wheel = distribution(name).read_text("WHEEL") or ""
    except PackageNotFoundError:
        return False
    return "Root-Is-Purelib: true" in wheel and "-none-any" in "".join(
        "x-" + t.split(":", 1)[1].strip() for t in wheel.splitlines() if t.startswith("Tag:"))


def test_every_required_dependency_installs_in_pyodide(wheel_requirements):
    """micropip (Pyodide, xlwings Lite) installs a requirement from a pure-Python wheel or Pyodide's own build."""
    from packaging.utils import canonicalize_name

    required = [_requirement(r) for r in wheel_requirements]
    required = [r for r in required if r.marker is None or r.marker.evaluate(PYODIDE_ENV)]  # extras drop out
    names = {canonicalize_name(r.name) for r in required}
    assert {"openpyxl", "xlsxwriter", "pandas"} <= names
    blocked = sorted(n for n in names if n not in PYODIDE_PACKAGES and not _is_pure_python(n))
    assert not blocked, f"not pure Python and not in Pyodide {PYODIDE_VERSION}: {blocked}"


def test_the_desktop_install_keeps_its_pinned_xlwings(wheel_requirements):
    xlwings = [r for r in map(_requirement, wheel_requirements) if r.name == "xlwings"]
    assert len(xlwings) == 1 and str(xlwings[0].specifier) == f"=={xw.__version__}"
    assert xlwings[0].marker.evaluate({"sys_platform": "win32"}) and not xlwings[0].marker.evaluate(PYODIDE_ENV)


def _pyodide_dir() -> Path | None:
    d = Path(os.environ.get("XLSHEETS_PYODIDE_DIR", ROOT / ".cache" / "pyodide" / "node_modules" / "pyodide"))
    return d if (d / "pyodide.js").is_file() and (d / "pyodide-lock.json").is_file() else None


def _need_pyodide() -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Pyodide check needs it")
    d = _pyodide_dir()
    if d is None:
        pytest.skip("the npm package pyodide is not installed (.ci/run installs it into .cache/pyodide)")
    return d


def test_the_kept_pyodide_list_matches_the_npm_package():
    d = _need_pyodide()
    version = json.loads((d / "package.json").read_text())["version"]
    lock = json.loads((d / "pyodide-lock.json").read_text())
    assert version == PYODIDE_VERSION, f"pyodide {version} installed: refresh PYODIDE_PACKAGES from its lock file"
    assert set(lock["packages"]) >= PYODIDE_PACKAGES and lock["info"]["python"] == PYODIDE_ENV["python_full_version"]


RUNNER = r"""
const path = require("path");
const [pyodideDir, stage] = process.argv.slice(2);
const { loadPyodide } = require(path.join(pyodideDir, "pyodide.js"));
(async () => {
  const py = await loadPyodide({ indexURL: pyodideDir + path.sep });
  py.FS.mkdirTree("/stage");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: stage }, "/stage");
  process.stdout.write(py.runPython(`
import json, sys
sys.path.insert(0, "/stage")
import defusedxml, et_xmlfile, openpyxl, xlsxwriter, xlsheets.excel
import pyodide_probe
books = json.load(open("/stage/books.json", encoding="utf-8"))
json.dumps({"platform": sys.platform, "openpyxl": openpyxl.__version__,
            "results": {name: pyodide_probe.results(cells) for name, cells in books.items()}})
`));
})().catch((e) => { console.error(String(e)); process.exit(1); });
"""


def test_the_core_in_pyodide_gives_cpythons_results(sample_books, tmp_path):
    """parse_target, achievement and validate on both samples' cell values, in Pyodide (Node) and here."""
    d = _need_pyodide()
    stage = tmp_path / "stage"
    stage.mkdir()
    import defusedxml
    import et_xmlfile
    import openpyxl
    import xlsxwriter

    import xlsheets

    for module in (xlsheets, openpyxl, et_xmlfile, defusedxml, xlsxwriter):  # the package and its pure-Python deps
        shutil.copytree(Path(module.__file__).parent, stage / module.__name__,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "templates", "macros"))
    shutil.copy(pyodide_probe.__file__, stage / "pyodide_probe.py")
    books = {name: pyodide_probe.book_cells(sample_books[name]) for name in SAMPLES}
    (stage / "books.json").write_text(json.dumps(books, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "run.js").write_text(RUNNER)
    proc = subprocess.run(["node", str(tmp_path / "run.js"), str(d), str(stage)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    assert got["platform"] == "emscripten" and got["openpyxl"] == openpyxl.__version__
    for name in SAMPLES:
        here = pyodide_probe.results(books[name])
        assert here["subitems"] > 0 and here["findings"] and any(r[0] is not None for r in here["rates"])
        assert got["results"][name] == json.loads(json.dumps(here)), name



# ---------------------------------------------------------------- the buttons themselves in Pyodide

LITE_RUNNER = r"""
const path = require("path");
const [pyodideDir, stage] = process.argv.slice(2);
const { loadPyodide } = require(path.join(pyodideDir, "pyodide.js"));
(async () => {
  const quiet = () => {};
  const py = await loadPyodide({ indexURL: pyodideDir + path.sep, packageCacheDir: path.join(stage, "wheels"),
                                 stdout: quiet });
  await py.loadPackage("micropip", { messageCallback: quiet });
  py.FS.mkdirTree("/stage");
  py.FS.mount(py.FS.filesystems.NODEFS, { root: stage }, "/stage");
  await py.runPythonAsync(`
import importlib, json, os, sys
import micropip
job = json.load(open("/stage/job.json", encoding="utf-8"))
await micropip.install(["emfs:/stage/wheels/" + name for name in job["wheels"]], deps=False)
os.environ["XLWINGS_ON_SERVER"] = "true"  # what xlwings Lite's runtime sets before xlwings is imported
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
found = {m: getattr(importlib.import_module(m), "__version__", "") for m in job["modules"]}  # a failed fetch says so here
import xlwings as xw
from xlwings.server import custom_scripts_call
sys.path.insert(0, "/stage")
import main
actions = {}
for sample, payload in job["payloads"].items():
    for script in job["scripts"]:
        book = xw.Book(json=json.loads(json.dumps(payload)))  # a fresh request: xlwings adds to what it is given
        await custom_scripts_call(main, script, typehint_to_value={xw.Book: book})
        actions[f"{sample} {script}"] = book.json()["actions"]
json.dump({"platform": sys.platform, "modules": found, "actions": actions}, open("/stage/out.json", "w"),
          ensure_ascii=False)
`);
})().catch((e) => { console.error(String(e)); process.exit(1); });
"""
LITE_MODULES = ["xlwings", "python_calamine", "openpyxl", "et_xmlfile", "defusedxml", "xlsxwriter", "xlrd", "xlsheets"]
LITE_SCRIPTS = ["xs_validate", "xs_achievement"]


def _need_lite_wheels(pyodide_dir: Path) -> Path:
    folder = Path(os.environ.get("XLSHEETS_PYODIDE_WHEELS", pyodide_wheels.FOLDER))
    lacking = pyodide_wheels.missing(folder, pyodide_dir)
    if lacking:
        pytest.skip(f"wheels for Pyodide missing in {folder}: {', '.join(lacking)} "
                    "(.ci/run fetches them: python -m tests.pyodide_wheels)")
    return folder


def test_lite_buttons_in_pyodide_return_cpythons_actions(lite, sample_books, xlsheets_wheel, tmp_path):
    """lite/main.py's 検証 and 達成率計算 inside Pyodide (Node) as xlwings Lite runs them: xlwings' own Pyodide
    wheel, xlsheets' wheel and its pure dependencies installed by micropip, the book from the JSON an
    Office.js client sends; the actions they return equal CPython's on both samples."""
    pyodide_dir = _need_pyodide()
    folder = _need_lite_wheels(pyodide_dir)
    stage = tmp_path / "stage"
    (stage / "wheels").mkdir(parents=True)
    wanted = [pyodide_wheels.wheel(folder, r) for group in pyodide_wheels.wanted(pyodide_dir).values() for r in group]
    for whl in [*wanted, xlsheets_wheel]:
        shutil.copy(whl, stage / "wheels")
    shutil.copy(ROOT / "lite" / "main.py", stage / "main.py")
    payloads = {name: json.loads(json.dumps(payload_from_file(sample_books[name], active=0))) for name in SAMPLES}
    installs = sorted(p.name for p in (stage / "wheels").iterdir() if not p.name.startswith(("micropip-", "packaging-")))
    job = {"wheels": installs, "modules": LITE_MODULES, "payloads": payloads, "scripts": LITE_SCRIPTS}
    (stage / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "run.js").write_text(LITE_RUNNER)
    proc = subprocess.run(["node", str(tmp_path / "run.js"), str(pyodide_dir), str(stage)], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads((stage / "out.json").read_text(encoding="utf-8"))
    assert got["platform"] == "emscripten" and got["modules"]["xlwings"] == xw.__version__
    assert set(got["modules"]) == set(LITE_MODULES)
    for name in SAMPLES:
        for script in LITE_SCRIPTS:
            book = xw.Book(json=json.loads(json.dumps(payloads[name])))
            asyncio.run(custom_scripts_call(lite, script, typehint_to_value={xw.Book: book}))
            here = json.loads(json.dumps(book.json()["actions"]))
            assert any(a["func"] != "alert" for a in here), (name, script)
            assert got["actions"][f"{name} {script}"] == here, (name, script)
