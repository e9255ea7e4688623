from celery import shared_task

from events.documents import document_render
from events.tasks_invitations import send_invitations_task  # noqa: F401 – autodiscovery imports tasks.py only


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def render_document_task(document_id: int) -> None:
    """Render one meeting document (idempotent: the row is claimed before rendering)."""
    document_render(document_id=document_id)


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Reminders before meetings (Celery beat)."""
    from events.services import reminders_send

    return reminders_send()


@shared_task(acks_late=True)
def send_feedback_requests() -> int:
    """The pulse after meetings (Celery beat)."""
    from events.feedback import feedback_requests_send

    return feedback_requests_send()
