"""The xlwings Server face: the same functions behind HTTP, guarded, tested with FastAPI's TestClient."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
if importlib.util.find_spec("xlwings_server") is None:  # not imported here: create_app configures it first
    pytest.skip("the server extra is not installed", allow_module_level=True)

import xlwings as xw  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import xlsheets.excel as x  # noqa: E402
from tests.xlwings_payload import payload_from_file  # noqa: E402
from xlsheets.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client():
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _post(client, script, payload, **kw):
    return client.post(f"/xlwings/custom-scripts-call/{script}", json=payload, **kw)


@pytest.mark.parametrize(("script", "desktop"), [("xs_validate", x.validate_sheet),
                                                  ("xs_achievement", x.compute_achievement),
                                                  ("xs_clear", x.clear_findings),
                                                  ("xs_rollup", x.rollup_sheet),
                                                  ("xs_carry_forward", x.carry_forward_sheet)])
def test_each_script_returns_the_desktop_functions_actions(client, sample_books, script, desktop):
    payload = payload_from_file(sample_books["fy2020"])
    res = _post(client, script, payload)
    assert res.status_code == 200, res.text
    book = xw.Book(json=json.loads(json.dumps(payload)))
    desktop(book)
    assert _ids_masked(res.json()["actions"]) == _ids_masked(book.json()["actions"])
    assert any(a["func"] == "alert" for a in res.json()["actions"])


def _ids_masked(actions):
    """New-year goal ids are random: compare everything else."""
    import re

    return json.loads(re.sub(r"g-[0-9a-f]{12}", "g-ID", json.dumps(actions, ensure_ascii=False)))


def test_custom_functions_give_the_core_values(client):
    from xlsheets.server import custom_functions as cf

    assert cf.XS_RATE("被保護者30人以上の受診", "被保護者 35名受診") == 116
    assert cf.XS_TARGET("目標調達額：8,000千円") == "8,000,000円 以上"
    assert cf.XS_GRADE(80) == "○"
    meta = client.get("/xlwings/custom-functions-meta")
    assert meta.status_code == 200 and "XS_RATE" in meta.text


def test_task_pane_has_the_buttons(client):
    res = client.get("/taskpane.html")
    assert res.status_code == 200
    for script in ("xs_validate", "xs_achievement", "xs_clear", "xs_rollup", "xs_carry_forward"):
        assert f'xw-click="{script}"' in res.text
    assert "検証" in res.text


def _alert_text(res) -> str:
    return next(a for a in res.json()["actions"] if a["func"] == "alert")["args"][0]


def test_malformed_json_gets_a_japanese_alert(client):
    res = client.post("/xlwings/custom-scripts-call/xs_validate", content=b"{not json",
                      headers={"content-type": "application/json"})
    assert res.status_code == 400 and "JSON" in _alert_text(res)


def test_a_100_mb_request_is_refused_before_it_is_read(client):
    res = client.post("/xlwings/custom-scripts-call/xs_validate", content=b"x" * (100 * 1024 * 1024),
                      headers={"content-type": "application/json"})
    assert res.status_code == 413 and "大きすぎます" in _alert_text(res)


def test_a_sheet_that_is_not_a_goal_sheet(client, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "売上"
    wb.save(tmp_path / "other.xlsx")
    res = _post(client, "xs_validate", payload_from_file(tmp_path / "other.xlsx"))
    assert res.status_code == 200 and "重点目標管理シートがありません" in _alert_text(res)


def test_the_time_limit_answers_with_a_message(client, sample_books, monkeypatch):
    import xlsheets.server as srv

    monkeypatch.setattr(srv, "TIME_LIMIT_S", 0.01)
    slow = x.compute_achievement

    def sleepy(book=None):
        time.sleep(0.5)
        return slow(book)

    monkeypatch.setattr(x, "compute_achievement", sleepy)
    # the guard reads the limit when the app is built: build a fresh one
    import importlib

    import xlwings_server.main as main_module

    importlib.reload(main_module)
    with TestClient(srv.create_app(), raise_server_exceptions=False) as c:
        res = _post(c, "xs_achievement", payload_from_file(sample_books["fy2024"]))
    assert res.status_code == 504 and "秒以内に終わりませんでした" in _alert_text(res)


def test_nothing_is_written_on_the_servers_disk(client, sample_books, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    for script in ("xs_validate", "xs_achievement", "xs_rollup", "xs_carry_forward"):
        assert _post(client, script, payload_from_file(sample_books["fy2024"])).status_code == 200
    assert set(tmp_path.rglob("*")) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_xlsheets_serve_over_loopback(sample_books):
    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xlsheets.cli", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(url + "/taskpane.html", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError(proc.stderr.read().decode())
        res = httpx.post(url + "/xlwings/custom-scripts-call/xs_achievement",
                         json=payload_from_file(sample_books["fy2020"]), timeout=60)
        assert res.status_code == 200
        assert any(a["func"] == "setValues" for a in res.json()["actions"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
