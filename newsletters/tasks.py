from celery import shared_task

from newsletters.tasks_sending import send_batch_task, sweep_task  # noqa: F401 – one import path for the worker


@shared_task(acks_late=True, time_limit=300, soft_time_limit=270)
def render_infobrief_pdf_task(infobrief_id: int) -> bool:
    """The archive's PDF of a sent Infobrief (idempotent: an existing file is kept)."""
    from newsletters.documents import pdf_render

    return pdf_render(infobrief_id=infobrief_id)
