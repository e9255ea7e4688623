"""Celery tasks of the Infobrief's sending (imported by the worker through CELERY_IMPORTS)."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3500)
def send_batch_task(infobrief_id: int) -> int:
    """Claim and send batches of an Infobrief until none is left. Redelivery is harmless: rows are claimed, not the task."""
    from newsletters.sending import send_batches

    return send_batches(infobrief_id=infobrief_id)


@shared_task(acks_late=True)
def sweep_task() -> dict:
    """Beat: release rows of dead workers, start scheduled Infobriefe, restart stalled ones, finish done ones."""
    from newsletters.sending import sweep

    return sweep()
