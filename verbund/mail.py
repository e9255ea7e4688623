"""Mail: the .eml file backend of the embedded default, and the queue every mail goes through."""

from __future__ import annotations

import email.message
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from verbund.background import enqueue_on_commit
from verbund.models import MailFailure, Network

logger = logging.getLogger(__name__)


class UrlListHeader(str):
    """An RFC 2369 header value (`<https://…>`, several joined by ", ") that the e-mail policy writes exactly as given.

    Python's policy treats List-Unsubscribe as unstructured text: a URL longer than a line has no whitespace to
    fold at, so the policy turns it into an RFC 2047 encoded-word (`=?utf-8?q?=3Chttps…?=`), which no mail client
    reads as a URL (RFC 8058 one-click, the unsubscribe buttons). This value is never encoded and folds only
    between its URLs. The policy keeps a value that has `name` and `fold()` as it is (email.policy.EmailPolicy).
    """

    name: str

    def __new__(cls, name: str, urls: Sequence[str]) -> UrlListHeader:
        value = ", ".join(f"<{url}>" for url in urls)
        if not value.isascii() or any(c in url for url in urls for c in "\r\n\t <>,"):
            raise ValueError(f"{name}: URLs must be ASCII without spaces, line breaks, commas or angle brackets: {value!r}")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: " + f",{policy.linesep} ".join(self.split(", ")) + policy.linesep


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
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},  # UrlListHeader: rebuilt on the way back
        # Text attachments only (.ics): JSON-safe for the task queue.
        "attachments": [_text_attachment(a) for a in message.attachments if _text_attachment(a)],
    }


def _text_attachment(attachment: Any) -> list[str] | None:
    """[filename, text, content type with its parameters] of a text attachment, else None (binary is not queued)."""
    if isinstance(attachment, email.message.MIMEPart):
        content = attachment.get_content() if attachment.get_content_maintype() == "text" else None
        if not isinstance(content, str):
            return None
        params = "".join(f"; {key}={value}" for key, value in (attachment.get_params() or [])[1:] if key != "charset")
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
        headers={name: _url_list_header(name, value) for name, value in (payload.get("headers") or {}).items()},
    )
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for filename, content, mimetype in payload.get("attachments") or []:
        attach_text(message, filename, content, mimetype)
    return message


URL_LIST_HEADERS = {"list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive"}  # RFC 2369


def _url_list_header(name: str, value: str) -> str:
    if name.lower() not in URL_LIST_HEADERS or not value.startswith("<"):
        return value
    return UrlListHeader(name, [part.strip().removeprefix("<").removesuffix(">") for part in value.split(",")])


def network_reply_to(network: Network) -> list[str]:
    """Where replies to the network's mails go: its office address (profile), else the office holder's address, else nowhere.

    An empty list means no Reply-To header (replies then reach the sender, noreply).
    """
    if network.office_email:
        return [network.office_email]
    today = timezone.localdate()
    office = (
        # Reached by name through the reverse relation: verbund imports no app above it (members holds the positions).
        network.governance_positions.filter(function="office", contact__archived_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .exclude(contact__email="")
        .order_by("since", "pk")
        .values_list("contact__email", flat=True)
        .first()
    )
    return [office] if office else []


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


def mail_send_later(*, message: EmailMessage, mailer: str = "default") -> None:
    """Send a message from a Celery worker once the current transaction commits.

    If the broker cannot be reached, the message is sent right here instead:
    a login code that never arrives is worse than a slower response. The message (addresses, codes, links) is never
    parked as a DeferredTask: a refusal is recorded by the task as a MailFailure (recipients and subject only).
    """
    enqueue_on_commit("verbund.tasks.send_mail_task", message_to_payload(message), mailer, record=False)


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
                    except Exception as exc:  # noqa: BLE001 – one bad row must not stop the others nor unmark the sent ones
                        failure = smtp_failure(exc) if isinstance(exc, OSError) else SmtpFailure(None, f"{type(exc).__name__}: {exc}", True)
                        logger.warning("Mail for %s row %s failed: %s", row._meta.label, row.pk, failure.error)
                        row.error = failure.error[:500] if failure.permanent or row.attempts >= max_attempts else ""
                        row.save(update_fields=["attempts", "error"])
                        if failure.permanent and failure.code is not None:  # the server refused the address: mark it on the person
                            mail_refused_note(addresses=[row.email], reason=failure.error)
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
    refused: tuple[str, ...] = ()  # the addresses the server named (RCPT refused); empty when it refused the whole mail


@dataclass(frozen=True)
class Refusal:
    """A mail server's permanent "no" to one address, as the page and the person's record show it."""

    address: str
    reason: str
    at: datetime


# Who refused what during this request (or task run): `refusals_noted()` opens the list, `mail_refused_note` fills it.
_noted: ContextVar[list[Refusal] | None] = ContextVar("mail_refusals", default=None)

# Sent once per refused address (members marks its contacts, newsletters its subscribers): verbund imports neither.
mail_refused = Signal()  # kwargs: refusal


@contextmanager
def refusals_noted() -> Iterator[list[Refusal]]:
    """Collect the refusals of the mails sent in this block without a worker (in the request): the page can say so.

    With a worker the mail goes later; its refusal is recorded (MailFailure, the person's mark), not shown here.
    """
    noted: list[Refusal] = []
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)


def mail_refused_note(*, addresses: Sequence[str], reason: str) -> list[Refusal]:
    """Mark each refused address on the people who have it (the `mail_refused` signal) and tell the open request."""
    at = timezone.now()
    refusals = [Refusal(address=address.strip().lower(), reason=reason[:300], at=at) for address in addresses if address.strip()]
    for refusal in refusals:
        mail_refused.send(sender=Refusal, refusal=refusal)
    noted = _noted.get()
    if noted is not None:
        noted.extend(refusals)
    return refusals


def refusal_message(refusals: Sequence[Refusal]) -> str:
    """What the page says: the address and that the mail server refused it, nothing about accounts (S-6)."""
    return _("Die E-Mail an %(address)s wurde vom Mailserver abgelehnt. Bitte prüfen Sie die Adresse.") % {
        "address": ", ".join(dict.fromkeys(r.address for r in refusals))
    }


def smtp_failure(exc: OSError) -> SmtpFailure:
    """What an SMTP error says: the server's code and text, and whether trying again can help (5xx: no)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        codes = [code for code, _text in answers]
        text = "; ".join(f"{code} {message.decode('utf-8', 'replace') if isinstance(message, bytes) else message}" for code, message in answers)
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return SmtpFailure(max(codes) if codes else None, text, permanent, tuple(str(address) for address in exc.recipients))
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
