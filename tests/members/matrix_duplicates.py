"""URL × persona expectations for the duplicates and merges (members.urls.duplicates).

Only managers of X reach X's pages; a record of network Y through X's URL is a 404 for everyone. The
merge targets build their own pair of records when the URL is made (each persona has its own database),
so a real merge (302) leaves A, B and C as the other targets expect them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from members.models import Contact, Membership, MergeRecord, Organisation
from tests.conftest import World
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
NOBODY = statuses(404, anonymous=302)


def url(name: str, *args: Callable[[World], int]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=["netz-x", *[a(w) for a in args]])


def org(key: str) -> Callable[[World], int]:
    return lambda w: getattr(w, key).pk


def contact_of(key: str) -> Callable[[World], int]:
    return lambda w: Contact.objects.filter(organisation=getattr(w, key)).order_by("pk")[0].pk


def _organisation_pair(w: World) -> tuple[Organisation, Organisation]:
    pair = []
    for name in ("Matrix Dublette GmbH", "Matrix Dublette KG"):
        organisation = Organisation.objects.create(name=name, postcode="48431")
        Membership.objects.create(organisation=organisation, network=w.network_x)
        pair.append(organisation)
    w.merge_pair = pair  # type: ignore[attr-defined]  # read by the POST's data
    return pair[0], pair[1]


def _contact_pair(w: World) -> tuple[Contact, Contact]:
    organisation = Organisation.objects.create(name="Matrix Personen GmbH")  # A's and B's contacts stay as the other targets expect them
    Membership.objects.create(organisation=organisation, network=w.network_x)
    first = Contact.objects.create(organisation=organisation, first_name="Kim", last_name="Doppel", email="kim.doppel@example.org")
    second = Contact.objects.create(organisation=organisation, first_name="Kim", last_name="Doppel")
    w.merge_pair = [first, second]  # type: ignore[attr-defined]  # read by the POST's data
    return first, second


def merge_url(name: str, make: Callable[[World], tuple]) -> Callable[[World], str]:
    def build(w: World) -> str:
        first, second = make(w)
        return reverse(name, args=["netz-x", first.pk, second.pk])

    return build


def keep_first(w: World) -> dict[str, int]:
    return {"keep": w.merge_pair[0].pk}  # type: ignore[attr-defined]  # set when the URL was built


def merge_record(network_key: str) -> Callable[[World], int]:
    def make(w: World) -> int:
        network = getattr(w, network_key)
        return MergeRecord.objects.create(kind=MergeRecord.Kind.ORGANISATION, network=network, kept_id=w.org_a.pk, merged_id=999_999, merged_label="Alt").pk

    return make


DUPLICATES_MATRIX: dict[str, Case] = {
    "duplicates:index": Case(
        [
            Target(url("duplicates:index"), X_ONLY),
            Target(lambda w: reverse("duplicates:index", args=["netz-y"]), statuses(404, anonymous=302, manager_y=200, manager_xy=200)),
        ]
    ),
    "duplicates:organisation_candidates": Case(
        [
            Target(url("duplicates:organisation_candidates", org("org_a")), X_ONLY),
            Target(url("duplicates:organisation_candidates", org("org_c")), NOBODY),  # C is in Y only
        ]
    ),
    "duplicates:organisation_merge": Case(
        [
            Target(url("duplicates:organisation_merge", org("org_a"), org("org_b")), X_ONLY),  # the preview merges nothing
            Target(url("duplicates:organisation_merge", org("org_a"), org("org_c")), NOBODY),
            Target(merge_url("duplicates:organisation_merge", _organisation_pair), X_WRITE, method="post", data=keep_first, htmx=False),
        ]
    ),
    "duplicates:contact_merge": Case(
        [
            Target(url("duplicates:contact_merge", contact_of("org_a"), contact_of("org_b")), X_ONLY),
            Target(url("duplicates:contact_merge", contact_of("org_a"), contact_of("org_c")), NOBODY),
            Target(merge_url("duplicates:contact_merge", _contact_pair), X_WRITE, method="post", data=keep_first, htmx=False),
        ]
    ),
    "duplicates:organisation_dismiss": Case(
        [
            Target(merge_url("duplicates:organisation_dismiss", _organisation_pair), X_WRITE, method="post", htmx=False),
            Target(url("duplicates:organisation_dismiss", org("org_a"), org("org_c")), NOBODY, method="post", htmx=False),  # C is Y's
            Target(url("duplicates:organisation_dismiss", org("org_a"), org("org_b")), statuses(405), htmx=False),  # POST only
        ]
    ),
    "duplicates:contact_dismiss": Case(
        [
            Target(merge_url("duplicates:contact_dismiss", _contact_pair), X_WRITE, method="post", htmx=False),
            Target(url("duplicates:contact_dismiss", contact_of("org_a"), contact_of("org_c")), NOBODY, method="post", htmx=False),
            Target(url("duplicates:contact_dismiss", contact_of("org_a"), contact_of("org_b")), statuses(405), htmx=False),
        ]
    ),
    "duplicates:merge_record": Case(
        [
            Target(url("duplicates:merge_record", merge_record("network_x")), X_ONLY),
            Target(url("duplicates:merge_record", merge_record("network_y")), NOBODY),  # Y's record through X's URL
        ]
    ),
}
