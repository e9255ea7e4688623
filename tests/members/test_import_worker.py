"""With PostgreSQL and Redis the import is written by a real Celery worker, and its progress shows while it runs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from members import imports
from members.models import Contact, Membership
from members.tasks import import_job_task
from tests.members.test_import_support import HEADER, csv_bytes, io_url, member_row, upload_to_preview
from tests.services import database_url, require_postgres, require_redis, start_celery_worker
from verbund.models import BackgroundJob

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2_000


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_import_and_the_job_page_shows_progress_meanwhile(client, world, manager_x):
    redis_url = require_redis()
    require_postgres()
    client.force_login(manager_x)
    rows = [HEADER] + [member_row(f"Worker {i:04d} GmbH", f"{48000 + i % 900:05d}", last=f"W{i}") for i in range(ROWS)]
    job = upload_to_preview(client, csv_bytes(rows))
    assert imports.import_confirm(job=job, existing=imports.EXISTING_ADD_CONTACT)

    queue = f"test-import-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    seen: set[int] = set()
    with start_celery_worker(queue, env) as worker:
        from verbund.celery import app

        eager, broker = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager, app.conf.broker_url = False, redis_url
        try:
            import_job_task.apply_async((job.pk,), queue=queue)
        finally:
            app.conf.task_always_eager, app.conf.broker_url = eager, broker

        def finished() -> bool:
            job.refresh_from_db()
            if job.status == BackgroundJob.Status.RUNNING:
                seen.add(job.done)  # written by the worker's second connection while its transaction is open
            return BackgroundJob.Status(job.status).is_finished

        worker.wait_for(finished, timeout=180, what="the import job to finish", step=0.05)
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert any(0 < done < ROWS for done in seen), sorted(seen)
    assert Membership.objects.filter(import_job=job).count() == ROWS
    assert Contact.objects.filter(import_job=job).count() == ROWS
    assert Membership.objects.filter(import_job=job).first().history.get().history_user == manager_x
    page = client.get(io_url("job_detail", pk=job.pk))
    assert f"{ROWS} neu angelegte Organisationen" in page.text.replace(".", "")
