"""A real IMAP server for tests: Debian's dovecot on loopback, started from a config in a temp dir, in the foreground.

No system configuration is read or changed; base_dir, logs and the Maildir live in the temp dir. Dovecot runs as the
current user. Its login and mail processes refuse to run as root, so when the tests run as root (CI here does) they
run as `nobody` and the Maildir belongs to nobody — the only difference. With CI=true a missing dovecot fails.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.services import require

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dovecot() -> Iterator[Imap]:
    require("dovecot", None if os.path.exists(DOVECOT) else f"{DOVECOT} not found (apt-get install dovecot-imapd)")
    me = pwd.getpwuid(os.getuid())
    runner = pwd.getpwnam("nobody") if me.pw_uid == 0 else me
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)  # the mail process (nobody, under root) must reach its Maildir
    mail = root / "mail"
    mail.mkdir()
    if me.pw_uid == 0:
        os.chown(mail, runner.pw_uid, runner.pw_gid)
    port = _free_port()
    imap = Imap("127.0.0.1", port, "bounces", "geheim-imap")
    (root / "passwd").write_text(f"{imap.user}:{{PLAIN}}{imap.password}::::::\n")
    (root / "dovecot.conf").write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {me.pw_name}
default_internal_group = {grp.getgrgid(os.getgid()).gr_name}
default_login_user = {runner.pw_name}
first_valid_uid = {runner.pw_uid}
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={runner.pw_uid} gid={runner.pw_gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot stopped: {process.stdout.read() if process.stdout else ''} {log}")
            try:
                with socket.create_connection((imap.host, port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("dovecot did not listen within 20 s")
        yield imap
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
