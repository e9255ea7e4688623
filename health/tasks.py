"""Background work of network health. Thin tasks: take ids, call a service; services enqueue them by name."""

from celery import shared_task

from health.annual import annual_report_render


# annual report
@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def render_annual_report_task(report_id: int) -> None:
    """Render one annual report (idempotent: the row is claimed before rendering)."""
    annual_report_render(report_id=report_id)
