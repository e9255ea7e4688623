"""A task the broker refused (Redis away) is recorded as a DeferredTask and handed to the broker again by the sweeper."""

from __future__ import annotations

import pytest
from celery import shared_task

from tests.processes import free_port
from verbund import background
from verbund.celery import app
from verbund.models import DeferredTask
from verbund.tasks import sweep_deferred_tasks

CALLS: list[str] = []


@shared_task
def note_task(value: str) -> None:
    CALLS.append(value)


@shared_task
def failing_task(value: str) -> None:
    raise RuntimeError(f"cannot do {value} either")


def reset_pool() -> None:
    """Producers are pooled per broker URL: drop the pool so the next one connects to the URL now configured."""
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """`broker.away()`: nothing listens at the broker's address; `broker.back()`: tasks are accepted and run (eagerly)."""

    class Broker:
        def away(self) -> None:
            app.conf.task_always_eager = False
            app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
            reset_pool()

        def back(self) -> None:
            app.conf.task_always_eager, app.conf.broker_url = True, saved[1]  # the task runs here: its effect is visible
            reset_pool()

    saved = app.conf.task_always_eager, app.conf.broker_url
    CALLS.clear()
    yield Broker()
    app.conf.task_always_eager, app.conf.broker_url = saved
    reset_pool()


PATH = "tests.verbund.test_deferred_tasks"


def test_a_call_left_for_later_is_recorded_with_the_error(db, broker):
    broker.away()
    assert background.task_send(f"{PATH}.note_task", "Infobrief 7", broker_down="later") is False
    row = DeferredTask.objects.get()
    assert row.task == f"{PATH}.note_task" and row.args == ["Infobrief 7"]
    assert row.last_error and CALLS == []


def test_a_call_run_here_instead_leaves_no_record_when_it_succeeds(db, broker):
    broker.away()
    assert background.task_send(f"{PATH}.note_task", "PDF 3") is True
    assert CALLS == ["PDF 3"]
    assert not DeferredTask.objects.exists()


def test_a_call_that_fails_here_too_stays_for_the_sweeper_without_an_error_page(db, broker):
    broker.away()
    assert background.task_send(f"{PATH}.failing_task", "Mail 9") is False
    row = DeferredTask.objects.get()
    assert row.attempts == 2 and "cannot do Mail 9 either" in row.last_error


def test_the_sweeper_waits_while_the_broker_is_away_and_sends_everything_once_it_is_back(db, broker):
    broker.away()
    for value in ("eins", "zwei", "drei"):
        background.task_send(f"{PATH}.note_task", value, broker_down="later")
    assert sweep_deferred_tasks() == 0  # still away: nothing lost, one more attempt noted on the oldest
    assert DeferredTask.objects.count() == 3
    assert DeferredTask.objects.order_by("created_at", "pk").first().attempts == 2
    broker.back()
    assert sweep_deferred_tasks() == 3
    assert CALLS == ["eins", "zwei", "drei"]  # oldest first
    assert not DeferredTask.objects.exists()


def test_without_a_broker_at_all_a_failing_task_is_not_deferred(db, broker):
    """The embedded default runs tasks eagerly: an exception there is the task's own and nothing waits for a broker."""
    broker.back()
    with pytest.raises(RuntimeError):
        background.task_send(f"{PATH}.failing_task", "eager")
    assert not DeferredTask.objects.exists()


def test_a_mail_is_never_parked_in_the_database_even_when_sending_it_here_fails(db, broker, settings, monkeypatch):
    """A login code or reset link must not sit in DeferredTask: mail is only run here; the task records refusals itself."""
    from django.core.mail import EmailMessage

    from verbund import tasks
    from verbund.mail import mail_send_later

    def refuse(*args, **kwargs):
        raise OSError("SMTP away too")

    monkeypatch.setattr(tasks.send_mail_task, "run", refuse)
    broker.away()
    with monkeypatch.context() as m:
        m.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
        mail_send_later(message=EmailMessage(subject="Ihr Anmeldecode", body="Code 123456", to=["person@example.org"]))
    assert not DeferredTask.objects.exists()
