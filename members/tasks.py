"""Background work of members: imports and exports. Thin tasks: take the job id, let the job row decide."""

import logging

from celery import shared_task
from django.db import transaction

from members.exports import export_run
from members.imports import import_run
from verbund.models import BackgroundJob

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_job_task(job_id: int) -> None:
    """Write a confirmed import. A redelivered task finds the job claimed or finished and does nothing."""
    import_run(job_id=job_id)


@shared_task(acks_late=True)
def export_job_task(job_id: int) -> None:
    """Write an export file. A redelivered task finds the job claimed or finished and does nothing."""
    export_run(job_id=job_id)


def job_enqueue(job: BackgroundJob) -> None:
    """Hand a job to Celery once the transaction commits; if the broker is unreachable, run it here rather than let it wait forever."""
    task = export_job_task if job.kind == BackgroundJob.Kind.EXPORT else import_job_task
    job_id = job.pk

    def enqueue() -> None:
        try:
            task.delay(job_id)
        except Exception:  # broker down: kombu raises several unrelated types
            logger.warning("Job queue unreachable, running job %s in the request", job_id, exc_info=True)
            task(job_id)

    transaction.on_commit(enqueue)
