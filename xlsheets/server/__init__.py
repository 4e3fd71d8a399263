"""The xlwings Server face: the same xlsheets.excel functions as buttons of an Office.js add-in.

This folder is an xlwings Server project (custom_scripts/, custom_functions/, templates/).
``create_app()`` returns the FastAPI app with xlsheets' guards: authentication first (xlwings
Server's own providers; the shared token of XLSHEETS_SERVER_TOKEN turns on its ``custom``
provider, see auth/custom/), then a request size limit, a time limit, and Japanese error
messages (as an alert action) instead of a 500 with a traceback. A request that fails
authentication is answered before its body is read. Nothing is written on the server's disk.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import logging
import os
import socket
import sys
from pathlib import Path

from xlsheets.errors import XlsheetsError

logger = logging.getLogger("xlsheets.server")
PROJECT_DIR = Path(__file__).resolve().parent
MAX_REQUEST_MB = float(os.environ.get("XLSHEETS_SERVER_MAX_MB", 20))
TIME_LIMIT_S = float(os.environ.get("XLSHEETS_SERVER_TIMEOUT", 60))
TOKEN_ENV = "XLSHEETS_SERVER_TOKEN"
TOKEN_MIN_LEN = 16
CALL_PATHS = ("/xlwings/custom-scripts-call/", "/xlwings/custom-functions-call")  # what runs code


def alert(message: str, title: str = "xlsheets") -> dict:
    """An error response: ``detail`` is what the task pane shows, the alert action a message box."""
    return {"detail": message,
            "actions": [{"func": "alert", "args": [message, title, "ok", "critical", ""], "values": None,
                         "sheet_position": None, "start_row": None, "start_column": None,
                         "row_count": None, "column_count": None}]}


def auth_providers() -> list[str]:
    """xlwings Server's active auth providers (empty: anyone who reaches the server may call it)."""
    from xlwings_server.config import settings

    return list(settings.auth_providers or [])


def _switch_on_token() -> None:
    """Add xlwings Server's ``custom`` provider (auth/custom/) when XLSHEETS_SERVER_TOKEN is set."""
    from xlwings_server.config import settings

    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        if "custom" in auth_providers():
            raise XlsheetsError(f"XLWINGS_AUTH_PROVIDERS に custom がありますが、{TOKEN_ENV}（接続キー）がありません。",
                                f"the custom auth provider needs {TOKEN_ENV}")
        return
    if len(token) < TOKEN_MIN_LEN or not token.isascii() or any(c.isspace() for c in token):
        raise XlsheetsError(
            f"{TOKEN_ENV} は {TOKEN_MIN_LEN} 文字以上の英数字記号（空白なし）にしてください。"
            '例: python -c "import secrets; print(secrets.token_urlsafe(32))"',
            f"{TOKEN_ENV} must be at least {TOKEN_MIN_LEN} ASCII characters without spaces")
    if "custom" not in auth_providers():
        settings.auth_providers = [*auth_providers(), "custom"]


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host`` (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may be reached from the network
        return False


def check_bind(host: str, no_auth: bool) -> str | None:
    """Refuse (XlsheetsError) to listen beyond loopback with no auth provider, unless ``no_auth``.

    Call after create_app(). Returns a warning to show when listening beyond loopback without auth.
    """
    if is_loopback(host) or auth_providers():
        return None
    if no_auth:
        return f"認証なしで {host} に待ち受けます。届く人は誰でもボタンの処理を実行できます。"
    raise XlsheetsError(
        f"{host} で待ち受けると、ネットワーク上の誰でもこのサーバーを呼び出せます。認証を設定してください: "
        f"共有の接続キーなら環境変数 {TOKEN_ENV}（{TOKEN_MIN_LEN} 文字以上）、Microsoft 365 なら "
        'XLWINGS_AUTH_PROVIDERS=["entraid"] と XLWINGS_AUTH_ENTRAID_CLIENT_ID・XLWINGS_AUTH_ENTRAID_TENANT_ID'
        "（README「サーバー版」参照）。認証なしで良いとき（認証するプロキシの内側など）だけ --no-auth を付けてください。",
        f"listening on {host} lets anyone on the network call the server: set {TOKEN_ENV} or "
        "XLWINGS_AUTH_PROVIDERS (entraid), or pass --no-auth")


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the server will answer on, bound now: a port in use or an address that is not this
    machine's is a Japanese message (exit 2) before the server says it is ready."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as e:
        raise XlsheetsError(f"待ち受けるアドレスが分かりません: {host}（127.0.0.1、0.0.0.0、またはこのコンピューターの "
                            "IP アドレスか名前を --host に指定してください）", f"unknown host: {host}") from e
    sock = socket.socket(family, kind, proto)
    if os.name != "nt":  # as uvicorn does: a restart may take the port back at once (Windows would share it)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        raise _bind_failed(host, port, e) from e
    sock.set_inheritable(True)
    return sock


def _bind_failed(host: str, port: int, e: OSError) -> XlsheetsError:
    if e.errno == errno.EADDRINUSE or getattr(e, "winerror", None) == 10048:
        return XlsheetsError(f"ポート {port} はほかのプログラムが使っています。--port で別の番号を指定するか、"
                             "そのプログラムを終了してください。", f"port {port} is in use")
    if e.errno == errno.EADDRNOTAVAIL or getattr(e, "winerror", None) == 10049:
        return XlsheetsError(f"{host} はこのコンピューターのアドレスではありません。--host に 127.0.0.1、0.0.0.0、"
                             "またはこのコンピューターの IP アドレスを指定してください。", f"{host} is not an address of this machine")
    if e.errno == errno.EACCES:
        return XlsheetsError(f"ポート {port} で待ち受ける権限がありません（1024 未満は管理者だけが使えます）。"
                             "--port 8000 のように 1024 以上を指定してください。", f"no permission to listen on port {port}")
    return XlsheetsError(f"{host}:{port} で待ち受けられません（{e.strerror or e}）。", f"cannot listen on {host}:{port}: {e}")


HOW_TO_SIGN_IN = {"custom": "作業ウィンドウの「接続キー」に管理者から受け取ったキーを保存してください。",
                  "entraid": "Excel に Microsoft 365 の職員のアカウントでサインインしてください。"}


async def refusal(request):
    """None when the request may run code; else its 401/400/503 answer, from xlwings Server's own check."""
    from fastapi import HTTPException
    from fastapi.responses import JSONResponse
    from xlwings_server.dependencies import authenticate

    try:
        await authenticate(request.headers.get("authorization", ""), request.headers.get("auth-provider"))
    except HTTPException as e:
        logger.warning("refused a call to %r from %s: %s", request.url.path,
                       request.client.host if request.client else "?", e.status_code)
        if e.status_code == 401:
            how = "".join(HOW_TO_SIGN_IN.get(p, "") for p in auth_providers())
            return JSONResponse(alert(f"このサーバーを使うには認証が必要です。{how}"), status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse(alert(f"認証できませんでした（{e.status_code}）: {e.detail}"), status_code=e.status_code)
    except Exception:  # noqa: BLE001 - e.g. Entra ID's keys out of reach: refuse, never run unchecked
        logger.exception("could not check the authentication of a call to %r", request.url.path)
        return JSONResponse(alert("認証を確かめられませんでした。管理者にお知らせください。"), status_code=503)
    return None


def create_app():
    """Configure xlwings Server for this project folder and return its ASGI app, guarded."""
    os.environ["XLWINGS_PROJECT_DIR"] = str(PROJECT_DIR)
    os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")
    os.environ.setdefault("XLWINGS_ENABLE_EXAMPLES", "false")
    os.environ.setdefault("XLSHEETS_LOG", "-")  # log to the server's log, never to a file per request
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import xlsheets.excel as x

    x.LOG_PATH = Path("-")  # the server's log only: nothing on disk per request
    from fastapi.responses import JSONResponse
    from starlette.middleware.base import BaseHTTPMiddleware
    from xlwings_server.main import app

    max_bytes = int(MAX_REQUEST_MB * 1024 * 1024)
    _switch_on_token()

    async def guard(request, call_next):
        runs_code = request.method == "POST" and any(p in request.url.path for p in CALL_PATHS)
        if runs_code and auth_providers() and (refused := await refusal(request)):
            return refused
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                return JSONResponse(alert(
                    f"送信されたブックが大きすぎます（{int(length) / 2**20:.0f} MB、上限 {MAX_REQUEST_MB:.0f} MB）。"
                    "不要なシートを除くか、デスクトップ版を使ってください。"), status_code=413)
            body = await request.body()
            if len(body) > max_bytes:
                return JSONResponse(alert("送信されたブックが大きすぎます。"), status_code=413)
            if "/custom-scripts-call/" in request.url.path:
                try:
                    json.loads(body or b"null")
                except ValueError:
                    return JSONResponse(alert("送信されたデータを読めません（JSON の形式ではありません）。"),
                                        status_code=400)
        try:
            response = await asyncio.wait_for(call_next(request), timeout=TIME_LIMIT_S)
        except asyncio.TimeoutError:
            return JSONResponse(alert(f"{TIME_LIMIT_S:.0f} 秒以内に終わりませんでした。シートを分けて実行してください。"),
                                status_code=504)
        except Exception:  # noqa: BLE001 - never a traceback to the client
            logging.getLogger("xlsheets").exception("request failed")
            return JSONResponse(alert("サーバーでエラーが起きました。管理者にお知らせください。"), status_code=500)
        if response.status_code >= 400 and "/custom-scripts-call/" in request.url.path:
            chunks = [c async for c in response.body_iterator]
            detail = b"".join(chunks).decode("utf-8", "replace")[:200]
            return JSONResponse(alert(f"実行できませんでした（{response.status_code}）: {detail}"),
                                status_code=response.status_code)
        return response

    if not getattr(app.state, "xlsheets_guard", False):
        app.add_middleware(BaseHTTPMiddleware, dispatch=guard)
        app.state.xlsheets_guard = True
    return app
