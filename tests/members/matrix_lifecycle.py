"""URL × persona expectations for erasure, ending a relation to a person, and the retention page (members.urls.lifecycle).

Network X has organisations A and B; a separate "Nur-X GmbH" only X holds, so its manager may erase its person; "Geteilt GmbH" is a member of X and of Y, so a manager of X alone may
only end X's relation to its person (403 for the erasure), while the manager of both networks may erase her. The
helpers create what a target needs when its URL is built; each persona gets a fresh world.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from members.models import Contact, ContactExit, Membership, Organisation
from tests.conftest import World
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def _person(world: World) -> Contact:
    """A person of a company that only X holds (its own company: the other matrices count A's and B's people)."""
    organisation, created = Organisation.objects.get_or_create(name="Nur-X GmbH")
    if created:
        Membership.objects.create(organisation=organisation, network=world.network_x)
    contact, _ = Contact.objects.get_or_create(organisation=organisation, last_name="Matrixperson", defaults={"email": "matrix.person@example.org"})
    return contact


def _shared_person(world: World) -> Contact:
    organisation, created = Organisation.objects.get_or_create(name="Geteilt GmbH")
    if created:
        Membership.objects.create(organisation=organisation, network=world.network_x)
        Membership.objects.create(organisation=organisation, network=world.network_y)
    contact, _ = Contact.objects.get_or_create(organisation=organisation, last_name="Geteilt", defaults={"email": "geteilt@example.org"})
    return contact


def _exited_person(world: World) -> Contact:
    contact = _shared_person(world)
    ContactExit.objects.get_or_create(contact=contact, network=world.network_x)
    return contact


def url(name: str, contact: Callable[[World], Contact], slug: str = "netz-x") -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"network_slug": slug, "pk": contact(w).pk})


def contact_of(key: str) -> Callable[[World], Contact]:
    return lambda w: Contact.objects.filter(organisation=getattr(w, key)).first()


LIFECYCLE_MATRIX: dict[str, Case] = {
    "lifecycle:contact_erase": Case(
        [
            Target(url("lifecycle:contact_erase", _person), X_ONLY),
            Target(url("lifecycle:contact_erase", _shared_person), X_ONLY),  # the page says why not, and offers ending the relation
            Target(url("lifecycle:contact_erase", contact_of("org_c")), NOBODY),
            Target(url("lifecycle:contact_erase", _shared_person), statuses(404, anonymous=302, manager_x=403, manager_xy=302), method="post", htmx=False),
            Target(url("lifecycle:contact_erase", _person), X_WRITE, method="post", htmx=False),
            Target(url("lifecycle:contact_erase", contact_of("org_c")), NOBODY, method="post", htmx=False),
        ]
    ),
    "lifecycle:contact_exit": Case(
        [
            Target(url("lifecycle:contact_exit", _shared_person), X_WRITE, method="post", htmx=False),
            Target(url("lifecycle:contact_exit", contact_of("org_c")), NOBODY, method="post", htmx=False),
            Target(url("lifecycle:contact_exit", _shared_person), statuses(405), htmx=False),  # POST only
        ]
    ),
    "lifecycle:contact_exit_undo": Case(
        [
            Target(url("lifecycle:contact_exit_undo", _exited_person), X_WRITE, method="post", htmx=False),
            Target(
                url("lifecycle:contact_exit_undo", _exited_person, slug="netz-y"),
                statuses(404, anonymous=302, manager_y=302, manager_xy=302),
                method="post",
                htmx=False,
            ),
        ]
    ),
    "lifecycle:retention": Case(
        [
            Target(lambda w: reverse("lifecycle:retention", kwargs={"network_slug": "netz-x"}), X_ONLY),
            Target(lambda w: reverse("lifecycle:retention", kwargs={"network_slug": "netz-y"}), Y_ONLY),
        ]
    ),
}
