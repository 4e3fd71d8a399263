"""The xlwings Server face: the same xlsheets.excel functions as buttons of an Office.js add-in.

This folder is an xlwings Server project (custom_scripts/, custom_functions/, templates/).
``create_app()`` returns the FastAPI app with xlsheets' guards: a request size limit, a time
limit, and Japanese error messages (as an alert action) instead of a 500 with a traceback.
Nothing is written on the server's disk from a request.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
MAX_REQUEST_MB = float(os.environ.get("XLSHEETS_SERVER_MAX_MB", 20))
TIME_LIMIT_S = float(os.environ.get("XLSHEETS_SERVER_TIMEOUT", 60))


def alert(message: str, title: str = "xlsheets") -> dict:
    """The response an Office.js client shows as a message box."""
    return {"actions": [{"func": "alert", "args": [message, title, "ok", "critical", ""], "values": None,
                         "sheet_position": None, "start_row": None, "start_column": None,
                         "row_count": None, "column_count": None}]}


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

    async def guard(request, call_next):
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
            import logging

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
