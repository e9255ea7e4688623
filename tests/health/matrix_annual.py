"""URL × persona expectations for the annual report (health/urls/annual.py)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from health.models import AnnualReport
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
POST_ONLY = statuses(405)


def _year() -> int:
    return timezone.localdate().year


def ready(w) -> AnnualReport:
    report, _ = AnnualReport.objects.get_or_create(network=w.network_x, year=_year())
    if not report.file:
        report.file.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    AnnualReport.objects.filter(pk=report.pk).update(status=AnnualReport.Status.READY, file=report.file.name, rendered_at=timezone.now())
    return report


HEALTH_ANNUAL_MATRIX: dict[str, Case] = {
    "health_annual:index": Case(
        [
            Target(lambda w: reverse("health_annual:index", args=["netz-x"]), X_ONLY),
            Target(lambda w: reverse("health_annual:index", args=["netz-y"]), statuses(404, anonymous=302, manager_y=200, manager_xy=200)),
        ]
    ),
    "health_annual:report": Case(
        [
            Target(lambda w: reverse("health_annual:report", args=["netz-x", _year()]), X_ONLY, htmx=False),  # htmx: the status poll (286 once settled)
            Target(lambda w: reverse("health_annual:report", args=["netz-x", 1999]), statuses(404, anonymous=302)),  # before the network
            Target(lambda w: reverse("health_annual:report", args=["netz-x", _year()]), X_WRITE, method="post", data=lambda w: {"foreword": "Ein Jahr."}),
        ]
    ),
    "health_annual:render": Case(
        [
            Target(lambda w: reverse("health_annual:render", args=["netz-x", _year()]), X_WRITE, method="post", htmx=False),
            Target(lambda w: reverse("health_annual:render", args=["netz-x", _year()]), POST_ONLY, htmx=False),
        ]
    ),
    "health_annual:download": Case([Target(lambda w: (ready(w), reverse("health_annual:download", args=["netz-x", _year()]))[1], X_ONLY, htmx=False)]),
}
