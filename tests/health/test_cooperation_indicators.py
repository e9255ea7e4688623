"""Network health shows cooperation (issue 19): needs raised, matched, solved, round tables, projects, contacts —
on the indicators page, in its CSV and for one network only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperation import needs, outreach
from cooperation.models import NeedOffer
from health.indicators import figures, network_indicators

pytestmark = pytest.mark.django_db


def _cooperation(ind) -> dict[str, object]:
    return {f.label: f.value for f in figures(ind) if f.section == "cooperation"}


def test_the_health_view_counts_the_networks_cooperation_and_nothing_of_another(client, world):
    manager = world.users["manager_x"]
    need = needs.entry_create(
        network=world.network_x, organisation=world.org_a, by=manager, data={"kind": NeedOffer.Kind.NEED, "title": "Wir suchen Hilfe bei Fördermitteln"}
    )
    needs.match_decide(need=need, organisation=world.org_b, by=manager, confirm=True)
    outreach.contact_log_create(
        network=world.network_x,
        organisation=world.org_a,
        by=manager,
        data={"kind": "first_talk", "happened_on": timezone.localdate(), "contact": None, "summary": "Erstgespräch", "next_step": "", "next_step_due": None},
    )
    x = _cooperation(network_indicators(world.network_x, timezone.localdate().year))
    assert x["Gemeldete Bedarfe"] == 1 and x["Vermittelte Bedarfe"] == 1 and x["Gelöste Bedarfe"] == 0
    assert x["Kontakte der Geschäftsstelle"] == 1 and x["Erstgespräche"] == 1
    y = _cooperation(network_indicators(world.network_y, timezone.localdate().year))
    assert y["Gemeldete Bedarfe"] == 0 and y["Kontakte der Geschäftsstelle"] == 0

    client.force_login(manager)
    page = client.get(reverse("health:index", args=["netz-x"]))
    assert page.status_code == 200 and "Zusammenarbeit" in page.text and "Vermittelte Bedarfe" in page.text
    csv = client.get(reverse("health:csv", args=["netz-x"]))
    assert "Gemeldete Bedarfe" in csv.content.decode("utf-8-sig")
