"""URL × persona expectations for health/urls (indicators): a network's indicators and its cluster check, read by every role."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)


def x(name: str, query: str = ""):
    return lambda w: reverse(name, args=["netz-x"]) + query


def y(name: str, query: str = ""):
    return lambda w: reverse(name, args=["netz-y"]) + query


HEALTH_INDICATORS_MATRIX: dict[str, Case] = {
    "health:index": Case([Target(x("health:index"), X_ONLY), Target(y("health:index"), Y_ONLY), Target(x("health:index", "?year=2025"), X_ONLY)]),
    "health:csv": Case([Target(x("health:csv"), X_ONLY, htmx=False), Target(y("health:csv"), Y_ONLY, htmx=False)]),
    "health:cluster": Case([Target(x("health:cluster"), X_ONLY), Target(y("health:cluster"), Y_ONLY)]),
    "health:cluster_xlsx": Case([Target(x("health:cluster_xlsx"), X_ONLY, htmx=False), Target(y("health:cluster_xlsx"), Y_ONLY, htmx=False)]),
    "health:cluster_pdf": Case([Target(x("health:cluster_pdf"), X_ONLY, htmx=False)]),
}
