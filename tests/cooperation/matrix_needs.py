"""URL × persona expectations for needs and offers (cooperation.urls.needs_manage and needs_portal).

Entries are created on demand: a network-visible need of Alpha (X), a managers-only need of Alpha (X), a need of
Gamma (Y), and one of Alpha that the portal's withdraw target withdraws. Writes touch X's entries only and change little.
"""

from __future__ import annotations

from django.urls import reverse

from cooperation.models import NeedOffer
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
MEMBERS_ONLY = statuses(403, anonymous=302, members=200)
OWN_ONLY = statuses(403, anonymous=302, member_a_x=200, member_b_x=404, member_c_y=404)
NETWORK_X_MEMBERS = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)


def _entry(w, title: str, *, org_attr: str = "org_a", network_attr: str = "network_x", visibility: str = NeedOffer.Visibility.NETWORK) -> NeedOffer:
    found = NeedOffer.objects.filter(title=title).first()
    return found or NeedOffer.objects.create(
        network=getattr(w, network_attr), organisation=getattr(w, org_attr), kind=NeedOffer.Kind.NEED, title=title, visibility=visibility
    )


def need_x(w) -> NeedOffer:
    return _entry(w, "Bedarf X")


def secret_x(w) -> NeedOffer:
    return _entry(w, "Bedarf X intern", visibility=NeedOffer.Visibility.MANAGERS)


def need_y(w) -> NeedOffer:
    return _entry(w, "Bedarf Y", org_attr="org_c", network_attr="network_y")


def to_withdraw(w) -> NeedOffer:
    return _entry(w, "Bedarf X zum Zurückziehen")


def x(name: str, entry=None):
    return lambda w: reverse(name, args=["netz-x", *([entry(w).pk] if entry else [])])


def y(name: str, entry=None):
    return lambda w: reverse(name, args=["netz-y", *([entry(w).pk] if entry else [])])


def portal(name: str, entry=None):
    return lambda w: reverse(name, args=[entry(w).pk] if entry else [])


NEEDS_MATRIX: dict[str, Case] = {
    "needs:list": Case(
        [Target(x("needs:list"), X_ONLY), Target(y("needs:list"), Y_ONLY), Target(lambda w: x("needs:list")(w) + "?kind=need&status=open&q=Be", X_ONLY)]
    ),
    "needs:create": Case([Target(x("needs:create"), X_ONLY), Target(y("needs:create"), Y_ONLY)]),
    "needs:detail": Case(
        [Target(x("needs:detail", need_x), X_ONLY), Target(x("needs:detail", need_y), statuses(404, anonymous=302)), Target(y("needs:detail", need_y), Y_ONLY)]
    ),
    "needs:edit": Case([Target(x("needs:edit", need_x), X_ONLY), Target(y("needs:edit", need_x), statuses(404, anonymous=302))]),
    "needs:status": Case([Target(x("needs:status", need_x), X_WRITE, method="post", data=lambda w: {"status": "open"})]),
    "needs:match": Case([Target(x("needs:match", need_x), X_WRITE, method="post", data=lambda w: {"organisation": w.org_b.pk, "decision": "dismiss"})]),
    "needs:round_table": Case([Target(x("needs:round_table", need_x), X_ONLY), Target(y("needs:round_table", need_x), statuses(404, anonymous=302))]),
    "portal_needs:list": Case([Target(portal("portal_needs:list"), MEMBERS_ONLY)]),
    "portal_needs:create": Case([Target(portal("portal_needs:create"), MEMBERS_ONLY)]),
    "portal_needs:detail": Case(
        [
            Target(portal("portal_needs:detail", need_x), NETWORK_X_MEMBERS),
            Target(portal("portal_needs:detail", secret_x), OWN_ONLY),
            Target(portal("portal_needs:detail", need_y), statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)),
        ]
    ),
    "portal_needs:edit": Case([Target(portal("portal_needs:edit", need_x), OWN_ONLY)]),
    "portal_needs:withdraw": Case(
        [Target(portal("portal_needs:withdraw", to_withdraw), statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404), method="post")]
    ),
}
