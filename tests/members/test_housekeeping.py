"""Periodic tasks: trash purge, requeue of jobs whose worker died, deletion of old export files."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from members import tasks
from members.models import Membership
from verbund.models import BackgroundJob


def test_purge_trash_task_deletes_only_expired(world):
    Membership.objects.filter(organisation=world.org_a).update(archived_at=timezone.now() - timedelta(days=31))
    Membership.objects.filter(organisation=world.org_b).update(archived_at=timezone.now() - timedelta(days=29))
    assert tasks.purge_trash() == 1
    assert Membership.objects.filter(organisation=world.org_b).exists()


def test_stuck_export_job_is_requeued_and_finished(world, manager_x, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from verbund.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        ids = list(Membership.objects.for_network(world.network_x).values_list("pk", flat=True))
        job = BackgroundJob.objects.create(
            user=manager_x,
            network=world.network_x,
            kind="export",
            status="running",
            title="Export",
            params={"ids": ids, "fmt": "csv", "format": "csv", "filename": "x.csv"},
            total=len(ids),
        )
        BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.sweep_jobs() == 1
        job.refresh_from_db()
        assert job.status in {"done", "failed"}  # claimed again and run; never left RUNNING
        assert job.status != "running"
    finally:
        app.conf.task_always_eager = eager


def test_recent_running_job_is_left_alone(world, manager_x):
    BackgroundJob.objects.create(user=manager_x, network=world.network_x, kind="export", status="running", title="Export")
    assert tasks.sweep_jobs() == 0


def test_old_export_files_are_deleted(world, manager_x, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = BackgroundJob.objects.create(
        user=manager_x, network=world.network_x, kind="export", status="done", title="Export", finished_at=timezone.now() - timedelta(days=8)
    )
    job.result_file.save("alt.csv", ContentFile(b"a;b"), save=True)
    path = job.result_file.path
    assert tasks.delete_old_export_files() == 1
    job.refresh_from_db()
    assert job.result_file.name == "" and "gelöscht" in job.message
    import os

    assert not os.path.exists(path)


def test_unconfirmed_import_drafts_are_deleted_after_a_day_by_the_beat_task(world, manager_x):
    """An upload nobody confirmed holds personal data: the hourly task deletes it, whoever uploaded it, confirmed ones stay."""

    def draft(user, *, hours_old: int, confirmed: bool = False) -> BackgroundJob:
        job = BackgroundJob.objects.create(
            user=user,
            network=world.network_x,
            kind=BackgroundJob.Kind.IMPORT,
            title="Import: liste.csv",
            params={"rows": [["Käthe Müller", "k@example.org"]], "confirmed": confirmed},
        )
        BackgroundJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=hours_old))
        return job

    stale, other_users_stale = draft(manager_x, hours_old=25), draft(world.users["manager_xy"], hours_old=30)
    fresh, confirmed = draft(manager_x, hours_old=2), draft(manager_x, hours_old=48, confirmed=True)
    assert tasks.discard_stale_import_drafts() == 2
    remaining = set(BackgroundJob.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, confirmed.pk} and not {stale.pk, other_users_stale.pk} & remaining
