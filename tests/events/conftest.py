"""Fixtures of the meeting tests."""

import pytest

from verbund.celery import app


@pytest.fixture
def eager(settings, tmp_path):
    """Celery tasks run in the test (documents render at once), files go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path
    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before
