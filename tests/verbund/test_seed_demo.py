from django.core.management import call_command

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
