"""Background work of network health. Thin tasks: take ids, call a service; services enqueue them by name (verbund.background)."""

from celery import shared_task

from health.reports import report_periods_tick

# member reports


@shared_task(acks_late=True)
def report_periods_task() -> dict[str, int]:
    """Open the member-report periods that are due and send the reminders that are due (Celery beat; idempotent)."""
    return report_periods_tick()
