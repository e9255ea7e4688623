"""URL × persona expectations for cooperation.urls.outreach (the office's contact log and acquisition).

A log entry and a prospect in network X (and one of each in Y) are created on demand; writes touch X's rows only.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cooperation.models import ContactLogEntry, Prospect, ProspectStep
from members.models import Membership, Organisation
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def entry(w, network_attr: str = "network_x") -> ContactLogEntry:
    network = getattr(w, network_attr)
    organisation = w.org_a if network_attr == "network_x" else w.org_c
    found = ContactLogEntry.objects.filter(network=network).first()
    return found or ContactLogEntry.objects.create(
        network=network,
        organisation=organisation,
        kind=ContactLogEntry.Kind.CALL,
        happened_on=timezone.localdate(),
        summary="Anruf zum Stammtisch",
        next_step="Unterlagen schicken",
        next_step_due=timezone.localdate() + timedelta(days=2),
    )


def prospect_membership(w, network_attr: str = "network_x") -> Membership:
    """An organisation with status "Interessent" in the network, not yet in the pipeline."""
    network = getattr(w, network_attr)
    found = Membership.objects.filter(network=network, status=Membership.Status.PROSPECT, prospect__isnull=True).first()
    if found:
        return found
    organisation = Organisation.objects.create(name=f"Interessent {network.slug}")
    return Membership.objects.create(organisation=organisation, network=network, status=Membership.Status.PROSPECT)


def prospect(w, network_attr: str = "network_x") -> Prospect:
    network = getattr(w, network_attr)
    found = Prospect.objects.filter(network=network).first()
    if found:
        return found
    organisation = Organisation.objects.create(name=f"Akquise {network.slug}")
    membership = Membership.objects.create(organisation=organisation, network=network, status=Membership.Status.PROSPECT)
    made = Prospect.objects.create(membership=membership, network=network)
    ProspectStep.objects.create(prospect=made, to_stage=Prospect.Stage.LEAD, on=timezone.localdate())
    return made


def u(slug: str, name: str, *parts) -> callable:
    return lambda w: reverse(name, args=[slug, *[p(w) for p in parts]])


OUTREACH_MATRIX: dict[str, Case] = {
    "outreach:log": Case(
        [
            Target(u("netz-x", "outreach:log"), X_ONLY),
            Target(lambda w: reverse("outreach:log", args=["netz-x"]) + "?kind=call&open=on", X_ONLY),
            Target(u("netz-y", "outreach:log"), Y_ONLY),
        ]
    ),
    "outreach:log_create": Case(
        [
            Target(u("netz-x", "outreach:log_create", lambda w: w.org_a.pk), X_ONLY),
            Target(u("netz-x", "outreach:log_create", lambda w: w.org_c.pk), NOBODY),  # Y's organisation through X
            Target(u("netz-y", "outreach:log_create", lambda w: w.org_c.pk), Y_ONLY),
        ]
    ),
    "outreach:step_done": Case(
        [
            Target(u("netz-x", "outreach:step_done", lambda w: entry(w).pk), X_WRITE, method="post"),
            Target(u("netz-x", "outreach:step_done", lambda w: entry(w, "network_y").pk), NOBODY, method="post"),  # Y's entry through X
            Target(u("netz-x", "outreach:step_done", lambda w: entry(w).pk), statuses(405), htmx=False),  # POST only: a GET changes nothing
        ]
    ),
    "outreach:pipeline": Case([Target(u("netz-x", "outreach:pipeline"), X_ONLY), Target(u("netz-y", "outreach:pipeline"), Y_ONLY)]),
    "outreach:prospect_start": Case(
        [
            Target(u("netz-x", "outreach:prospect_start", lambda w: prospect_membership(w).pk), X_ONLY),
            Target(u("netz-x", "outreach:prospect_start", lambda w: prospect_membership(w, "network_y").pk), NOBODY),
        ]
    ),
    "outreach:prospect_move": Case(
        [
            Target(
                u("netz-x", "outreach:prospect_move", lambda w: prospect(w).pk), X_WRITE, method="post", data=lambda w: {"to_stage": Prospect.Stage.FIRST_TALK}
            ),
            Target(u("netz-x", "outreach:prospect_move", lambda w: prospect(w, "network_y").pk), NOBODY, method="post", data=lambda w: {"to_stage": "offer"}),
        ]
    ),
}
