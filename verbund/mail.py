"""Mail: the .eml file backend of the embedded default, and the queue every mail goes through."""

from __future__ import annotations

import email.message
import logging
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from verbund.background import enqueue_on_commit
from verbund.models import MailFailure

logger = logging.getLogger(__name__)


class EmlFileBackend(BaseEmailBackend):
    """Writes each message as one RFC 5322 .eml file, openable in any mail program."""

    def __init__(self, *, file_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_path = Path(file_path)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.file_path.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            target = self.file_path / name
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.replace(target)  # readers never see a half-written file
            sent += 1
        return sent


def message_to_payload(message: EmailMessage) -> dict[str, Any]:
    """A JSON-safe description of a message, for a Celery task argument."""
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "html": str(html) if html is not None else None,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        # Text attachments only (.ics): JSON-safe for the task queue.
        "attachments": [_text_attachment(a) for a in message.attachments if _text_attachment(a)],
    }


def _text_attachment(attachment: Any) -> list[str] | None:
    """[filename, text, content type with its parameters] of a text attachment, else None (binary is not queued)."""
    if isinstance(attachment, email.message.MIMEPart):
        content = attachment.get_content() if attachment.get_content_maintype() == "text" else None
        if not isinstance(content, str):
            return None
        params = "".join(f"; {key}={value}" for key, value in attachment.get_params()[1:] if key != "charset")
        return [attachment.get_filename() or "", content, attachment.get_content_type() + params]
    if isinstance(getattr(attachment, "content", None), str):
        return [attachment.filename, attachment.content, attachment.mimetype]
    return None


def attach_text(message: EmailMessage, filename: str, content: str, content_type: str) -> None:
    """Attach text whose content type carries parameters (`text/calendar; method=REQUEST`, as iTIP wants it).

    Django's attach() takes a bare mimetype; a part with parameters is built here.
    """
    mimetype, _sep, rest = content_type.partition(";")
    params = dict(item.strip().split("=", 1) for item in rest.split(";") if "=" in item)
    if not params:
        message.attach(filename, content, mimetype.strip())
        return
    part = email.message.MIMEPart()
    part.set_content(content, subtype=mimetype.strip().split("/", 1)[1], charset="utf-8", params=params, disposition="attachment", filename=filename)
    message.attach(part)


def payload_to_message(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload.get("cc") or [],
        bcc=payload.get("bcc") or [],
        reply_to=payload.get("reply_to") or [],
        headers=payload.get("headers") or {},
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for filename, content, mimetype in payload.get("attachments") or []:
        attach_text(message, filename, content, mimetype)
    return message


def render_mail(
    name: str, *, to: list[str], context: dict[str, Any], from_email: str | None = None, reply_to: list[str] | None = None
) -> EmailMultiAlternatives:
    """Build a message from the template triplet templates/emails/<name>-subject.txt, -body.txt, -body.html.

    The subject is flattened to one line so user text cannot add headers.
    """
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email or settings.DEFAULT_FROM_EMAIL, to=to, reply_to=reply_to or [])
    message.attach_alternative(html, "text/html")
    return message


def network_reply_to(network: Any) -> list[str]:
    """Where replies to a network's mails go (Reply-To): its office address, or nobody when none is set."""
    address = (getattr(network, "office_email", "") or "").strip()
    return [address] if address else []


def mail_send_later(*, message: EmailMessage, mailer: str = "default") -> None:
    """Send a message from a Celery worker once the current transaction commits.

    If the broker cannot be reached, the message is sent right here instead:
    a login code that never arrives is worse than a slower response.
    """
    enqueue_on_commit("verbund.tasks.send_mail_task", message_to_payload(message), mailer)


def rows_send(*, rows: QuerySet, build: Callable[[Any], EmailMessage], mailer: str = "default", batch: int = 50, max_attempts: int = 3) -> int:
    """Send one mail per unsent row (fields sent_at, attempts, error) in batches over one connection; returns how many went out.

    A batch is locked (SKIP LOCKED: a second task takes other rows) and marked in one
    transaction; a worker killed mid-batch leaves its rows unmarked, so at most one batch
    can get a second copy. A refusal (5xx) ends the row at once with the server's answer;
    other failures are tried again up to `max_attempts`. One bad address never stops the others.
    """
    sent = 0
    while True:
        with transaction.atomic():
            rows_now = list(
                rows.select_for_update(skip_locked=True, of=("self",)).filter(sent_at__isnull=True, error="", attempts__lt=max_attempts).order_by("pk")[:batch]
            )
            if not rows_now:
                return sent
            connection = mailers[mailer]
            connection.open()
            try:
                for row in rows_now:
                    row.attempts += 1
                    try:
                        connection.send_messages([build(row)])
                    except OSError as exc:
                        failure = smtp_failure(exc)
                        logger.warning("Mail for %s row %s failed: %s", row._meta.label, row.pk, failure.error)
                        row.error = failure.error[:500] if failure.permanent or row.attempts >= max_attempts else ""
                        row.save(update_fields=["attempts", "error"])
                        continue
                    row.sent_at = timezone.now()
                    row.save(update_fields=["attempts", "sent_at"])
                    sent += 1
            finally:
                connection.close()


@dataclass(frozen=True)
class SmtpFailure:
    code: int | None
    error: str
    permanent: bool


def smtp_failure(exc: OSError) -> SmtpFailure:
    """What an SMTP error says: the server's code and text, and whether trying again can help (5xx: no)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        codes = [code for code, _text in answers]
        text = "; ".join(f"{code} {message.decode('utf-8', 'replace') if isinstance(message, bytes) else message}" for code, message in answers)
        return SmtpFailure(max(codes) if codes else None, text, bool(codes) and all(code >= 500 for code in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return SmtpFailure(exc.smtp_code, f"{exc.smtp_code} {error}", exc.smtp_code >= 500)
    return SmtpFailure(None, str(exc) or type(exc).__name__, False)


def mail_failure_record(*, payload: dict[str, Any], mailer: str, failure: SmtpFailure) -> MailFailure:
    return MailFailure.objects.create(
        recipients=", ".join(payload.get("to") or [])[:1000],
        subject=str(payload.get("subject") or "")[:300],
        mailer=mailer[:30],
        code=failure.code,
        error=failure.error[:2000],
        permanent=failure.permanent,
    )
