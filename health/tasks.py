"""Background work of network health. Thin tasks: take ids, call a service; services enqueue them by name (verbund.background)."""

from celery import shared_task

from health.annual import annual_report_render
from health.reports import report_periods_tick

# annual report


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def render_annual_report_task(report_id: int) -> None:
    """Render one annual report (idempotent: the row is claimed before rendering)."""
    annual_report_render(report_id=report_id)


# member reports


@shared_task(acks_late=True)
def report_periods_task() -> dict[str, int]:
    """Open the member-report periods that are due and send the reminders that are due (Celery beat; idempotent)."""
    return report_periods_tick()
