from decimal import Decimal

from django.urls import reverse

from members.models import Contact, GovernancePosition
from verbund.models import FundingSource, ManagerRole, Network


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


def profile_data(**overrides) -> dict:
    data = {
        "name": "Netzwerk X",
        "kind": "network",
        "stage": "growth",
        "goals": "Neue Ziele",
        "rules_of_play": "Zwei Treffen im Jahr",
        "meetings_per_year": "4",
    }
    return {**data, **overrides}


def test_manager_edits_goals_rules_and_cadence(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(u("verbund:network_profile"), profile_data())
    assert response.status_code == 302
    world.network_x.refresh_from_db()
    assert (world.network_x.goals, world.network_x.meetings_per_year) == ("Neue Ziele", 4)
    assert world.network_x.history.first().history_user == manager_x


def test_parent_must_be_a_network_i_manage_and_no_cycle(client, world):
    manager = world.users["manager_xy"]
    client.force_login(manager)
    child = Network.objects.create(name="Teil von X", slug="teil-x", parent=world.network_x)
    ManagerRole.objects.create(user=manager, network=child)
    response = client.post(u("verbund:network_profile"), profile_data(parent=child.pk))
    assert response.status_code == 200
    assert "untergeordnet" in response.text
    world.network_x.refresh_from_db()
    assert world.network_x.parent is None
    client.force_login(world.users["manager_x"])  # does not manage Y: cannot pick it
    response = client.post(u("verbund:network_profile"), profile_data(parent=world.network_y.pk))
    assert response.status_code == 200
    world.network_x.refresh_from_db()
    assert world.network_x.parent is None


def test_funding_sources_give_the_self_financing_ratio(client, world, manager_x):
    client.force_login(manager_x)
    for kind, amount in [("public_programme", "60000"), ("member_fees", "30000"), ("paid_services", "10000")]:
        client.post(u("verbund:funding_source_add"), {"year": "2026", "kind": kind, "amount": amount})
    response = client.get(u("verbund:network_profile"))
    mix = next(m for m in response.context["mixes"] if m["year"] == 2026)
    assert mix["total"] == Decimal("100000") and mix["ratio"] == 40
    assert "40\xa0%" in response.text and "100.000,00\xa0€" in response.text  # verbund.formatting: German number and money


def test_bad_funding_input_is_explained_and_not_stored(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(
        u("verbund:funding_source_add"),
        {"year": "2026", "kind": "member_fees", "amount": "-5", "period_start": "2026-05-01", "period_end": "2026-01-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "größer oder gleich 0" in response.text
    assert not FundingSource.objects.exists()


def test_governance_positions_only_for_member_contacts(client, world, manager_x):
    client.force_login(manager_x)
    mine = Contact.objects.get(organisation=world.org_a)
    foreign = Contact.objects.get(organisation=world.org_c)
    client.post(u("directory:governance"), {"contact": mine.pk, "function": "chair"})
    assert GovernancePosition.objects.get().contact == mine
    response = client.post(u("directory:governance"), {"contact": foreign.pk, "function": "board"})
    assert response.status_code == 200
    assert GovernancePosition.objects.count() == 1
    assert "Vorsitz" in client.get(u("verbund:network_profile")).text


def test_observer_reads_the_profile_but_cannot_change_it(client, world, manager_x):
    ManagerRole.objects.filter(user=manager_x).update(role=ManagerRole.Role.OBSERVER)
    client.force_login(manager_x)
    assert client.get(u("verbund:network_profile")).status_code == 200
    assert client.post(u("verbund:network_profile"), profile_data(goals="geändert")).status_code == 403
    world.network_x.refresh_from_db()
    assert world.network_x.goals == "Ziel X-CANARY"


def test_profile_page_has_each_id_once_and_every_label_names_its_own_field(client, world, manager_x):
    """The funding form sits below the profile form and has fields of the same names (kind, name): its own ids."""
    from tests.qualification.html_ids import id_problems

    client.force_login(manager_x)
    FundingSource.objects.create(network=world.network_x, year=2026, kind="member_fees", name="Beiträge", amount=Decimal("10"))
    page = client.get(u("verbund:network_profile")).text
    assert id_problems(page) == []
    assert 'for="funding_kind"' in page and 'id="funding_kind"' in page  # the funding form's label names its own field
    assert 'for="id_kind"' in page and 'id="id_kind"' in page  # and the profile form keeps its own
    # A refused profile is shown again with its errors: still each id once.
    refused = client.post(u("verbund:network_profile"), profile_data(meetings_per_year="99")).text
    assert "kleiner oder gleich 52" in refused
    assert id_problems(refused) == []


def test_funding_form_with_its_own_ids_still_stores_a_source(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(u("verbund:funding_source_add"), {"year": "2026", "kind": "member_fees", "name": "Beiträge", "amount": "250"})
    assert response.status_code == 302
    assert FundingSource.objects.get(network=world.network_x).name == "Beiträge"


def test_documentation_settings_page_has_each_id_once(client, world, manager_x):
    from tests.qualification.html_ids import id_problems

    client.force_login(manager_x)
    page = client.get(u("verbund:network_documentation")).text
    assert id_problems(page) == []
    assert 'for="logo_name"' in page and 'id="logo_name"' in page
    # A refused logo (no file) comes back with the imprint form beside it.
    refused = client.post(u("verbund:network_logo_add"), {"role": "funder", "name": "Land"})
    assert refused.status_code == 400
    assert id_problems(refused.text) == []
    ManagerRole.objects.filter(user=manager_x).update(role=ManagerRole.Role.OBSERVER)
    assert id_problems(client.get(u("verbund:network_documentation")).text) == []
