import pytest
from django.urls import reverse

from verbund.models import ManagerRole, Network


def network_home(network: Network) -> str:
    return reverse("manage:network_home", kwargs={"network_slug": network.slug})


def test_manager_sees_own_network_start_page(client, world, manager_x):
    client.force_login(manager_x)
    response = client.get(network_home(world.network_x))
    assert response.status_code == 200
    assert "Ziel X-CANARY" in response.text
    assert "Alpha GmbH" in response.text


def test_outsider_gets_404(client, world, manager_y):
    client.force_login(manager_y)
    response = client.get(network_home(world.network_x))
    assert response.status_code == 404
    assert "X-CANARY" not in response.text


def test_unknown_network_and_foreign_network_look_the_same(client, world, manager_y):
    client.force_login(manager_y)
    foreign = client.get(network_home(world.network_x))
    missing = client.get(reverse("manage:network_home", kwargs={"network_slug": "gibt-es-nicht"}))
    assert foreign.status_code == missing.status_code == 404


def test_archived_network_is_gone_for_its_managers(client, world, manager_x):
    from django.utils import timezone

    world.network_x.archived_at = timezone.now()
    world.network_x.save(update_fields=["archived_at"])
    client.force_login(manager_x)
    assert client.get(network_home(world.network_x)).status_code == 404


def test_manager_index_lists_only_own_networks_with_member_counts(client, world, manager_x):
    client.force_login(manager_x)
    response = client.get(reverse("manage:index"))
    assert response.status_code == 200
    assert "Netzwerk X" in response.text
    assert "Netzwerk Y" not in response.text
    assert [r.member_count for r in response.context["roles"]] == [2]


def test_member_user_may_not_use_manager_pages(client, world, member_a_x):
    client.force_login(member_a_x)
    assert client.get(reverse("manage:index")).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(network_home(world.network_x))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_roles_are_asked_by_intent():
    assert ManagerRole.Role.MANAGER.can_manage
    assert ManagerRole.Role.OFFICE.can_manage
    assert not ManagerRole.Role.OBSERVER.can_manage


@pytest.mark.parametrize(
    ("persona", "target"),
    [("manager_x", "manage:index"), ("manager_xy", "manage:index"), ("member_a_x", "members:portal_home")],
)
def test_home_sends_each_user_to_their_start_page(client, world, persona, target):
    client.force_login(world.users[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_user_without_any_role_gets_a_friendly_page(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "keinem Verbund" in response.text


def test_network_home_narrows_newest_members_by_status(client, world, manager_x):
    from members.models import Membership

    Membership.objects.filter(organisation=world.org_b).update(status=Membership.Status.PAUSED)
    client.force_login(manager_x)
    response = client.get(network_home(world.network_x), {"status": "paused"})
    assert response.status_code == 200
    recent = [m.organisation.name for m in response.context["recent_memberships"]]
    assert recent == ["Beta KG"]
    assert "Zuletzt aufgenommen: Ruhend" in response.text


def test_htmx_gets_only_the_member_list_fragment(client, world, manager_x):
    client.force_login(manager_x)
    response = client.get(network_home(world.network_x), {"status": "active"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section aria-labelledby="recent-heading"')
    assert "<html" not in response.text
    assert "Alpha GmbH" in response.text
    assert "HX-Request" in response["Vary"]


def test_unknown_status_shows_everyone_instead_of_failing(client, world, manager_x):
    client.force_login(manager_x)
    response = client.get(network_home(world.network_x), {"status": "<script>"})
    assert response.status_code == 200
    assert len(response.context["recent_memberships"]) == 2
    assert "<script>" not in response.text
