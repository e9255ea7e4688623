"""Read one bounce from standard input, the way Postfix (pipe(8), an alias `|command`) or Exim (a pipe transport) hand it over.

Postfix, e.g. in /etc/aliases:  bounces: "|/app/.venv/bin/python /app/manage.py process_bounce"
Exit code 0 for a processed bounce and for a mail that is no bounce (the MTA must not send it back);
75 (EX_TEMPFAIL) when it could not be processed, so the MTA keeps it and tries again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from newsletters.bounces import bounce_process

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Verarbeitet einen Rückläufer (eine E-Mail) von der Standardeingabe."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("Keine Nachricht auf der Standardeingabe.", returncode=EX_TEMPFAIL)
        try:
            result = bounce_process(raw=raw)
        except Exception as exc:  # the MTA keeps the mail and hands it over again later
            raise CommandError(f"Rückläufer nicht verarbeitet: {type(exc).__name__}: {exc}", returncode=EX_TEMPFAIL) from exc
        if not result.is_bounce:
            self.stdout.write("Kein Rückläufer.")
            return
        self.stdout.write(
            f"Dauerhaft: {', '.join(result.hard) or '–'}; vorübergehend: {', '.join(result.soft) or '–'}; gesperrt: {', '.join(result.suppressed) or '–'}"
        )
