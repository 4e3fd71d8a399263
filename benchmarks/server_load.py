"""Load test of the server face on loopback: throughput and p95 with authentication on.

    python benchmarks/server_load.py                       # 400 requests, 16 at a time, token on
    python benchmarks/server_load.py --auth both           # the same without auth, for comparison

Starts `xlsheets serve` on 127.0.0.1 (a free port, never another address) with a random
XLSHEETS_SERVER_TOKEN, posts the FY2020 sample workbook to a button's script (xs_achievement)
N times, C at a time, with `Authorization: Bearer <token>`, and prints how many were answered
200, requests per second and the p50/p95/max latency. With auth on it also sends C requests
without the token, which must all get 401, and prints their p95. Bounded: at most 2000
requests and 64 at a time; the server is stopped at the end.
Before authentication (2 cores): 400 requests, 16 at a time, all answered, 54 req/s, p95 408 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_REQUESTS, MAX_CONCURRENCY = 2000, 64


def _payload() -> dict:
    """The request body Office.js would send for the FY2020 sample workbook."""
    sys.path.insert(0, str(ROOT))
    from tests.xlwings_payload import payload_from_file
    from xlsheets.filling import fill
    from xlsheets.samples import sample_dict

    with tempfile.TemporaryDirectory() as d:
        return payload_from_file(fill(sample_dict("fy2020"), Path(d) / "fy2020.xlsx").path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _server(token: str | None):
    """`xlsheets serve` on loopback, yielding its URL; its log goes to a file (an unread pipe would stall it)."""
    import httpx

    env = {k: v for k, v in os.environ.items() if k not in ("XLSHEETS_SERVER_TOKEN", "XLWINGS_AUTH_PROVIDERS")}
    env.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    if token:
        env["XLSHEETS_SERVER_TOKEN"] = token
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "xlsheets.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            for _ in range(150):
                try:
                    if httpx.get(url + "/taskpane.html", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                log.seek(0)
                raise SystemExit("the server did not start:\n" + log.read().decode())
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


async def _fire(url: str, payload: dict, headers: dict, n: int, concurrency: int) -> tuple[list[float], list[int], float]:
    """Latencies (s) and status codes of n posts, concurrency at a time, and the wall time."""
    import httpx

    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    codes: list[int] = []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def one() -> None:
            async with gate:
                t = time.perf_counter()
                res = await client.post(url, json=payload, headers=headers)
                latencies.append(time.perf_counter() - t)
                codes.append(res.status_code)

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return latencies, codes, time.perf_counter() - start


def _p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20, method="inclusive")[18]


def run(auth: bool, n: int, concurrency: int, script: str, payload: dict) -> None:
    token = secrets.token_urlsafe(32) if auth else None
    with _server(token) as base:
        url = f"{base}/xlwings/custom-scripts-call/{script}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        asyncio.run(_fire(url, payload, headers, concurrency, concurrency))  # warm-up, not counted
        lat, codes, wall = asyncio.run(_fire(url, payload, headers, n, concurrency))
        print(f"auth {'on ' if auth else 'off'}: {n} requests, {concurrency} at a time, "
              f"{codes.count(200)} answered 200, {n / wall:.0f} req/s, "
              f"p50 {statistics.median(lat) * 1000:.0f} ms, p95 {_p95(lat) * 1000:.0f} ms, "
              f"max {max(lat) * 1000:.0f} ms")
        if auth:
            lat, codes, _ = asyncio.run(_fire(url, payload, {}, concurrency, concurrency))
            print(f"  without the token: {codes.count(401)}/{concurrency} refused with 401, "
                  f"p95 {_p95(lat) * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--script", default="xs_achievement")
    ap.add_argument("--auth", choices=["on", "off", "both"], default="on")
    a = ap.parse_args()
    n, c = min(a.requests, MAX_REQUESTS), min(a.concurrency, MAX_CONCURRENCY)
    payload = _payload()
    for auth in {"on": [True], "off": [False], "both": [True, False]}[a.auth]:
        run(auth, n, c, a.script, payload)


if __name__ == "__main__":
    main()
