"""Background work of meetings. Thin tasks: take ids, call a service; services enqueue them by name (verbund.background)."""

from celery import shared_task

from events.documents import document_render
from events.feedback import feedback_requests_send
from events.invitations import invitation_send
from events.messaging import meeting_message_deliver
from events.services import meeting_content_purge, reminders_send


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def render_document_task(document_id: int) -> None:
    """Render one meeting document (idempotent: the row is claimed before rendering)."""
    document_render(document_id=document_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def send_invitations_task(invitation_id: int) -> int:
    """Send a meeting invitation's unsent mails (rows marked as they go; a redelivered task skips them)."""
    return invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def send_meeting_message_task(message_id: int) -> int:
    """Send a meeting message's unsent mails (reminder now, documentation, message, update, cancellation)."""
    return meeting_message_deliver(message_id=message_id)


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Reminders before meetings (Celery beat)."""
    return reminders_send()


@shared_task(acks_late=True)
def send_feedback_requests() -> int:
    """The pulse after meetings (Celery beat)."""
    return feedback_requests_send()


@shared_task(acks_late=True)
def purge_deleted_meeting_content() -> int:
    """Removed programme items, minutes and action items are deleted for good after the trash period (Celery beat)."""
    return meeting_content_purge()
