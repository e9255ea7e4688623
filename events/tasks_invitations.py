from celery import shared_task


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def send_invitations_task(invitation_id: int) -> int:
    """Send a meeting invitation's unsent mails (rows marked as they go; a redelivered task skips them)."""
    from events.invitations import invitation_send

    return invitation_send(invitation_id=invitation_id)
