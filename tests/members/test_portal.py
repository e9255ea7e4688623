from django.urls import reverse

from members.models import Membership


def test_member_sees_own_company_and_networks(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("members:portal_home"))
    assert response.status_code == 200
    assert "Alpha GmbH" in response.text
    assert "Netzwerk X" in response.text
    assert "Beta KG" not in response.text
    assert "Netzwerk Y" not in response.text


def test_member_reads_goals_and_rules_of_own_network(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("members:portal_network", kwargs={"network_slug": "netz-x"}))
    assert response.status_code == 200
    assert "Ziel X-CANARY" in response.text
    assert "Regel X" in response.text


def test_member_of_other_network_gets_404(client, world):
    client.force_login(world.users["member_c_y"])
    response = client.get(reverse("members:portal_network", kwargs={"network_slug": "netz-x"}))
    assert response.status_code == 404
    assert "X-CANARY" not in response.text


def test_former_member_loses_the_network_page(client, world, member_a_x):
    Membership.objects.filter(organisation=world.org_a).update(status=Membership.Status.LEFT)
    client.force_login(member_a_x)
    assert client.get(reverse("members:portal_network", kwargs={"network_slug": "netz-x"})).status_code == 404


def test_manager_without_contact_may_not_use_the_portal(client, world, manager_x):
    client.force_login(manager_x)
    assert client.get(reverse("members:portal_home")).status_code == 403


def test_size_class_follows_the_eu_definition(world):
    from decimal import Decimal

    org = world.org_a
    org.employees, org.turnover = 12, Decimal("1500000")
    assert org.size_class == "small"
    org.employees = 8
    assert org.size_class == "micro"
    org.employees, org.turnover, org.balance_sheet_total = 240, Decimal("60000000"), Decimal("40000000")
    assert org.size_class == "medium"  # balance sheet within the limit is enough
    org.balance_sheet_total = Decimal("45000000")
    assert org.size_class == "large"
    org.employees = None
    assert org.size_class == "unknown"


def test_a_removed_contact_loses_portal_access(client, world, member_a_x):
    from django.utils import timezone

    contact = member_a_x.contact
    contact.archived_at = timezone.now()
    contact.save()
    client.force_login(member_a_x)
    assert client.get(reverse("members:portal_home")).status_code == 403
