"""The shared-token provider: xlwings Server's ``custom`` provider, on when XLSHEETS_SERVER_TOKEN is set.

A request must carry ``Authorization: Bearer <token>``; the token is compared in constant time
(``hmac.compare_digest``). No cache: every request is checked against the current setting.
"""

from __future__ import annotations

import hmac
import os

from fastapi import HTTPException, status
from xlwings_server.models import User

from xlsheets.server import TOKEN_ENV


def token_matches(authorization: str, expected: str) -> bool:
    """Whether an Authorization header value is ``Bearer <expected>`` (constant time; empty never matches)."""
    scheme, _, given = authorization.strip().partition(" ")
    same = hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
    return bool(expected) and scheme.lower() == "bearer" and same


async def validate_token(token_string: str) -> User:
    """xlwings Server's provider hook: the user for a valid header, else 401."""
    if token_matches(token_string or "", os.environ.get(TOKEN_ENV, "")):
        return User(id="xlsheets-token", name="token user")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                        detail="接続キーが違うか、ありません (missing or wrong token)",
                        headers={"WWW-Authenticate": "Bearer"})
