"""Sending an Infobrief: the delivery rows are the truth, the queue only says "look at the rows" (QUALITY.md R-1, R-2).

1. `send_start` creates one Delivery per recipient in one transaction (unique per
   Infobrief and address; one INSERT of arrays) and, after commit, asks Celery for a
   few batch tasks. If the broker is down the rows are committed anyway and the
   sweeper (beat) starts the batches when it is back: nothing is lost, the page never
   fails. An audience above NEWSLETTER_INLINE_ROWS (1,000) possible recipients is
   worked out by the first batch task instead (`rows_prepare`, under the Infobrief's
   row lock; the sweeper does it when no task came): the request only commits
   SENDING, so it stays short however large the network is.
2. A batch task claims up to BATCH_SIZE rows (SELECT … FOR UPDATE SKIP LOCKED →
   status CLAIMED, attempts + 1, claimed_at, claimed_by) in a short transaction,
   takes the batch's share of the rate limit in one Redis call, serialises the
   message once for the batch (newsletters.prepared: per recipient only To,
   Message-ID, List-Unsubscribe and the lines with link and greeting), sends over one
   reused SMTP connection of the "newsletter" mailer and marks each row SENT right
   after the server accepted its message (one UPDATE each, committed with
   synchronous_commit off: no wait for the WAL flush, but visible and safe from the
   worker's death the moment it returns). It then claims the next batch until none
   is left. Several batch tasks run in parallel, each with its own connection.
3. A worker killed mid-batch leaves CLAIMED rows; the sweeper gives them back
   (PENDING) after CLAIM_TIMEOUT. Only a message the server had accepted before
   the kill, whose row was not yet marked, goes out a second time (at most one per
   worker process per kill); such a delivery shows attempts >= 2 and keeps its
   deterministic Message-ID. A crash of PostgreSQL itself (not a restart: a clean
   shutdown flushes) can forget the marks of its last ~0.6 s (3 × wal_writer_delay):
   those mails go out again, with attempts >= 2 — never none.
4. SMTP answers: 4xx (and a dropped connection) → RETRY with backoff, PARKED
   after MAX_ATTEMPTS; 5xx → FAILED with the server's answer (the address is
   suppressed for this network when the answer says the mailbox does not exist).
5. One rate limit for all workers (Redis counter per second and relay).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from datetime import timedelta
from email.utils import formataddr, parseaddr

import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from newsletters import services
from newsletters.models import Delivery, Infobrief, Suppression
from newsletters.prepared import PreparedMessage
from verbund.background import enqueue_on_commit, task_send
from verbund.mail import UrlListHeader, mail_send_later
from verbund.models import User

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = [30, 120, 600, 1800, 3600]


def _setting(name: str, default):
    return getattr(settings, name, default)


def batch_size() -> int:
    return _setting("NEWSLETTER_BATCH_SIZE", 50)


def claim_timeout() -> timedelta:
    return timedelta(seconds=_setting("NEWSLETTER_CLAIM_TIMEOUT", 300))


def max_attempts() -> int:
    return _setting("NEWSLETTER_MAX_ATTEMPTS", 5)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


# --- deterministic fault points (tests of R-1) --------------------------------------------


def fault(point: str) -> None:
    """Die here, once, when NEWSLETTER_FAULT_POINT names this point (the marker file makes it once per run).

    Points: after_claim, after_smtp (accepted by the server, row not yet marked), after_mark, between_batches.
    """
    wanted = _setting("NEWSLETTER_FAULT_POINT", "")
    marker = _setting("NEWSLETTER_FAULT_MARKER", "")
    if wanted != point or not marker:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(fd, f"{point} {os.getpid()}\n".encode())
    os.close(fd)
    logger.error("Fault point %s reached: the process dies now", point)
    os._exit(137)


# --- rate limit ------------------------------------------------------------------------


class RateLimit:
    """At most N messages per second across all workers (per relay): a Redis counter per second; in-process without Redis."""

    def __init__(self) -> None:
        self.per_second = max(1, int(_setting("NEWSLETTER_RATE_PER_SECOND", 50)))
        relay = settings.MAILERS.get("newsletter", {}).get("OPTIONS", {}).get("host", "local")
        self.key = f"newsletter:rate:{relay}"
        self.redis = None
        url = _setting("REDIS_URL", "")
        if url:
            self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._last = 0.0

    def wait(self) -> None:
        self.take(1)

    def take(self, count: int) -> None:
        """Room for `count` messages: one Redis round trip per second's share (a batch asks once), not one per message."""
        while count > 0:
            chunk = min(count, self.per_second)
            if self.redis is None:
                now = time.monotonic()
                if self._last > now:
                    time.sleep(self._last - now)
                self._last = max(now, self._last) + chunk / self.per_second  # when the next chunk may start
                count -= chunk
                continue
            second = int(time.time())
            key = f"{self.key}:{second}"
            try:
                pipe = self.redis.pipeline()
                pipe.incrby(key, chunk)
                pipe.expire(key, 5)
                total = pipe.execute()[0]
            except Exception:  # noqa: BLE001 – Redis gone: do not stop sending, fall back to pacing alone
                time.sleep(chunk / self.per_second)
                count -= chunk
                continue
            count -= max(0, min(chunk, self.per_second - (total - chunk)))  # what still fitted into this second
            if count > 0:
                time.sleep(max(0.0, second + 1 - time.time()) + 0.001)


# --- the message -----------------------------------------------------------------------------


def _sender(infobrief: Infobrief) -> str:
    template = services.newsletter_settings(infobrief.network)
    # The configured sender may carry a display name ("verbund <noreply@…>"): the network's name replaces it.
    address = parseaddr(_setting("NEWSLETTER_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)[1]
    name = " ".join((template.sender_name or template.title or infobrief.network.name).split())
    # An RFC 2047 encoded-word typed as the name ("=?utf-8?q?…=0D=0A…?=") is decoded when the mail library reads the
    # address back, line breaks included, and the whole Infobrief fails: typed text is never an encoded-word.
    return formataddr((name.replace("=?", "= ?"), address))


def build_message(infobrief: Infobrief, delivery: Delivery, *, sender: str | None = None, shared: dict | None = None) -> EmailMultiAlternatives:
    """One delivery's message; pass `shared` (services.render_shared) to render the Infobrief once per batch."""
    rendered = services.personalise(shared or services.render_shared(infobrief), network=infobrief.network, email=delivery.email, name=delivery.name)
    one_click = rendered["unsubscribe_url"]
    message = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"],
        from_email=sender or _sender(infobrief),
        to=[delivery.email],
        reply_to=[rendered["reply_to"]] if rendered["reply_to"] else None,
        headers={
            "Message-ID": delivery.message_id,
            # RFC 2369/8058 want the URL itself in the header; a plain str would come out RFC 2047-encoded (UrlListHeader).
            # No <mailto:…>: the portal reads no unsubscribe mails.
            "List-Unsubscribe": UrlListHeader("List-Unsubscribe", [one_click]),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # The network's name on one line: a line break in it must neither add a header nor stop the sending.
            "List-Id": f"{' '.join(infobrief.network.name.split())} <infobrief.{infobrief.network.slug}.{settings.SITE_URL.split('://', 1)[-1].split('/')[0].split(':')[0] or 'verbund.invalid'}>",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
            "X-Verbund-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(rendered["html"], "text/html")
    return message


# --- starting, pausing, cancelling -----------------------------------------------------------


def send_test(*, infobrief: Infobrief, by: User) -> None:
    """[TEST] to the manager alone, through the newsletter mailer, after commit. No delivery row; the time is noted."""

    rendered = services.render(infobrief, email=by.email, name=by.get_full_name(), test=True)
    message = EmailMultiAlternatives(subject=rendered["subject"], body=rendered["text"], from_email=_sender(infobrief), to=[by.email])
    message.attach_alternative(rendered["html"], "text/html")
    mail_send_later(message=message, mailer="newsletter")
    # The wizard's preview step counts as done from here on; a test is no edit of the Infobrief (no history row).
    infobrief.test_sent_at = timezone.now()
    Infobrief.objects.filter(pk=infobrief.pk).update(test_sent_at=infobrief.test_sent_at)


def inline_rows_limit() -> int:
    """Up to this many possible recipients the request that starts a send makes the rows itself; above, the first worker does."""
    return _setting("NEWSLETTER_INLINE_ROWS", 1000)


def send_start(*, infobrief: Infobrief, by: User, when=None) -> int:
    """Send now (rows created, batches enqueued after commit) or schedule. Returns the number of recipients (for a large
    audience whose rows the first worker makes: the number of contacts it is chosen from)."""
    with transaction.atomic():
        infobrief = Infobrief.objects.select_for_update(of=("self",)).select_related("network").get(pk=infobrief.pk)
        if not infobrief.editable:
            raise ValidationError(_("Dieser Infobrief wird schon versendet oder ist abgeschlossen."))
        if not infobrief.has_content:
            raise ValidationError(_("Der Infobrief hat noch keinen Inhalt."))
        no_recipients = ValidationError(_("Es gibt keine Empfänger:innen für diesen Infobrief."))
        if when is not None and when > timezone.now():
            if not (recipients := services.audience(infobrief).recipients):
                raise no_recipients
            infobrief.status = Infobrief.Status.SCHEDULED
            infobrief.scheduled_for = when
            infobrief.send_requested_by = by
            infobrief._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
            infobrief.save(update_fields=["status", "scheduled_for", "send_requested_by", "updated_at"])
            return len(recipients)
        if not (bound := services.audience_upper_bound(infobrief)):
            raise no_recipients
        if bound > inline_rows_limit():
            # Working out thousands of recipients and writing their rows takes longer than a request should: the
            # Infobrief is SENDING from here on (the manager sees it), the first batch task makes the rows (rows_prepare).
            _mark_sending(infobrief, by=by)
            return bound
        if not (recipients := services.audience(infobrief).recipients):
            raise no_recipients
        count = _begin(infobrief, by=by, recipients=recipients)
    return count


def _mark_sending(infobrief: Infobrief, *, by: User | None) -> None:
    """Inside a transaction holding the Infobrief's row: SENDING, and the batches are asked for after commit."""
    infobrief.status = Infobrief.Status.SENDING
    infobrief.send_started_at = timezone.now()
    infobrief.send_requested_by = infobrief.send_requested_by or by
    infobrief._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    infobrief.save(update_fields=["status", "send_started_at", "send_requested_by", "updated_at"])
    infobrief_id = infobrief.pk

    def after_commit() -> None:
        if not kick(infobrief_id):
            # The broker is away: a large audience's rows are made here, so that every row is committed when the
            # click is answered and the sweeper sends them once the broker is back. A small audience has its rows already.
            rows_prepare(infobrief_id)

    transaction.on_commit(after_commit)


def _begin(infobrief: Infobrief, *, by: User | None, recipients=None) -> int:
    """Inside a transaction holding the Infobrief's row: all delivery rows at once, then SENDING; batches after commit."""
    recipients = recipients if recipients is not None else services.audience(infobrief).recipients
    _create_rows(infobrief, recipients)
    _mark_sending(infobrief, by=by)
    return infobrief.deliveries.count()


def rows_prepare(infobrief_id: int) -> bool:
    """The rows of a SENDING Infobrief that started without them (a large audience). True when its rows exist now.

    Under the Infobrief's row lock, so the parallel batch tasks and the sweeper make them once. The audience is the
    one at this moment (seconds after the click). Nobody left in it (all unsubscribed meanwhile): back to draft.
    """
    with transaction.atomic():
        infobrief = Infobrief.objects.select_for_update(of=("self",)).select_related("network").filter(pk=infobrief_id).first()
        if infobrief is None or infobrief.status != Infobrief.Status.SENDING:
            return False
        if infobrief.deliveries.exists():
            return True
        recipients = services.audience(infobrief).recipients
        if not recipients:
            logger.warning("Infobrief %s has no recipients any more: back to draft", infobrief_id)
            infobrief.status, infobrief.send_started_at = Infobrief.Status.DRAFT, None
            infobrief.save(update_fields=["status", "send_started_at", "updated_at"])
            return False
        _create_rows(infobrief, recipients)
    return True


_INSERT_ROWS = """
INSERT INTO newsletters_delivery (infobrief_id, email, name, contact_id, subscriber_id, status, attempts, claimed_by, last_error)
SELECT %s, r.email, r.name, r.contact_id, r.subscriber_id, 'pending', 0, '', ''
FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[]) AS r(email, name, contact_id, subscriber_id)
ON CONFLICT (infobrief_id, email) DO NOTHING
"""


def _create_rows(infobrief: Infobrief, recipients) -> None:
    """One PENDING row per recipient (an existing one stays): on PostgreSQL one INSERT of arrays, not 10,000 model instances."""
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(
            [Delivery(infobrief=infobrief, email=r.email, name=r.name[:200], contact_id=r.contact_id, subscriber_id=r.subscriber_id) for r in recipients],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    columns = (
        [r.email for r in recipients],
        [r.name[:200] for r in recipients],
        [r.contact_id for r in recipients],
        [r.subscriber_id for r in recipients],
    )
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ROWS, [infobrief.pk, *columns])


def kick(infobrief_id: int, *, parallel: int | None = None) -> bool:
    """Ask the workers to send. False when the broker cannot be reached (the sweeper asks again later)."""
    for _batch in range(parallel or _setting("NEWSLETTER_PARALLEL_BATCHES", 2)):
        if not task_send("newsletters.tasks.send_batch_task", infobrief_id, broker_down="later"):
            return False  # the sweeper starts the sending
    return True


def _audited(pk: int, by: User) -> None:
    """A history entry by `by` for a status the conditional update() above just wrote (update() itself leaves none)."""
    Infobrief.history.bulk_history_create([Infobrief.objects.get(pk=pk)], update=True, default_user=by)


@transaction.atomic
def send_pause(*, infobrief: Infobrief, by: User) -> None:
    updated = Infobrief.objects.filter(pk=infobrief.pk, status=Infobrief.Status.SENDING).update(status=Infobrief.Status.PAUSED, updated_at=timezone.now())
    if not updated:
        raise ValidationError(_("Nur ein laufender Versand kann angehalten werden."))
    _audited(infobrief.pk, by)


def send_resume(*, infobrief: Infobrief, by: User) -> None:
    with transaction.atomic():
        updated = Infobrief.objects.filter(pk=infobrief.pk, status=Infobrief.Status.PAUSED).update(status=Infobrief.Status.SENDING, updated_at=timezone.now())
        if not updated:
            raise ValidationError(_("Nur ein angehaltener Versand kann fortgesetzt werden."))
        _audited(infobrief.pk, by)
        transaction.on_commit(lambda: kick(infobrief.pk))


@transaction.atomic
def send_cancel(*, infobrief: Infobrief, by: User) -> int:
    """Stop for good: a scheduled Infobrief goes back to draft; a running or paused one cancels its unsent rows."""
    locked = Infobrief.objects.select_for_update().get(pk=infobrief.pk)
    if locked.status == Infobrief.Status.SCHEDULED:
        locked.status, locked.scheduled_for = Infobrief.Status.DRAFT, None
        locked._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        locked.save(update_fields=["status", "scheduled_for", "updated_at"])
        return 0
    if locked.status not in {Infobrief.Status.SENDING, Infobrief.Status.PAUSED}:
        raise ValidationError(_("Dieser Infobrief kann nicht mehr abgebrochen werden."))
    cancelled = locked.deliveries.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]).update(
        status=Delivery.Status.CANCELLED, last_error="cancelled by the office"
    )
    locked.status = Infobrief.Status.CANCELLED
    locked.sent_at = timezone.now()
    locked._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    locked.save(update_fields=["status", "sent_at", "updated_at"])
    return cancelled


def retry_failed(*, infobrief: Infobrief, by: User) -> int:
    """Give failed and parked rows another round (attempts start over); the Infobrief sends again."""
    with transaction.atomic():
        locked = Infobrief.objects.select_for_update().get(pk=infobrief.pk)
        if locked.status not in {Infobrief.Status.SENT, Infobrief.Status.SENDING, Infobrief.Status.PAUSED}:
            raise ValidationError(_("Fehlgeschlagene Zustellungen können erst nach dem Versandstart erneut gesendet werden."))
        suppressed = Suppression.objects.filter(network=locked.network).values("email")
        rows = locked.deliveries.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.PARKED]).exclude(email__in=suppressed)
        count = rows.update(status=Delivery.Status.PENDING, attempts=0, next_attempt_at=None, last_error="", smtp_code=None)
        if count:
            locked.status = Infobrief.Status.SENDING
            locked.sent_at = None
            locked.save(update_fields=["status", "sent_at", "updated_at"])
            transaction.on_commit(lambda: kick(locked.pk))
    return count


def progress(infobrief: Infobrief) -> dict:
    counts = dict(infobrief.deliveries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    total = sum(counts.values())
    sent = counts.get(Delivery.Status.SENT, 0)
    failed = counts.get(Delivery.Status.FAILED, 0)
    parked = counts.get(Delivery.Status.PARKED, 0)
    cancelled = counts.get(Delivery.Status.CANCELLED, 0)
    pending = total - sent - failed - parked - cancelled
    finished = total - pending
    return {
        "total": total,
        "sent": sent,
        "failed": failed,
        "parked": parked,
        "cancelled": cancelled,
        "pending": pending,
        "percent": int(finished * 100 / total) if total else 0,
        "done": Infobrief.objects.filter(pk=infobrief.pk, status__in=[Infobrief.Status.SENT, Infobrief.Status.CANCELLED]).exists(),
        "failures": list(infobrief.deliveries.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.PARKED]).order_by("email")[:500]),
    }


# --- the batch loop ----------------------------------------------------------------------------


def _claim(infobrief_id: int, worker: str) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(infobrief_id=infobrief_id)
            .filter(Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now))
            .order_by("pk")
            .values_list("pk", flat=True)[: batch_size()]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.CLAIMED, claimed_at=now, claimed_by=worker, attempts=F("attempts") + 1)
    return ids


_MARK_SENT = "UPDATE newsletters_delivery SET status = 'sent', sent_at = %s, last_error = '', smtp_code = 250 WHERE id = %s"


def _mark_sent(cursor, delivery_id: int) -> None:
    """The server accepted the message: the row says so at once, committed (one statement, autocommit)."""
    cursor.execute(_MARK_SENT, [timezone.now(), delivery_id])


def _mark_failure(delivery: tuple[int, str, int], *, code: int | None, error: str, network_id: int) -> None:
    pk, email, attempts = delivery
    permanent = code is not None and 500 <= code < 600
    if permanent:
        Delivery.objects.filter(pk=pk).update(status=Delivery.Status.FAILED, smtp_code=code, last_error=error[:500])
        if code in {550, 551, 553}:  # mailbox unavailable / unknown: no more Infobriefe to it from this network
            Suppression.objects.get_or_create(network_id=network_id, email=email, defaults={"reason": Suppression.Reason.BOUNCED, "detail": error[:500]})
        return
    if attempts >= max_attempts():
        Delivery.objects.filter(pk=pk).update(status=Delivery.Status.PARKED, smtp_code=code, last_error=error[:500])
        return
    wait = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)] * _setting("NEWSLETTER_BACKOFF_FACTOR", 1.0)
    Delivery.objects.filter(pk=pk).update(
        status=Delivery.Status.RETRY, smtp_code=code, last_error=error[:500], next_attempt_at=timezone.now() + timedelta(seconds=wait)
    )


def _smtp_answer(exc: Exception, address: str) -> tuple[int | None, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = exc.recipients.get(address, next(iter(exc.recipients.values()), (None, b"")))
        return code, f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return exc.smtp_code, f"{exc.smtp_code} {reply}"
    return None, f"{type(exc).__name__}: {exc}"


def send_batches(*, infobrief_id: int, max_batches: int | None = None) -> int:
    """Claim and send batches until none is left (or the Infobrief is paused/cancelled). Returns the number sent."""
    if not Delivery.objects.filter(infobrief_id=infobrief_id).exists() and not rows_prepare(infobrief_id):
        return 0
    worker = worker_name()
    limiter = RateLimit()
    rendered: dict[int, tuple[str, dict]] = {}  # the Infobrief rendered once for all batches of this task (it cannot change while sending)
    sent = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        infobrief = Infobrief.objects.select_related("network").filter(pk=infobrief_id).first()
        if infobrief is None or infobrief.status != Infobrief.Status.SENDING:
            return sent
        ids = _claim(infobrief_id, worker)
        if not ids:
            finish_if_done(infobrief_id)
            return sent
        batches += 1
        fault("after_claim")
        if infobrief_id not in rendered:
            rendered[infobrief_id] = (_sender(infobrief), services.render_shared(infobrief))
        sender, shared = rendered[infobrief_id]
        sent += _send_claimed(infobrief, ids, limiter, sender=sender, shared=shared)
        fault("between_batches")
    return sent


def _send_claimed(infobrief: Infobrief, ids: list[int], limiter: RateLimit, *, sender: str, shared: dict) -> int:
    """Send one claimed batch over one SMTP connection and mark each row right after the server's answer.

    With Django's SMTP backend the message is serialised once for the batch (newsletters.prepared) and each
    recipient's bytes go straight to the open smtplib connection; any other backend gets Django messages.
    The marks are committed one by one with synchronous_commit off for this session: a commit is visible and
    survives the worker's death the moment it returns (only a crash of PostgreSQL itself within ~0.6 s,
    3 × wal_writer_delay, could forget it, and then the mail goes out again with attempts >= 2, never lost).
    """
    rows = list(Delivery.objects.filter(pk__in=ids, status=Delivery.Status.CLAIMED).order_by("pk").values_list("pk", "email", "name", "attempts"))
    if not rows:
        return 0
    suppressed = set(Suppression.objects.filter(network=infobrief.network, email__in=[r[1] for r in rows]).values_list("email", flat=True))
    mailer = mailers["newsletter"]
    smtp = mailer if isinstance(mailer, SMTPBackend) else None
    prepared, from_address = None, ""
    if smtp is not None:
        pk, email, name, _attempts = rows[0]
        reference = build_message(infobrief, Delivery(infobrief=infobrief, pk=pk, email=email, name=name), sender=sender, shared=shared)
        prepared = PreparedMessage(reference, text=shared["text"], html=shared["html"], markers=services.PERSONAL_MARKERS)
        from_address = smtp.prep_address(sender)
    network = infobrief.network
    limiter.take(len(rows))
    sent = 0
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET synchronous_commit TO off")
        try:
            for pk, email, name, attempts in rows:
                if email in suppressed:  # unsubscribed or bounced since the rows were made
                    Delivery.objects.filter(pk=pk).update(status=Delivery.Status.CANCELLED, last_error="suppressed")
                    continue
                delivery = Delivery(infobrief=infobrief, pk=pk, email=email, name=name)
                try:
                    raw = None
                    if prepared is not None:
                        unsubscribe, greeting = services.personal_parts(network=network, email=email, name=name)
                        raw = prepared.as_bytes(
                            to=email,
                            message_id=delivery.message_id,
                            unsubscribe_url=unsubscribe,
                            delivery_id=pk,
                            text_sub=lambda line, u=unsubscribe, g=greeting: services.personal_text(line, unsubscribe=u, greeting=g),
                            html_sub=lambda line, u=unsubscribe, g=greeting: services.personal_html(line, unsubscribe=u, greeting=g),
                        )
                    message = None if raw is not None else build_message(infobrief, delivery, sender=sender, shared=shared)
                except Exception as exc:
                    logger.exception("Infobrief %s delivery %s could not be rendered", infobrief.pk, pk)
                    _mark_failure((pk, email, attempts), code=None, error=f"rendering: {type(exc).__name__}: {exc}", network_id=infobrief.network_id)
                    continue
                try:
                    if raw is not None and smtp is not None:
                        smtp.open()  # the same connection for the whole batch; a fresh one after a failure closed it
                        if smtp.connection is None:
                            raise smtplib.SMTPServerDisconnected("no connection to the SMTP server")
                        smtp.connection.sendmail(from_address, [email], raw)
                    elif message is not None:
                        mailer.send_messages([message])
                except Exception as exc:  # noqa: BLE001 – SMTP answers, dropped connections, and anything else: the row records it
                    code, error = _smtp_answer(exc, email)
                    logger.info("Infobrief %s delivery %s: %s", infobrief.pk, pk, error)
                    _mark_failure((pk, email, attempts), code=code, error=error, network_id=infobrief.network_id)
                    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                        mailer.close()  # a dropped or confused connection: open a fresh one for the next message
                    continue
                fault("after_smtp")
                _mark_sent(cursor, pk)
                sent += 1
                fault("after_mark")
        finally:
            if postgres:
                cursor.execute("RESET synchronous_commit")
            mailer.close()
    return sent


def finish_if_done(infobrief_id: int) -> bool:
    """SENDING with no open rows → SENT (once), and its PDF for the archive is ordered."""
    with transaction.atomic():
        rows = Delivery.objects.filter(infobrief_id=infobrief_id)
        if rows.open().exists() or not rows.exists():  # no rows at all: not made yet (rows_prepare), not done
            return False
        done = Infobrief.objects.filter(pk=infobrief_id, status=Infobrief.Status.SENDING).update(status=Infobrief.Status.SENT, sent_at=timezone.now())
        if done:
            # The archive page orders it again on its first request if this one is lost.
            enqueue_on_commit("newsletters.tasks.render_infobrief_pdf_task", infobrief_id, broker_down="later")
    return bool(done)


# --- the sweeper (Celery beat) ------------------------------------------------------------------


def sweep(*, now=None) -> dict[str, int]:
    """Give back rows of dead workers, start due scheduled Infobriefe, restart stalled ones, finish finished ones."""
    now = now or timezone.now()
    released = Delivery.objects.filter(status=Delivery.Status.CLAIMED, claimed_at__lt=now - claim_timeout()).update(
        status=Delivery.Status.PENDING, claimed_by=""
    )
    started = 0
    for infobrief in Infobrief.objects.filter(status=Infobrief.Status.SCHEDULED, scheduled_for__lte=now):
        with transaction.atomic():
            locked = Infobrief.objects.select_for_update(of=("self",)).select_related("network").get(pk=infobrief.pk)
            if locked.status == Infobrief.Status.SCHEDULED:
                _begin(locked, by=locked.send_requested_by)
                started += 1
    kicked = 0
    for infobrief_id in Infobrief.objects.filter(status=Infobrief.Status.SENDING).values_list("pk", flat=True):
        if not Delivery.objects.filter(infobrief_id=infobrief_id).exists():  # a large send whose rows no worker made yet
            if rows_prepare(infobrief_id):
                kicked += kick(infobrief_id)
            continue
        if finish_if_done(infobrief_id):
            continue
        due = Delivery.objects.filter(infobrief_id=infobrief_id).filter(
            Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
        )
        busy = Delivery.objects.filter(infobrief_id=infobrief_id, status=Delivery.Status.CLAIMED).exists()
        if due.exists() and not busy:
            kicked += kick(infobrief_id)
    return {"released": released, "started": started, "kicked": kicked}
