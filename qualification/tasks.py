"""Background work of the Qualifizierungsverbund. Thin tasks: take the job id, let the job row decide."""

from celery import shared_task

from qualification.exports import matrix_pdf_run


@shared_task(acks_late=True, time_limit=15 * 60, soft_time_limit=14 * 60)
def matrix_pdf_job_task(job_id: int) -> None:
    """Write the matrix PDF of a large network (qualification.exports.INLINE_PDF_CELLS)."""
    matrix_pdf_run(job_id=job_id)
