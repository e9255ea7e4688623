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
