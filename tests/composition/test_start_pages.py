"""The start pages' "Heute zu tun": an item's link leads where it is resolved, also for an action item without a meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import ActionItem

pytestmark = pytest.mark.django_db


def test_an_action_item_without_a_meeting_is_resolved_on_the_start_page_itself(client, world, manager_x):
    item = ActionItem.objects.create(network=world.network_x, title="Satzung prüfen", due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(manager_x)
    home = reverse("manage:network_home", args=["netz-x"])
    page = client.get(home)
    assert f'href="{home}#open-items"' in page.text
    done = reverse("events:action_item_done", args=["netz-x", item.pk])
    assert f'action="{done}"' in page.text  # the open items card has the button
    assert client.post(done).url == home
    page = client.get(home)
    assert "Satzung prüfen" not in page.text
    assert "Heute ist nichts offen" in page.text


def test_an_observer_reads_the_start_page_without_buttons(client, world):
    from tests.conftest import make_user
    from verbund.models import ManagerRole

    observer = make_user("observer@example.org")
    ManagerRole.objects.create(user=observer, network=world.network_x, role=ManagerRole.Role.OBSERVER)
    item = ActionItem.objects.create(network=world.network_x, title="Satzung prüfen", due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(observer)
    page = client.get(reverse("manage:network_home", args=["netz-x"]))
    assert "Satzung prüfen" in page.text  # in the open items card
    assert reverse("events:action_item_done", args=["netz-x", item.pk]) not in page.text
