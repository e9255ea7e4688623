"""Handing work to Celery: the one place that knows what to do when the broker is away.

Services name their task by dotted path ("events.tasks.render_document_task"), so a service never
imports its app's tasks module and the tasks modules import services at the top: no task↔service
cycle, no import inside a function to break one.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from django.db import transaction
from django.utils.module_loading import import_string

from verbund.models import BackgroundJob

logger = logging.getLogger(__name__)

BrokerDown = Literal["run_here", "later"]


def task_send(task_path: str, *args: Any, broker_down: BrokerDown = "run_here") -> bool:
    """Queue one call of the task now. True when it was queued or run; False when it was left for later.

    When the broker cannot be reached, `run_here` runs the task in this process (a login code or a
    PDF that never arrives is worse than a slow response); `later` only logs, for work a periodic
    sweeper picks up from its rows (the Infobrief) or the next request orders again.
    """
    task = import_string(task_path)
    try:
        task.delay(*args)
    except Exception:
        if broker_down == "later":
            logger.warning("Queue unreachable: %s%r left for later", task_path, args, exc_info=True)
            return False
        logger.warning("Queue unreachable: running %s%r here", task_path, args, exc_info=True)
        task(*args)
    return True


def enqueue_on_commit(task_path: str, *args: Any, broker_down: BrokerDown = "run_here") -> None:
    """`task_send` once the current transaction commits (a worker never sees rows that are not there yet)."""
    transaction.on_commit(lambda: task_send(task_path, *args, broker_down=broker_down))


# Jobs without a task of their own (older rows) are members' imports and exports; other apps name theirs in params.
JOB_TASKS = {"import": "members.tasks.import_job_task", "export": "members.tasks.export_job_task"}


def job_enqueue(job: BackgroundJob) -> None:
    """Hand a background job (import, export, a large PDF) to Celery once committed; without a broker it runs here.

    The job row is the truth: its task claims it with a conditional update, so a second delivery does nothing.
    """
    named = job.params.get("task") if isinstance(job.params, dict) else None
    enqueue_on_commit(named or JOB_TASKS[job.kind], job.pk)
