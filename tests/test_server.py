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


def test_validate_twice_on_the_server_gives_the_same_result(client, sample_books, tmp_path):
    from tests.xlwings_payload import replay

    first = _post(client, "xs_validate", payload_from_file(sample_books["fy2024"]))
    once = replay(first.json()["actions"], sample_books["fy2024"], tmp_path / "once.xlsx")
    second = _post(client, "xs_validate", payload_from_file(once))
    assert second.status_code == 200
    twice = replay(second.json()["actions"], once, tmp_path / "twice.xlsx")
    alerts = [[a["args"][0] for a in r.json()["actions"] if a["func"] == "alert"] for r in (first, second)]
    assert alerts[0] == alerts[1] and "エラー 0 件、警告 25 件" in alerts[0][0]
    from openpyxl import load_workbook

    rows = [[[c.value for c in row] for row in load_workbook(p)["検証結果"].iter_rows()] for p in (once, twice)]
    assert rows[0] == rows[1]


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


def _wait_ready(url: str, proc: subprocess.Popen) -> None:
    import httpx

    for _ in range(100):
        try:
            if httpx.get(url + "/taskpane.html", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise AssertionError(proc.communicate(timeout=10)[1].decode())


def test_xlsheets_serve_over_loopback(sample_books):
    import httpx

    port = _free_port()
    proc = _serve(port)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, proc)
        res = httpx.post(url + "/xlwings/custom-scripts-call/xs_achievement",
                         json=payload_from_file(sample_books["fy2020"]), timeout=60)
        assert res.status_code == 200
        assert any(a["func"] == "setValues" for a in res.json()["actions"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)

# --- authentication: xlwings Server's custom provider with XLSHEETS_SERVER_TOKEN -------------------

TOKEN = "s3cret-token-for-tests-0123456789"
SCRIPTS = {"xs_validate": x.validate_sheet, "xs_achievement": x.compute_achievement,
           "xs_clear": x.clear_findings, "xs_rollup": x.rollup_sheet, "xs_carry_forward": x.carry_forward_sheet}


@pytest.fixture
def token_client(client, providers, monkeypatch):
    """The same app with the shared token switched on (and off again afterwards)."""
    import xlsheets.server as srv

    monkeypatch.setenv(srv.TOKEN_ENV, TOKEN)
    srv.create_app()
    assert srv.auth_providers() == ["custom"]
    return client


@pytest.fixture
def script_calls(monkeypatch):
    """The desktop functions the server's scripts call, still real, with their calls counted."""
    calls = []
    for fn in SCRIPTS.values():
        def counted(book=None, _fn=fn):
            calls.append(_fn.__name__)
            return _fn(book)

        monkeypatch.setattr(x, fn.__name__, counted)
    return calls


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-wrong-token", TOKEN, f"Basic {TOKEN}",
                                           f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", "Bearer ",
                                           "test-token"])  # xlwings Server's own placeholder provider's
def test_without_the_right_token_a_call_gets_401_and_runs_nothing(token_client, sample_books, script_calls,
                                                                  tmp_path, monkeypatch, authorization):
    monkeypatch.chdir(tmp_path)
    headers = {"Authorization": authorization} if authorization is not None else {}
    payload = payload_from_file(sample_books["fy2020"])
    for script in SCRIPTS:
        res = _post(token_client, script, payload, headers=headers)
        assert res.status_code == 401, res.text
        assert res.headers["www-authenticate"] == "Bearer"
        assert "接続キー" in res.json()["detail"] and "接続キー" in _alert_text(res)
    assert script_calls == []
    assert list(tmp_path.iterdir()) == []


def test_with_the_right_token_each_script_gives_todays_actions(token_client, sample_books, script_calls):
    payload = payload_from_file(sample_books["fy2020"])
    for script, desktop in SCRIPTS.items():
        res = _post(token_client, script, payload, headers={"Authorization": f"bearer {TOKEN}"})
        assert res.status_code == 200, res.text
        book = xw.Book(json=json.loads(json.dumps(payload)))
        desktop(book)
        assert _ids_masked(res.json()["actions"]) == _ids_masked(book.json()["actions"])
    assert script_calls == [fn.__name__ for fn in SCRIPTS.values()]  # each once, by the server


def test_an_unauthenticated_call_is_answered_before_its_body_is_read(token_client):
    for body in (b"{not json", b"x" * (30 * 1024 * 1024)):
        res = token_client.post("/xlwings/custom-scripts-call/xs_validate", content=body,
                                headers={"content-type": "application/json"})
        assert res.status_code == 401, res.text[:200]


def _function_call(client, headers):
    body = {"func_name": "XS_GRADE", "args": [[[80]]], "caller_address": None,
            "version": xw.__version__, "client": "Office.js", "runtime": "1.4", "session_id": "t",
            "culture_info_name": "ja-JP", "date_format": "yyyy/m/d"}
    return client.post("/xlwings/custom-functions-call", json=body, headers=headers)


def test_worksheet_functions_need_the_token_too(token_client):
    assert _function_call(token_client, {}).status_code == 401
    res = _function_call(token_client, {"Authorization": f"Bearer {TOKEN}"})
    assert res.status_code == 200 and res.json()["result"] == [["○"]]


def test_a_non_ascii_authorization_header_is_a_401_not_a_500(token_client, sample_books):
    res = token_client.post("/xlwings/custom-scripts-call/xs_validate",
                            json=payload_from_file(sample_books["fy2020"]),
                            headers=[(b"authorization", "Bearer 接続キー".encode())])
    assert res.status_code == 401


def test_the_task_pane_asks_for_the_token_only_when_it_is_on(client, token_client):
    page = token_client.get("/taskpane.html").text
    assert 'id="xs-token"' in page and "/js/token.js" in page
    assert "xs-token-save" in token_client.get("/static/js/token.js").text
    assert '"authProviders": ["custom"]' in page  # what the auth hook reads


def test_the_task_pane_has_no_token_field_without_auth(client):
    assert 'id="xs-token"' not in client.get("/taskpane.html").text


def test_the_served_auth_hook_sends_the_saved_token_as_bearer(token_client, tmp_path):
    """Run the auth.js the server serves in node, with the key saved as the task pane saves it."""
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    js = token_client.get("/static/js/auth.js").text
    harness = tmp_path / "harness.js"
    harness.write_text(
        "const store = {'xlsheets.serverToken': 'abc-key'};\n"
        "globalThis.localStorage = {getItem: (k) => store[k] ?? null};\n"
        "globalThis.config = {authProviders: ['custom']};\n"
        + js + "\n"
        "globalThis.getAuth().then((a) => { console.log(JSON.stringify(a)); delete store['xlsheets.serverToken'];"
        " return globalThis.getAuth(); }).then((a) => console.log(JSON.stringify(a)));\n",
        encoding="utf-8")
    out = subprocess.run([node, str(harness)], capture_output=True, text=True, timeout=30, check=True).stdout
    assert [json.loads(line) for line in out.splitlines()] == [
        {"token": "Bearer abc-key", "provider": "custom"}, {"token": "", "provider": "custom"}]


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("[::1]", True), ("127.0.0.2", True), ("0.0.0.0", False),
                                                ("::", False), ("192.168.10.5", False),
                                                ("xlsheets.city.local", False)])
def test_which_binds_reach_only_this_machine(host, loopback):
    from xlsheets.server import is_loopback

    assert is_loopback(host) is loopback


def _serve(port: int, *args: str, env: dict | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("XLSHEETS_SERVER_TOKEN", "XLWINGS_AUTH_PROVIDERS")} | (env or {})
    return subprocess.Popen([sys.executable, "-m", "xlsheets.cli", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def test_xlsheets_serve_with_a_token_lets_in_only_its_holders(sample_books):
    import httpx

    port = _free_port()
    proc = _serve(port, env={"XLSHEETS_SERVER_TOKEN": TOKEN})
    try:
        url = f"http://127.0.0.1:{port}/xlwings/custom-scripts-call/xs_achievement"
        _wait_ready(f"http://127.0.0.1:{port}", proc)
        payload = payload_from_file(sample_books["fy2020"])
        assert httpx.post(url, json=payload, timeout=60).status_code == 401
        res = httpx.post(url, json=payload, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert res.status_code == 200
        assert any(a["func"] == "setValues" for a in res.json()["actions"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(("host", "env", "says"), [
    ("0.0.0.0", {}, "XLSHEETS_SERVER_TOKEN"),
    (socket.gethostname(), {}, "--no-auth"),  # a name: it may be reached from the network
    ("127.0.0.1", {"XLSHEETS_SERVER_TOKEN": "short"}, "16 文字以上"),
])
def test_xlsheets_serve_refuses_to_listen_unprotected(host, env, says):
    proc = _serve(_free_port(), "--host", host, env=env)
    try:
        _, err = proc.communicate(timeout=60)  # a server that started would time out here
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    err = err.decode()
    assert proc.returncode == 2 and says in err and "Traceback" not in err
    assert "xlsheets サーバー:" not in err


def _refused(proc: subprocess.Popen) -> str:
    """stderr of a serve that must end by itself (a server that started would time out here)."""
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    return err.decode()


def test_serve_on_a_port_in_use_says_so_before_any_ready_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = _serve(taken.getsockname()[1])
        err = _refused(proc)
    assert proc.returncode == 2, err
    assert err.startswith("エラー: ポート") and "ほかのプログラムが使っています" in err
    assert "xlsheets サーバー:" not in err and "Errno" not in err and "Traceback" not in err


@pytest.mark.parametrize(("host", "says"), [
    ("nosuchhost.invalid", "待ち受けるアドレスが分かりません"),
    ("192.0.2.1", "このコンピューターのアドレスではありません"),  # TEST-NET-1: never an address of this machine
])
def test_serve_on_a_wrong_address_says_so_before_any_ready_line(host, says):
    proc = _serve(_free_port(), "--host", host, "--no-auth")
    err = _refused(proc)
    assert proc.returncode == 2 and err.startswith(f"エラー: {host}" if "192" in host else "エラー: ") and says in err
    assert "xlsheets サーバー:" not in err and "Traceback" not in err


@pytest.mark.parametrize("missing", ["uvicorn", "xlwings_server"])
def test_serve_without_the_server_extra_says_how_to_install_it(missing):
    """The package cannot be imported (as without `pip install 'xlsheets[server]'`)."""
    code = (f"import sys; sys.modules[{missing!r}] = None\n"  # what Python does for a package that is not there
            "from xlsheets.cli import main; sys.argv = ['xlsheets', 'serve', '--port', '1']; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("エラー: サーバー版の部品") and missing in proc.stderr
    assert "pip install 'xlsheets[server]'" in proc.stderr and "Traceback" not in proc.stderr


def test_no_auth_lets_a_network_bind_through_with_a_warning(client):
    from xlsheets.server import check_bind

    assert "認証なし" in check_bind("0.0.0.0", no_auth=True)
    assert check_bind("127.0.0.1", no_auth=False) is None


def test_a_configured_provider_lets_a_network_bind_through(token_client):
    from xlsheets.server import check_bind

    assert check_bind("0.0.0.0", no_auth=False) is None


@pytest.fixture
def providers(client, monkeypatch):
    """Set xlwings Server's XLWINGS_AUTH_PROVIDERS for one test (its settings are read once, at import)."""
    from xlwings_server.config import settings

    monkeypatch.setattr(settings, "auth_providers", list(settings.auth_providers or []))
    monkeypatch.delenv("XLSHEETS_SERVER_TOKEN", raising=False)
    return lambda names: setattr(settings, "auth_providers", names)


def test_entra_id_without_a_sign_in_token_gets_401_and_runs_nothing(client, providers, sample_books,
                                                                     script_calls):
    from xlsheets.server import check_bind

    providers(["entraid"])
    res = _post(client, "xs_achievement", payload_from_file(sample_books["fy2020"]))
    assert res.status_code == 401 and "サインイン" in res.json()["detail"]
    assert script_calls == []
    assert check_bind("0.0.0.0", no_auth=False) is None


def test_the_custom_provider_without_a_token_is_a_configuration_error(providers):
    from xlsheets.errors import XlsheetsError
    from xlsheets.server import create_app

    providers(["custom"])
    with pytest.raises(XlsheetsError, match="XLSHEETS_SERVER_TOKEN"):
        create_app()
