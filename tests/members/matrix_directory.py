"""URL × persona expectations for the manager's member pages and the network profile.

Network X ("netz-x") has organisations A and B; network Y has C. Writes (POST)
target organisation B's data so that the GETs on A keep their meaning; each
persona gets a fresh world.
"""

from __future__ import annotations

from django.urls import reverse

from members.models import Contact, GovernancePosition, Membership, SavedFilter
from tests.matrix import Case, Target, statuses
from verbund.models import FundingSource, NetworkLogo

# Only managers of X reach X's pages; everyone else with a login gets 404, anonymous users the login page.
X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def url(name: str, *args) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[a(w) if callable(a) else a for a in args]])


def org(key: str):
    return lambda w: getattr(w, key).pk


def contact_of(key: str):
    return lambda w: Contact.objects.filter(organisation=getattr(w, key)).first().pk


def saved_filter(w) -> int:
    saved, _ = SavedFilter.objects.get_or_create(user=w.users["manager_x"], network=w.network_x, name="Aktive", defaults={"query": "status=active"})
    return saved.pk


def governance_position(w) -> int:
    position, _ = GovernancePosition.objects.get_or_create(
        network=w.network_x, contact=Contact.objects.filter(organisation=w.org_b).first(), function=GovernancePosition.Function.BOARD
    )
    return position.pk


def funding_source(w) -> int:
    source, _ = FundingSource.objects.get_or_create(network=w.network_x, kind=FundingSource.Kind.MEMBER_FEES, year=2026, defaults={"amount": 100})
    return source.pk


def network_logo(network_attr: str):
    def make(w) -> int:
        network = getattr(w, network_attr)
        logo, _ = NetworkLogo.objects.get_or_create(network=network, name=f"Logo {network.slug}", defaults={"role": "funder", "logo": "logos/matrix.png"})
        return logo.pk

    return make


def membership_of(key: str):
    return lambda w: Membership.objects.get(organisation=getattr(w, key)).pk


DIRECTORY_MATRIX: dict[str, Case] = {
    "directory:directory": Case([Target(url("directory:directory"), X_ONLY)]),
    "directory:organisation_create": Case([Target(url("directory:organisation_create"), X_ONLY)]),
    "directory:organisation": Case(
        [
            Target(url("directory:organisation", org("org_a")), X_ONLY),
            Target(url("directory:organisation", org("org_c")), NOBODY),  # C is in Y only: foreign via X's URL
        ]
    ),
    "directory:organisation_edit": Case(
        [Target(url("directory:organisation_edit", org("org_a")), X_ONLY), Target(url("directory:organisation_edit", org("org_c")), NOBODY)]
    ),
    "directory:membership_edit": Case([Target(url("directory:membership_edit", org("org_a")), X_ONLY)]),
    "directory:contact_create": Case(
        [Target(url("directory:contact_create", org("org_a")), X_ONLY), Target(url("directory:contact_create", org("org_c")), NOBODY)]
    ),
    "directory:contact_edit": Case(
        [Target(url("directory:contact_edit", contact_of("org_a")), X_ONLY), Target(url("directory:contact_edit", contact_of("org_c")), NOBODY)]
    ),
    "directory:trash": Case([Target(url("directory:trash"), X_ONLY)]),
    "directory:governance": Case([Target(url("directory:governance"), X_ONLY)]),
    # Writes: a GET is refused (405) for those who pass the login; the POSTs change B's data.
    "directory:bulk_action": Case(
        [
            Target(
                url("directory:bulk_action"),
                X_ONLY,
                method="post",
                data=lambda w: {"action": "set_status", "status": "paused", "ids": [Membership.objects.get(organisation=w.org_b).pk]},
            ),
            Target(url("directory:bulk_action"), statuses(405), htmx=False),  # POST only, refused before anything is looked up
        ]
    ),
    "directory:saved_filter_create": Case(
        [Target(url("directory:saved_filter_create"), X_WRITE, method="post", data=lambda w: {"name": "Test", "query": "status=active"})]
    ),
    "directory:saved_filter_delete": Case(
        [Target(url("directory:saved_filter_delete", saved_filter), statuses(404, anonymous=302, manager_x=302), method="post", htmx=False)]
    ),
    "directory:contact_mail_block_lift": Case(  # before the trash entries below: a trashed contact is a 404
        [
            Target(url("directory:contact_mail_block_lift", contact_of("org_b")), X_WRITE, method="post", htmx=False),
            Target(url("directory:contact_mail_block_lift", contact_of("org_c")), NOBODY, method="post", htmx=False),
        ]
    ),
    "directory:contact_invite": Case(  # B's contact already has a login: refused with a message
        [
            Target(url("directory:contact_invite", contact_of("org_b")), X_WRITE, method="post", htmx=False),
            Target(url("directory:contact_invite", contact_of("org_c")), NOBODY, method="post", htmx=False),
        ]
    ),
    "directory:contact_trash": Case(
        [
            Target(url("directory:contact_trash", contact_of("org_b")), X_WRITE, method="post", htmx=False),
            Target(url("directory:contact_trash", contact_of("org_c")), NOBODY, method="post", htmx=False),
        ]
    ),
    "directory:contact_restore": Case([Target(url("directory:contact_restore", contact_of("org_b")), X_WRITE, method="post", htmx=False)]),
    "directory:governance_remove": Case([Target(url("directory:governance_remove", governance_position), X_WRITE, method="post", htmx=False)]),
    "directory:organisation_trash": Case(
        [
            Target(url("directory:organisation_trash", org("org_b")), X_WRITE, method="post", htmx=False),
            Target(url("directory:organisation_trash", org("org_c")), NOBODY, method="post", htmx=False),
        ]
    ),
    "directory:organisation_restore": Case([Target(url("directory:organisation_restore", org("org_b")), X_WRITE, method="post", htmx=False)]),
    # The network profile (verbund).
    "verbund:network_profile": Case([Target(url("verbund:network_profile"), X_ONLY)]),
    "verbund:funding_source_add": Case(
        [Target(url("verbund:funding_source_add"), X_WRITE, method="post", data=lambda w: {"year": "2026", "kind": "member_fees", "amount": "10"}, htmx=False)]
    ),
    "verbund:funding_source_remove": Case([Target(url("verbund:funding_source_remove", funding_source), X_WRITE, method="post", htmx=False)]),
    "verbund:network_documentation": Case(
        [
            Target(url("verbund:network_documentation"), X_ONLY),
            Target(url("verbund:network_documentation"), X_WRITE, method="post", data=lambda w: {"publisher_name": "TAT GmbH"}, htmx=False),
        ]
    ),
    "verbund:network_logo_add": Case(  # without a file: the page again with the message
        [
            Target(
                url("verbund:network_logo_add"),
                {**X_WRITE, "manager_x": 400, "manager_xy": 400},
                method="post",
                data=lambda w: {"role": "funder", "name": "BMAS"},
                htmx=False,
            )
        ]
    ),
    "verbund:network_logo_remove": Case(
        [
            Target(url("verbund:network_logo_remove", network_logo("network_x")), X_WRITE, method="post", htmx=False),
            Target(url("verbund:network_logo_remove", network_logo("network_y")), NOBODY, method="post", htmx=False),  # Y's logo under X's address
        ]
    ),
}
