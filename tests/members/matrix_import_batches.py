"""URL × persona expectations for the import batch (members.urls.io: undoing an import).

Like every job URL, an import batch belongs to the manager who started it: another manager of the
same network gets the same 404 as an outsider. The helper builds a finished import that created one
organisation when the URL is built (each persona runs in its own fresh database).
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from members.models import Membership, Organisation
from tests.conftest import World
from tests.matrix import Case, Target, statuses
from verbund.models import BackgroundJob


def _finished_import(world: World, owner: str) -> BackgroundJob:
    job = BackgroundJob.objects.create(
        user=world.users[owner],
        network=world.network_x,
        kind=BackgroundJob.Kind.IMPORT,
        title="Import: matrix.csv",
        status=BackgroundJob.Status.DONE,
        total=1,
        done=1,
        finished_at=timezone.now(),
        params={"filename": "matrix.csv", "confirmed": True, "existing": "add_contact"},
    )
    organisation = Organisation.objects.create(name="Matrix Import GmbH", postcode="48431")
    Membership.objects.create(organisation=organisation, network=world.network_x, import_job=job)
    return job


def _undo_url(owner: str) -> Callable[[World], str]:
    def url(world: World) -> str:
        return reverse("io:import_undo", kwargs={"network_slug": "netz-x", "pk": _finished_import(world, owner).pk})

    return url


IMPORT_BATCHES_MATRIX: dict[str, Case] = {
    "io:import_undo": Case(
        [
            # The confirmation page with its counts.
            Target(_undo_url("manager_x"), statuses(404, anonymous=302, manager_x=200)),
            Target(_undo_url("manager_xy"), statuses(404, anonymous=302, manager_xy=200)),
            # The undo itself moves the batch to the trash and leads back to the job page.
            Target(_undo_url("manager_x"), statuses(404, anonymous=302, manager_x=302), method="post", data=lambda w: {}),
        ]
    ),
}
