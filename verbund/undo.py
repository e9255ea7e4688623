"""The undo toast: after moving something to the trash, the next page offers to take it back."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

SESSION_KEY = "verbund_undo"


def offer_undo(request: HttpRequest, *, message: str, restore_url: str) -> None:
    request.session[SESSION_KEY] = {"message": str(message), "url": restore_url}


def undo_toast(request: HttpRequest) -> dict[str, Any]:
    """Context processor: hands the pending undo offer to the template once, then forgets it."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or getattr(request, "htmx", False):
        return {}
    return {"undo": session.pop(SESSION_KEY)}
