"""Signed links in meeting mails (cancel a registration, answer the pulse, accept an invitation, confirm a public sign-up).

A token is the payload signed with the project's SECRET_KEY and a salt per
purpose, so a token made for one purpose is worthless for another. Tokens that
carry a timestamp expire; `read_token` returns None for anything forged,
tampered with, expired or made for another purpose.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

SALT = "verbund.events.{purpose}"


def make_token(purpose: str, payload: Any) -> str:
    return signing.dumps(payload, salt=SALT.format(purpose=purpose), compress=True)


def read_token(purpose: str, token: str, *, max_age: int | None = None) -> Any | None:
    try:
        return signing.loads(token, salt=SALT.format(purpose=purpose), max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None  # SignatureExpired is a BadSignature
