"""Background work of the Infobrief. Thin tasks: take ids, call a service; services enqueue them by name (verbund.background)."""

from celery import shared_task

from newsletters.bounces import bounce_mailbox_poll
from newsletters.documents import pdf_render
from newsletters.privacy import delivery_logs_expire, subscriptions_expire
from newsletters.sending import send_batches, sweep


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3500)
def send_batch_task(infobrief_id: int) -> int:
    """Claim and send batches of an Infobrief until none is left. Redelivery is harmless: rows are claimed, not the task."""
    return send_batches(infobrief_id=infobrief_id)


@shared_task(acks_late=True)
def sweep_task() -> dict:
    """Beat: release rows of dead workers, start scheduled Infobriefe, restart stalled ones, finish done ones."""
    return sweep()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def render_infobrief_pdf_task(infobrief_id: int) -> bool:
    """The archive's PDF of a sent Infobrief (idempotent: an existing file is kept)."""
    return pdf_render(infobrief_id=infobrief_id)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def poll_bounce_mailbox() -> dict[str, int]:
    """Beat (only when BOUNCE_IMAP_HOST is set): read the bounce mailbox and process each bounce."""
    return bounce_mailbox_poll()


@shared_task(acks_late=True)
def expire_delivery_logs_and_subscriptions() -> dict[str, int]:
    """Daily: delivery logs older than DELIVERY_LOG_DAYS are pseudonymised, old unsubscribed readers' proofs deleted."""
    return {"deliveries": delivery_logs_expire(), "subscribers": subscriptions_expire()}
