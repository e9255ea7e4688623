"""In-process helpers of the runner, one Django setup against one world (DATABASE_URL):

python -m bench.probe sessions --json OUT    log the manager and the member in (session rows the portal accepts)
python -m bench.probe queries --json OUT     SQL queries per page (django.test.Client, CaptureQueriesContext)
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.world import MANAGER_EMAIL, MEMBER_EMAIL, read_summary


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verbund.settings")
    import django

    django.setup()


def logged_in_client(email: str):
    """A test client whose session is that of a user who logged in with password (and TOTP when they have one)."""
    from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY, AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.account.internal.userkit import user_id_to_str
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from verbund.models import User

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    methods: list[dict[str, Any]] = [{"method": "password", "at": time.time(), "email": email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        methods.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    # What allauth's record_authentication stores at a real login: the records and whose they are.
    session[AUTHENTICATION_METHODS_SESSION_KEY] = methods
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def sessions() -> dict[str, str]:
    from django.conf import settings

    return {who: logged_in_client(email).cookies[settings.SESSION_COOKIE_NAME].value for who, email in (("manager", MANAGER_EMAIL), ("member", MEMBER_EMAIL))}


def queries() -> dict[str, Any]:
    """Queries of each page's second request (the first fills caches), and its status."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import pages

    summary = read_summary(os.environ["DATABASE_URL"])
    clients = {"manager": logged_in_client(MANAGER_EMAIL), "member": logged_in_client(MEMBER_EMAIL), "": Client()}
    result: dict[str, Any] = {}
    for page in pages(summary):
        client = clients[page.who]
        headers = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in page.headers.items()}
        client.get(page.path, secure=True, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, secure=True, **headers)
        result[page.name] = {
            "status": response.status_code,
            "queries": len(captured),
            "sql_ms": round(sum(float(q.get("time") or 0) for q in captured.captured_queries) * 1000, 1),
        }
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q.get("time") or 0))[:3]
        result[page.name]["slowest"] = [{"ms": round(float(q.get("time") or 0) * 1000, 1), "sql": q["sql"][:2000]} for q in slowest]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["sessions", "queries"])
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    _setup()
    data = sessions() if args.command == "sessions" else queries()
    Path(args.json).write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
