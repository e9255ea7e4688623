"""Duplicates: one matching service for the create forms and the network's "Dubletten" page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Organisation


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def manager(client, manager_x):
    client.force_login(manager_x)
    return manager_x


def org_post(name: str, **extra: str) -> dict[str, str]:
    return {
        "name": name,
        "kind": "company",
        "street": "Hauptstr. 5",
        "postcode": "48431",
        "municipality": "Rheine",
        "activity_version": "2008",
        "share_in_directory": "on",
        "role": "user",
        "status": "active",
    } | extra


def test_mueller_is_not_created_twice_without_a_warning(client, world, manager):
    assert client.post(u("directory:organisation_create"), org_post("Müller GmbH")).status_code == 302
    response = client.post(u("directory:organisation_create"), org_post("Mueller GmbH & Co. KG", street="Hauptstraße 5"))
    assert response.status_code == 200
    assert "Mögliche Dublette" in response.text
    assert "Müller GmbH" in response.text
    assert Organisation.objects.filter(name__icontains="ller").count() == 1
