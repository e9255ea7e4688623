import logging
from typing import Any

from celery import Task, shared_task
from django.core.management import call_command
from django.db import transaction

from verbund.background import deferred_tasks_resend
from verbund.mail import mail_failure_record, mail_refused_note, payload_to_message, smtp_failure

logger = logging.getLogger(__name__)


MAIL_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=MAIL_RETRIES)
def send_mail_task(self: Task, payload: dict[str, Any], mailer: str = "default") -> int:
    """Send one transactional mail. Returns the number sent (0 when the server refused it for good).

    A permanent refusal (5xx: unknown mailbox, rejected sender or content) is recorded once as a
    MailFailure and never retried, also when no worker runs and the task runs inside a request (no 500);
    the refused addresses are marked on the people who have them (verbund.mail.mail_refused_note).
    Connection errors and 4xx are retried with backoff; after the last retry the failure is recorded.
    """
    try:
        return payload_to_message(payload).send(using=mailer)
    except OSError as exc:  # smtplib's errors are OSError subclasses, as are refused connections
        failure = smtp_failure(exc)
        if failure.permanent or self.request.retries >= MAIL_RETRIES or self.request.is_eager:
            with transaction.atomic():  # the record and the mark on the person are seen together, never one alone
                mail_failure_record(payload=payload, mailer=mailer, failure=failure)
                if failure.permanent:  # the address is marked on the person; a request without a worker shows it
                    mail_refused_note(addresses=failure.refused or payload.get("to") or [], reason=failure.error)
            logger.warning("Mail to %s not delivered: %s %s", ", ".join(payload.get("to", [])), failure.code, failure.error)
            return 0
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(acks_late=True)
def sweep_deferred_tasks() -> int:
    """Beat: hand the calls that met an unreachable broker to it again (verbund.background.task_send)."""
    sent, waiting = deferred_tasks_resend()
    if sent or waiting:
        logger.info("Deferred tasks: %d sent, %d waiting", sent, waiting)
    return sent


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    call_command("clearsessions")
