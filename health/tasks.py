"""Background work of network health. Thin tasks: take ids, call a service; services enqueue them by name (verbund.background)."""

from celery import shared_task

from health.annual import annual_report_render
from health.reports import report_periods_tick
from health.surveys import survey_invitations_send, survey_reminders_send

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


# surveys


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def survey_invitations_send_task(survey_id: int) -> int:
    """Mail a running survey's unsent invitations, each with a fresh personal link (rows marked as they go)."""
    return survey_invitations_send(survey_id=survey_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def survey_reminders_send_task(survey_id: int, requested_at: str) -> int:
    """Mail the reminders requested at `requested_at` (ISO) to those who have not answered, each with a fresh link."""
    return survey_reminders_send(survey_id=survey_id, requested_at=requested_at)
