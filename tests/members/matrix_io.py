"""URL × persona expectations for the import/export URLs (members.urls.io).

Jobs belong to the user who started them: another manager of the same network
gets the same 404 as an outsider. The helpers create the job a target needs
when the URL is built (each persona runs in its own fresh database).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import World
from tests.matrix import Case, Target, rev, statuses
from verbund.models import BackgroundJob

# Managers of X (and only they) reach X's pages; everyone else logged in gets 404.
X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
CSV = b"Firma;PLZ;E-Mail\nMatrix GmbH;48431;info@matrix.example\n"


def _draft(world: World, owner: str) -> BackgroundJob:
    return BackgroundJob.objects.create(
        user=world.users[owner],
        network=world.network_x,
        kind=BackgroundJob.Kind.IMPORT,
        title="Import: matrix.csv",
        total=1,
        params={
            "filename": "matrix.csv",
            "format": "csv",
            "header": ["Firma", "PLZ", "E-Mail"],
            "rows": [["Matrix GmbH", "48431", "info@matrix.example"]],
            "lines": [2],
            "mapping": {"name": 0, "postcode": 1, "email": 2},
            "existing": "add_contact",
            "confirmed": False,
        },
    )


def _running_export(world: World, owner: str) -> BackgroundJob:
    return BackgroundJob.objects.create(
        user=world.users[owner],
        network=world.network_x,
        kind=BackgroundJob.Kind.EXPORT,
        title="Export: matrix",
        status=BackgroundJob.Status.RUNNING,
        total=10,
        done=3,
        params={"format": "csv", "filename": "m.csv", "ids": []},
    )


MATRIX_FILE = "jobs/matrix/matrix-export.csv"  # one small file, written once, shared by every run


def _finished_export(world: World, owner: str) -> BackgroundJob:
    if not default_storage.exists(MATRIX_FILE):
        default_storage.save(MATRIX_FILE, ContentFile("\ufeffOrganisation\r\n".encode()))
    job = _running_export(world, owner)
    job.status = BackgroundJob.Status.DONE
    job.result_file.name = MATRIX_FILE
    job.save(update_fields=["status", "result_file"])
    return job


def job_url(name: str, make: Callable[[World, str], BackgroundJob], owner: str) -> Callable[[World], str]:
    def url(world: World) -> str:
        job = make(world, owner)
        return reverse(name, kwargs={"network_slug": "netz-x", "pk": job.pk})

    return url


def own(owner: str) -> dict[str, int]:
    return statuses(404, anonymous=302, **{owner: 200})


def own_redirect(owner: str) -> dict[str, int]:
    return statuses(404, anonymous=302, **{owner: 302})


IO_MATRIX: dict[str, Case] = {
    "io:index": Case(
        [
            Target(rev("io:index", network_slug="netz-x"), X_ONLY),
            Target(rev("io:index", network_slug="netz-y"), statuses(404, anonymous=302, manager_y=200, manager_xy=200)),
        ]
    ),
    "io:export": Case(
        [
            Target(lambda w: reverse("io:export", kwargs={"network_slug": "netz-x"}) + "?format=csv", X_ONLY),
            Target(lambda w: reverse("io:export", kwargs={"network_slug": "netz-x"}) + "?format=xlsx", X_ONLY),
        ]
    ),
    "io:import_upload": Case(
        [
            Target(rev("io:import_upload", network_slug="netz-x"), X_ONLY),
            # A valid upload makes a draft (nothing is imported) and leads on to the mapping.
            Target(
                rev("io:import_upload", network_slug="netz-x"),
                statuses(404, anonymous=302, manager_x=302, manager_xy=302),
                method="post",
                data=lambda w: {"file": SimpleUploadedFile("matrix.csv", CSV, content_type="text/csv")},
            ),
        ]
    ),
    "io:import_mapping": Case(
        [
            Target(job_url("io:import_mapping", _draft, "manager_x"), own("manager_x")),
            Target(job_url("io:import_mapping", _draft, "manager_xy"), own("manager_xy")),
        ]
    ),
    "io:import_preview": Case(
        [
            Target(job_url("io:import_preview", _draft, "manager_x"), own("manager_x")),
            Target(job_url("io:import_preview", _draft, "manager_xy"), own("manager_xy")),
        ]
    ),
    "io:import_confirm": Case(
        [
            # The owner's confirmation imports the one row and leads to the job page (again on a double submit).
            Target(
                job_url("io:import_confirm", _draft, "manager_x"),
                own_redirect("manager_x"),
                method="post",
                data=lambda w: {"existing": "add_contact"},
            ),
            Target(
                job_url("io:import_confirm", _draft, "manager_xy"),
                own_redirect("manager_xy"),
                method="post",
                data=lambda w: {"existing": "skip"},
            ),
        ]
    ),
    "io:import_cancel": Case(
        [
            # The second (htmx) request finds the draft gone: 404 for everyone, so no htmx variant.
            Target(job_url("io:import_cancel", _draft, "manager_x"), own_redirect("manager_x"), method="post", htmx=False),
        ]
    ),
    "io:job_detail": Case(
        [
            Target(job_url("io:job_detail", _running_export, "manager_x"), own("manager_x")),
            Target(job_url("io:job_detail", _running_export, "manager_xy"), own("manager_xy")),
        ]
    ),
    "io:job_download": Case(
        [
            Target(job_url("io:job_download", _finished_export, "manager_x"), own("manager_x")),
            Target(job_url("io:job_download", _finished_export, "manager_xy"), own("manager_xy")),
        ]
    ),
}
