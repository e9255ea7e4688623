"""Prove the embedded default works: SQLite, eager tasks, mail to files.

Migrates a fresh SQLite database in a temporary VAR_DIR, loads the demo data
(twice, to prove it is idempotent), starts `manage.py runserver`, and logs in as
the demo manager and the demo member user through the real login form.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "verbund-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "CI_DATABASE_URL"}}
    env["VAR_DIR"] = tempfile.mkdtemp(prefix="verbund-smoke-")
    env["DEBUG"] = "true"
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    first = subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    logins = re.findall(r"\s(\S+@\S+)$", first, re.M)
    assert "manager@verbund.example" in logins and "mitglied@verbund.example" in logins, first
    assert Path(env["VAR_DIR"], "verbund.sqlite3").exists(), "SQLite database not under VAR_DIR"

    port = free_port()
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("runserver did not answer")
        for email, start, marker in [
            ("manager@verbund.example", "/manage/", "Netzwerk WindWest"),
            ("mitglied@verbund.example", "/portal/", "Unsere Verbünde"),
        ]:
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(base + "/accounts/login/").read().decode()
            assert 'lang="de"' in page and "Anmelden" in page, "login page not German"
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}).encode()
            request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"})
            response = opener.open(request)
            body = response.read().decode()
            assert response.url.endswith(start), f"{email} landed on {response.url}"
            assert marker in body, f"{marker!r} not on {email}'s start page"
            print(f"smoke: {email} logged in and sees {start}")
        for path in ["/legal/impressum/", "/legal/datenschutz/", "/legal/barrierefreiheit/"]:
            assert urllib.request.urlopen(base + path).status == 200
        print("smoke: embedded default OK (SQLite under VAR_DIR, demo data idempotent, core pages served)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
