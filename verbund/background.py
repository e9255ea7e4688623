"""Handing work to Celery: the one place that knows what to do when the broker is away.

Services name their task by dotted path ("events.tasks.render_document_task"), so a service never
imports its app's tasks module and the tasks modules import services at the top: no task↔service
cycle, no import inside a function to break one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from verbund.models import BackgroundJob, DeferredTask

logger = logging.getLogger(__name__)

BrokerDown = Literal["run_here", "later"]


def task_send(task_path: str, *args: Any, broker_down: BrokerDown = "run_here", record: bool = True) -> bool:
    """Queue one call of the task now. True when it was queued or run; False when it was left for later.

    When the broker cannot be reached the call is recorded as a DeferredTask, which the sweeper hands to the broker
    once it answers again. `run_here` also runs the task in this process at once (a login code or a PDF that never
    arrives is worse than a slow response) and forgets the record when that succeeds; `later` leaves it to the sweeper
    (work whose own rows are swept too, such as the Infobrief's deliveries). `record=False` keeps arguments that carry
    content (a whole mail with its codes and links) out of the database: such a call is only run here.
    """
    task = import_string(task_path)
    try:
        task.delay(*args)
    except Exception as exc:
        if task.app.conf.task_always_eager:  # no broker (the embedded default): the exception is the task's own
            if broker_down == "later":
                logger.exception("%s%r failed", task_path, args)
                return False
            raise
        deferred = _defer(task_path, args, exc) if record else None
        if broker_down == "later":
            logger.warning("Queue unreachable: %s%r left for the sweeper", task_path, args, exc_info=True)
            return False
        logger.warning("Queue unreachable: running %s%r here", task_path, args, exc_info=True)
        try:
            task(*args)
        except Exception as failure:
            if deferred is not None:
                DeferredTask.objects.filter(pk=deferred.pk).update(last_error=_describe(failure), attempts=2)
            logger.exception("%s%r failed here too; the sweeper retries it", task_path, args)
            return False
        if deferred is not None:
            DeferredTask.objects.filter(pk=deferred.pk).delete()
    return True


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _defer(task_path: str, args: tuple[Any, ...], exc: BaseException) -> DeferredTask | None:
    """Record the call for the sweeper; if even the database is away there is nothing left to record it in."""
    try:
        return DeferredTask.objects.create(task=task_path, args=list(args), last_error=_describe(exc))
    except Exception:
        logger.exception("Could not record %s%r for the sweeper", task_path, args)
        return None


def deferred_tasks_resend(limit: int = 500) -> tuple[int, int]:
    """Hand recorded calls to the broker again, oldest first: (sent, still waiting). Stops at the first failure.

    Rows are claimed with SKIP LOCKED, so two sweepers never send one call twice; a row is deleted in the transaction
    that sent it (a crash between the two sends it again, which the tasks tolerate: they claim their rows).
    """
    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = DeferredTask.objects.select_for_update(skip_locked=True).order_by("created_at", "pk").first()
            if row is None:
                break
            try:
                import_string(row.task).delay(*row.args)
            except Exception as exc:  # noqa: BLE001 – any refusal of the broker: the row waits for the next sweep
                DeferredTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=_describe(exc), tried_at=timezone.now())
                logger.warning("Queue still unreachable: %d deferred tasks wait", DeferredTask.objects.count())
                break
            row.delete()
            sent += 1
    return sent, DeferredTask.objects.count()


def enqueue_on_commit(task_path: str, *args: Any, broker_down: BrokerDown = "run_here", record: bool = True) -> None:
    """`task_send` once the current transaction commits (a worker never sees rows that are not there yet)."""
    transaction.on_commit(lambda: task_send(task_path, *args, broker_down=broker_down, record=record))


# Jobs without a task of their own (older rows) are members' imports and exports; other apps name theirs in params.
JOB_TASKS = {"import": "members.tasks.import_job_task", "export": "members.tasks.export_job_task"}


def job_enqueue(job: BackgroundJob) -> None:
    """Hand a background job (import, export, a large PDF) to Celery once committed.

    Without a broker (the embedded default: tasks run eagerly) the job runs in a thread of this
    process once the transaction has committed, so the request that started it returns at once and
    the job page shows its progress; with BACKGROUND_THREADS off (the tests) it runs in the request.
    The job row is the truth: its task claims it with a conditional update, so a second delivery does nothing.
    """
    named = job.params.get("task") if isinstance(job.params, dict) else None
    task_path = named or JOB_TASKS[job.kind]
    if getattr(settings, "BACKGROUND_THREADS", False) and import_string(task_path).app.conf.task_always_eager:
        transaction.on_commit(lambda: thread_start(task_path, job.pk))
    else:
        enqueue_on_commit(task_path, job.pk)


_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def thread_start(task_path: str, *args: Any) -> threading.Thread:
    """Run a task in a daemon thread of this process (the embedded default's stand-in for a worker).

    The thread opens its own database connections and closes them when done. A server that stops
    mid-way leaves the job RUNNING with its transaction rolled back; the sweeper requeues it.
    """

    def run() -> None:
        try:
            import_string(task_path)(*args)
        except Exception:
            logger.exception("Background thread %s%r failed", task_path, args)
        finally:
            connections.close_all()
            with _threads_lock:
                _threads.discard(thread)

    thread = threading.Thread(target=run, name=f"job:{task_path}{args!r}", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()
    return thread


def threads_join(timeout: float = 60) -> None:
    """Wait for the background threads started so far (tests, and a clean shutdown)."""
    with _threads_lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout)
