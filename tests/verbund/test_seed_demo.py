import io

from django.core.management import call_command
from django.utils import timezone

from members.models import Contact, Membership, Organisation
from verbund.models import ManagerRole, Network, User


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (User, Network, ManagerRole, Organisation, Contact, Membership))


def test_seed_demo_builds_the_workshop_world_and_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first

    windwest = Network.objects.get(slug="windwest")
    assert 40 <= Membership.objects.filter(network=windwest, organisation__kind=Organisation.Kind.COMPANY).count() <= 46
    assert windwest.parent.slug == "energieland-2050"

    bioel = Membership.objects.filter(network__slug="ag-biooel")
    assert bioel.filter(role=Membership.Role.MANUFACTURER).count() == 4
    assert bioel.filter(role=Membership.Role.RESEARCH).count() == 2
    assert bioel.filter(role=Membership.Role.SUPPLIER).count() == 2
    assert {Membership.Role.USER, Membership.Role.CONSULTANT, Membership.Role.MULTIPLIER} <= set(bioel.values_list("role", flat=True))
    assert Network.objects.get(slug="ag-biooel").legal_form == ""

    assert 28 <= Membership.objects.filter(network__slug="erga-qualifizierung").count() <= 32

    manager = User.objects.get(email="manager@verbund.example")
    assert manager.manager_roles.count() == 2
    member = User.objects.get(email="mitglied@verbund.example")
    assert member.contact.organisation.memberships.filter(network=windwest).exists()
    assert User.objects.get(email="admin@verbund.example").is_staff
    assert all(len(o.postcode) == 5 for o in Organisation.objects.all())


def test_seed_demo_contains_the_2013_transfer_workshop(db):
    from events.models import Meeting

    call_command("seed_demo", verbosity=0)
    workshop = Meeting.objects.get(title__startswith="Cluster – Netzwerke")
    assert workshop.agenda_items.filter(speaker="Judith Terstriep").exists()
    assert workshop.minutes.filter(kind="question").count() == 2
    assert Meeting.objects.filter(network__slug="windwest", starts_at__gte=workshop.starts_at).exclude(pk=workshop.pk).exists()


def test_seed_demo_fills_the_qualification_network(db):
    from qualification import courses, matrix
    from qualification.checks_service import rounds_visible_to
    from qualification.models import CheckRound, Course, Need, Topic

    call_command("seed_demo", stdout=io.StringIO())
    erga = Network.objects.get(slug="erga-qualifizierung")
    assert Topic.objects.filter(network=erga).count() == 8
    assert Need.objects.filter(network=erga, priority__gte=1).count() >= 28  # every member states at least one need
    assert matrix.proposals(erga), "the demo should show the Verbundabstimmung at work"
    assert courses.open_proposals(erga, timezone.localdate().year)  # something left to decide
    held = Course.objects.get(network=erga, status="held", title__startswith="Führen")
    assert held.documentation_published_at and held.enrolments.exists() and held.sessions.get().attendances.exists()
    check = CheckRound.objects.get(network=erga, organisation__contacts__email="mitglied@verbund.example")
    assert check.status == "completed"
    quali_manager = User.objects.get(email="qualifizierung@verbund.example")
    assert rounds_visible_to(quali_manager, erga).filter(pk=check.pk).exists()
