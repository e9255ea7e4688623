from typing import Any

from celery import shared_task
from django.core.management import call_command

from verbund.mail import payload_to_message


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_mail_task(payload: dict[str, Any], mailer: str = "default") -> int:
    """Send one transactional mail. Retries on connection errors (SMTP 4xx raise OSError subclasses)."""
    return payload_to_message(payload).send(using=mailer)


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    call_command("clearsessions")
