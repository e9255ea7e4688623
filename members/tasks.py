"""Background work of members: imports and exports. Thin tasks: take the job id, let the job row decide."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.exports import export_run
from members.imports import import_drafts_discard_stale, import_run
from members.privacy import consent_proofs_expire
from members.services import trash_purge
from verbund.background import job_enqueue
from verbund.models import BackgroundJob

logger = logging.getLogger(__name__)


# The write is bulk inserts in chunks (docs/PERFORMANCE.md: 10,000 rows well under a minute); 50,000 rows
# with planning stay far below this limit. A timeout rolls the whole import back; the job says so.
IMPORT_TIME_LIMIT = 30 * 60


@shared_task(acks_late=True, time_limit=IMPORT_TIME_LIMIT, soft_time_limit=IMPORT_TIME_LIMIT - 60)
def import_job_task(job_id: int) -> None:
    """Write a confirmed import. A redelivered task finds the job claimed or finished and does nothing."""
    import_run(job_id=job_id)


@shared_task(acks_late=True)
def export_job_task(job_id: int) -> None:
    """Write an export file. A redelivered task finds the job claimed or finished and does nothing."""
    export_run(job_id=job_id)


# --- periodic housekeeping (Celery beat, see CELERY_BEAT_SCHEDULE) ------------------

STUCK_AFTER = {BackgroundJob.Kind.IMPORT: timedelta(seconds=IMPORT_TIME_LIMIT + 600), BackgroundJob.Kind.EXPORT: timedelta(minutes=15)}
LOST_AFTER = timedelta(minutes=10)
EXPORT_FILE_DAYS = 7


@shared_task(acks_late=True)
def purge_trash() -> int:
    """Delete what lay in a network's trash longer than the retention period."""
    return trash_purge()


@shared_task(acks_late=True)
def sweep_jobs() -> int:
    """Requeue jobs whose worker died (RUNNING past the time limit: their transaction rolled back) or whose message was lost.

    The job row is the truth: a requeued job is claimed again by its conditional update.
    """
    now = timezone.now()
    requeued_ids: set[int] = set()
    for kind, limit in STUCK_AFTER.items():
        stuck = BackgroundJob.objects.filter(kind=kind, status=BackgroundJob.Status.RUNNING, created_at__lt=now - limit)
        for job in stuck:
            if BackgroundJob.objects.filter(pk=job.pk, status=BackgroundJob.Status.RUNNING).update(status=BackgroundJob.Status.PENDING, done=0):
                job_enqueue(job)
                requeued_ids.add(job.pk)
    lost = BackgroundJob.objects.filter(status=BackgroundJob.Status.PENDING, created_at__lt=now - LOST_AFTER).filter(
        Q(kind=BackgroundJob.Kind.EXPORT) | Q(kind=BackgroundJob.Kind.IMPORT, params__confirmed=True)
    )
    for job in lost.exclude(pk__in=requeued_ids):
        job_enqueue(job)
        requeued_ids.add(job.pk)
    return len(requeued_ids)


@shared_task(acks_late=True)
def discard_stale_import_drafts() -> int:
    """Uploads nobody confirmed within DRAFT_HOURS hold personal data for nothing: delete them."""
    return import_drafts_discard_stale()


@shared_task(acks_late=True)
def delete_old_export_files() -> int:
    """Export files and an import's rejected rows are personal data too: kept a week, then deleted (the job row stays).

    An export's message says so; an import keeps its summary and its page tells that the file is gone.
    """
    cutoff = timezone.now() - timedelta(days=EXPORT_FILE_DAYS)
    deleted = 0
    for job in BackgroundJob.objects.filter(finished_at__lt=cutoff).exclude(result_file=""):
        job.result_file.delete(save=False)
        if job.kind == BackgroundJob.Kind.IMPORT:
            BackgroundJob.objects.filter(pk=job.pk).update(result_file="")
        else:
            BackgroundJob.objects.filter(pk=job.pk).update(
                result_file="", message=_("Die Datei wurde nach %(days)d Tagen gelöscht.") % {"days": EXPORT_FILE_DAYS}
            )
        deleted += 1
    return deleted


@shared_task(acks_late=True)
def expire_consent_proofs() -> int:
    """Daily: consents withdrawn longer ago than CONSENT_PROOF_YEARS lose their proof (members.privacy)."""
    return consent_proofs_expire()
