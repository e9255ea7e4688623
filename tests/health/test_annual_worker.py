"""With PostgreSQL and Redis the annual report is rendered by a real Celery worker, as in production."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from health import annual
from health.models import AnnualReport
from tests.services import database_url, require_postgres, require_redis, start_celery_worker


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_annual_report_from_the_request(world, manager_x, monkeypatch):
    redis_url = require_redis()
    require_postgres()
    year = timezone.localdate().year
    annual.annual_report_update(network=world.network_x, year=year, data={"foreword": "Vorwort aus dem Worker-Test."}, by=manager_x)
    queue = f"test-annual-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    with start_celery_worker(queue, env) as worker:
        from health.tasks import render_annual_report_task
        from verbund.celery import app

        # The service enqueues by name through verbund.background (task.delay); here onto this test's own queue.
        monkeypatch.setattr(render_annual_report_task, "delay", lambda *args: render_annual_report_task.apply_async(args, queue=queue))
        eager, broker = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager, app.conf.broker_url = False, redis_url
        try:
            annual.annual_report_request(network=world.network_x, year=year, by=manager_x)  # commits: on_commit sends at once
        finally:
            app.conf.task_always_eager, app.conf.broker_url = eager, broker
        report = AnnualReport.objects.get(network=world.network_x, year=year)

        def finished() -> bool:
            report.refresh_from_db()
            return report.status not in {AnnualReport.Status.PENDING, AnnualReport.Status.RENDERING}

        worker.wait_for(finished, timeout=180, what="the annual report to be rendered")
    assert report.status == AnnualReport.Status.READY, report.error
    with report.file.open("rb") as handle:
        data = handle.read()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert f"Jahresbericht {year}" in text and "Vorwort aus dem Worker-Test." in text
