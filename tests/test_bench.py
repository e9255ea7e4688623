"""`make bench` must not rot: its world generator at a tiny scale builds what it promises, and every measured page
answers 200, on the portal (as the bench's manager and member) and on the bare project."""

from __future__ import annotations

import pytest
from django.db.models import Count, Exists, OuterRef, Q

from tests.services import require_postgres

pytestmark = pytest.mark.django_db

SCALE = 0.002  # 100 organisations, 6 networks, 20 meetings


@pytest.fixture
def bench_world(settings):
    require_postgres()
    from bench.world import build

    return build(SCALE)


def test_the_world_holds_what_it_promises(bench_world):
    from allauth.mfa.models import Authenticator

    from bench.world import BIG_SLUG, MANAGER_EMAIL, MEMBER_EMAIL, QUALI_SLUG, counts_for
    from events.models import Meeting, Registration
    from members.matching import fold
    from members.models import Contact, Membership, Organisation
    from newsletters.models import Infobrief
    from qualification.models import Need, Topic
    from verbund.models import ManagerRole, Network

    n = counts_for(SCALE)
    assert Organisation.objects.count() == n["organisations"] == bench_world["organisations"]
    assert Contact.objects.count() == 3 * n["organisations"]
    assert not Organisation.objects.annotate(primary=Count("contacts", filter=Q(contacts__is_primary=True))).exclude(primary=1).exists()
    assert all(o.search_name == fold(o.name)[:200] and o.search_text for o in Organisation.objects.all())

    big = Network.objects.get(slug=BIG_SLUG)
    assert Network.objects.count() == n["networks"] + 1
    assert big.memberships.count() == n["organisations"]
    assert Membership.objects.count() == bench_world["memberships"] == n["organisations"] * 5 + n["matrix_organisations"]

    # Registrations: unique per meeting and person, people of the meeting network's members; the big meeting's many.
    assert Meeting.objects.count() == n["meetings"]
    outsiders = Registration.objects.exclude(
        Exists(Membership.objects.filter(network=OuterRef("meeting__network"), organisation=OuterRef("contact__organisation")))
    )
    assert not outsiders.exists()
    big_meeting = Meeting.objects.get(pk=bench_world["big_meeting"])
    assert big_meeting.network == big and big_meeting.registrations.count() >= n["big_meeting_registrations"] * 0.7
    assert Registration.objects.count() == bench_world["registrations"]
    assert Infobrief.objects.count() == n["infobriefe"]

    # The manager (with TOTP) runs the big network, the matrix network and more; the member has a portal login.
    roles = ManagerRole.objects.filter(user__email=MANAGER_EMAIL)
    assert roles.count() == min(20, n["networks"] + 1)
    assert roles.filter(network__slug__in=[BIG_SLUG, QUALI_SLUG]).count() == 2
    assert Authenticator.objects.filter(user__email=MANAGER_EMAIL, type=Authenticator.Type.TOTP).exists()
    member = Contact.objects.get(user__email=MEMBER_EMAIL)
    assert Membership.objects.current().filter(network=big, organisation=member.organisation).exists()

    quali = Network.objects.get(slug=QUALI_SLUG)
    assert Topic.objects.filter(network=quali).count() == 40
    assert quali.memberships.count() == n["matrix_organisations"]
    assert Need.objects.filter(network=quali).exists()
    assert not Need.objects.exclude(Exists(Membership.objects.filter(network=quali, organisation=OuterRef("organisation")))).exists()


def test_every_measured_page_answers_on_the_portal_and_the_bare_project(bench_world, settings):
    from django.test import Client

    from bench.bare.settings import TEMPLATES as BARE_TEMPLATES
    from bench.pages import DIRECTORY_PAGE_SIZE, pages
    from bench.probe import logged_in_client
    from bench.world import MANAGER_EMAIL, MEMBER_EMAIL
    from members.views.manage import PAGE_SIZE

    assert DIRECTORY_PAGE_SIZE == PAGE_SIZE, "the bare directory lists as many rows as the portal's"
    measured = pages(bench_world)
    assert {"health", "directory", "directory_search", "directory_deep", "org_detail", "network_start", "manager_start"} <= {p.name for p in measured}
    clients = {"manager": logged_in_client(MANAGER_EMAIL), "member": logged_in_client(MEMBER_EMAIL), "": Client()}
    for page in measured:
        headers = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in page.headers.items()}
        response = clients[page.who].get(page.path, **headers)
        assert response.status_code == 200, (page.name, page.path, response.status_code, response.get("Location"))

    settings.ROOT_URLCONF = "bench.bare.urls"
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], *BARE_TEMPLATES[0]["DIRS"]]}]
    bare = Client()
    for page in measured:
        headers = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in page.headers.items()}
        response = bare.get(page.bare, **headers)
        assert response.status_code == 200, (page.name, page.bare, response.status_code)
