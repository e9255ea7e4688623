"""URL × persona expectations for the periodic member reports: health/urls/reports.py (office) and
health/urls/reports_portal.py (member portal).

Network X asks organisation A (not B) for a yearly report; network Y asks C. Last year's period is asked for in both.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from health.models import ReportPeriod, ReportRequest
from health.reports import period_span
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)  # require_POST answers before the login is checked
PORTAL_A = statuses(403, anonymous=302, member_a_x=200, member_b_x=404, member_c_y=404)  # B is in X but not in the group
PORTAL_A_WRITE = statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404)
PORTAL_C = statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)


def report_request(w, network_attr: str = "network_x") -> ReportRequest:
    network = getattr(w, network_attr)
    found = ReportRequest.objects.filter(network=network, title__startswith="Bericht der Kommunen").first()
    if found:
        return found
    canary = " X-CANARY" if network_attr == "network_x" else ""
    request = ReportRequest.objects.create(
        network=network, title=f"Bericht der Kommunen{canary}", prompts=f"Was lief gut?{canary}\nWas fehlt?", cadence=ReportRequest.Cadence.YEARLY
    )
    request.organisations.add(w.org_a if network_attr == "network_x" else w.org_c)
    return request


def period(w, network_attr: str = "network_x") -> ReportPeriod:
    request = report_request(w, network_attr)
    found = request.periods.first()
    if found:
        return found
    span = period_span(request.cadence, timezone.localdate().replace(month=1, day=1) - timedelta(days=1))
    return ReportPeriod.objects.create(
        request=request,
        year=span.year,
        starts_on=span.starts_on,
        ends_on=span.ends_on,
        due_on=span.due_on(request.due_days),
        opened_at=timezone.now(),
    )


def theirs(w) -> ReportRequest:
    return report_request(w, "network_y")


def their_period(w) -> ReportPeriod:
    return period(w, "network_y")


def u(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[p(w) for p in parts]])


def y(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-y", *[p(w) for p in parts]])


def pk(factory):
    return lambda w: factory(w).pk


def request_data(title: str) -> callable:
    def data(w) -> dict:
        return {"title": title, "prompts": "Was lief gut?\nWas fehlt?", "cadence": "yearly", "due_days": "30", "organisations": [w.org_a.pk], "active": "on"}

    return data


def portal(name: str, factory) -> callable:
    return lambda w: reverse(name, args=[factory(w).pk])


HEALTH_REPORTS_MATRIX: dict[str, Case] = {
    # --- the office -------------------------------------------------------------------------
    "health_reports:index": Case([Target(u("health_reports:index"), X_ONLY), Target(y("health_reports:index"), Y_ONLY)]),
    "health_reports:request_create": Case(
        [
            Target(u("health_reports:request_create"), X_ONLY),
            Target(u("health_reports:request_create"), X_WRITE, method="post", data=request_data("Neu angelegt"), htmx=False),
        ]
    ),
    "health_reports:request": Case(
        [
            Target(u("health_reports:request", pk(report_request)), X_ONLY),
            Target(u("health_reports:request", pk(theirs)), NOBODY),  # Y's request under X's address
            Target(y("health_reports:request", pk(theirs)), Y_ONLY),
        ]
    ),
    "health_reports:request_edit": Case(
        [
            Target(u("health_reports:request_edit", pk(report_request)), X_ONLY),
            Target(u("health_reports:request_edit", pk(theirs)), NOBODY),
            Target(
                u("health_reports:request_edit", pk(report_request)), X_WRITE, method="post", data=request_data("Bericht der Kommunen X-CANARY"), htmx=False
            ),
            Target(u("health_reports:request_edit", pk(theirs)), NOBODY, method="post", data=request_data("Übernommen"), htmx=False),
        ]
    ),
    "health_reports:period_open": Case(  # an unknown period: refused with a message, nothing opened or mailed
        [
            Target(u("health_reports:period_open", pk(report_request)), X_WRITE, method="post", data=lambda w: {"period": "1999-01-01"}, htmx=False),
            Target(u("health_reports:period_open", pk(theirs)), NOBODY, method="post", data=lambda w: {"period": "1999-01-01"}, htmx=False),
            Target(u("health_reports:period_open", pk(report_request)), POST_ONLY, htmx=False),
        ]
    ),
    "health_reports:period": Case(
        [
            Target(u("health_reports:period", pk(period)), X_ONLY),
            Target(u("health_reports:period", pk(their_period)), NOBODY),
            Target(y("health_reports:period", pk(their_period)), Y_ONLY),
        ]
    ),
    "health_reports:period_remind": Case(
        [
            Target(u("health_reports:period_remind", pk(period)), X_WRITE, method="post", htmx=False),
            Target(u("health_reports:period_remind", pk(their_period)), NOBODY, method="post", htmx=False),
            Target(u("health_reports:period_remind", pk(period)), POST_ONLY, htmx=False),
        ]
    ),
    "health_reports:period_csv": Case(
        [
            Target(u("health_reports:period_csv", pk(period)), X_ONLY, htmx=False),
            Target(u("health_reports:period_csv", pk(their_period)), NOBODY, htmx=False),
        ]
    ),
    # --- the member portal ------------------------------------------------------------------
    "reports_portal:index": Case([Target(lambda w: reverse("reports_portal:index"), statuses(403, anonymous=302, members=200))]),
    "reports_portal:report": Case(
        [
            Target(portal("reports_portal:report", period), PORTAL_A),
            Target(portal("reports_portal:report", their_period), PORTAL_C),
            Target(portal("reports_portal:report", period), PORTAL_A_WRITE, method="post", data=lambda w: {"action": "draft"}, htmx=False),
        ]
    ),
}
