"""DSGVO self-service: a member downloads everything the portal holds about their organisation, and nothing else."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from members.models import Consent, Contact, Invitation, Membership
from members.privacy import organisation_data_export
from members.services import consent_grant, consent_withdraw, governance_assign, membership_change_status

# Strings that belong to organisations B and C (and to network Y, where A is no member).
FOREIGN = ["Beta KG", "Gamma AG", "member_b_x", "member_c_y", "B-CANARY", "C-CANARY", "Netzwerk Y", "X-CANARY", "Y-CANARY"]


def _fill(world, org, network, tag: str, manager) -> Contact:
    """Give an organisation a second person with consent, governance position, invitation and a status change."""
    org.profile = f"Profil {tag}"
    org.competencies = f"Kompetenz {tag}"
    org.save()
    person = Contact.objects.create(
        organisation=org,
        salutation=Contact.Salutation.MS,
        title="Dr.",
        first_name="Erika",
        last_name=f"Person-{tag}",
        function=f"Leitung {tag}",
        email=f"{tag.lower()}@example.org",
        phone="+49 5971 123456",
    )
    consent_grant(contact=person, network=network, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.PAPER, by=manager, evidence=f"Formular {tag}")
    consent_withdraw(contact=person, network=network, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.EMAIL, by=manager)
    governance_assign(network=network, contact=person, function="chair", by=manager, since=date(2025, 1, 1))
    Invitation.objects.create(
        contact=person,
        network=network,
        email=f"invite-{tag.lower()}@example.org",
        token_hash=f"{tag}-tokenhash".ljust(64, "0"),
        invited_by=manager,
        expires_at=timezone.now() + timedelta(days=7),
    )
    membership = Membership.objects.get(organisation=org, network=network)
    membership_change_status(membership=membership, to_status=Membership.Status.PAUSED, by=manager, note=f"Pause {tag}")
    return person


@pytest.fixture
def filled(world):
    manager_x, manager_y = world.users["manager_x"], world.users["manager_y"]
    return {
        "a": _fill(world, world.org_a, world.network_x, "A-CANARY", manager_x),
        "b": _fill(world, world.org_b, world.network_x, "B-CANARY", manager_x),
        "c": _fill(world, world.org_c, world.network_y, "C-CANARY", manager_y),
    }


def test_the_export_holds_profile_contacts_consents_memberships_and_history(world, filled):
    data = organisation_data_export(organisation=world.org_a)
    assert data["organisation"]["name"] == "Alpha GmbH"
    assert data["organisation"]["profile"] == "Profil A-CANARY"
    people = {person["last_name"]: person for person in data["contacts"]}
    assert set(people) == {"member_a_x", "Person-A-CANARY"}
    person = people["Person-A-CANARY"]
    assert (person["title"], person["function"], person["email"], person["phone"]) == (
        "Dr.",
        "Leitung A-CANARY",
        "a-canary@example.org",
        "+49 5971 123456",
    )
    [consent] = person["consents"]
    assert consent["purpose"] == "newsletter"
    assert consent["source"] == "paper"
    assert consent["text_version"]
    assert consent["evidence"] == "Formular A-CANARY"
    assert consent["withdrawal_source"] == "email"
    assert datetime.fromisoformat(consent["withdrawn_at"]) >= datetime.fromisoformat(consent["granted_at"])
    assert person["governance_positions"] == [
        {"network": {"name": "Netzwerk X", "slug": "netz-x"}, "function": "chair", "function_label": "Vorsitz", "since": "2025-01-01", "until": None}
    ]
    assert [invitation["email"] for invitation in person["invitations"]] == ["invite-a-canary@example.org"]
    assert person["login"] is None
    login = people["member_a_x"]["login"]
    assert login["email"] == "member_a_x@example.org"
    assert {"first_name", "last_name", "last_login", "date_joined"} <= set(login)
    [membership] = data["memberships"]
    assert membership["network"]["slug"] == "netz-x"
    assert membership["status"] == "paused"
    assert [(step["from_status"], step["to_status"], step["note"]) for step in membership["status_history"]] == [("active", "paused", "Pause A-CANARY")]


def test_the_export_is_json_with_iso_dates_and_without_secrets(world, filled, member_a_x):
    member_a_x.last_login = timezone.now()
    member_a_x.save(update_fields=["last_login"])
    data = organisation_data_export(organisation=world.org_a)
    text = json.dumps(data)  # no custom encoder needed
    assert json.loads(text) == data
    assert "tokenhash" not in text and "token_hash" not in text
    assert "password" not in text and "md5$" not in text
    login = next(p["login"] for p in data["contacts"] if p["login"])
    datetime.fromisoformat(login["last_login"])
    datetime.fromisoformat(data["generated_at"])


def test_the_export_of_a_holds_nothing_of_b_or_c(world, filled):
    text = json.dumps(organisation_data_export(organisation=world.org_a), ensure_ascii=False)
    assert [canary for canary in FOREIGN if canary in text] == []
    assert "A-CANARY" in text  # the check would see a canary


# --- the pages ------------------------------------------------------------------


def test_the_overview_explains_and_links_the_three_downloads(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 200
    assert "<h1>Datenauskunft</h1>" in response.text
    for name in ("privacy:export_json", "privacy:export_html", "privacy:export_pdf"):
        assert f'href="{reverse(name)}"' in response.text
    assert "no-store" in response["Cache-Control"]


def test_json_download_is_an_attachment_with_the_own_organisation(client, world, filled, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("privacy:export_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "alpha-gmbh" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["organisation"]["name"] == "Alpha GmbH"
    assert [canary for canary in FOREIGN if canary in response.content.decode()] == []


def test_the_readable_page_shows_the_own_data_only(client, world, filled, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("privacy:export_html"))
    assert response.status_code == 200
    main = response.text[response.text.index("<main") : response.text.index("</main>")]
    assert "Alpha GmbH" in main
    assert "Formular A-CANARY" in main
    assert "invite-a-canary@example.org" in main
    assert [canary for canary in FOREIGN if canary in main] == []


def test_the_pdf_is_a_pdf_with_the_own_data_only(client, world, filled, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("privacy:export_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = text.replace("\n", "")  # table cells wrap long words
    assert "Alpha GmbH" in text
    assert "Formular A-CANARY" in flat
    assert [canary for canary in FOREIGN if canary in text or canary in flat] == []
    assert dict(reader.attachments) == {}


def test_each_member_gets_their_own_organisation(client, world, filled):
    client.force_login(world.users["member_c_y"])
    data = json.loads(client.get(reverse("privacy:export_json")).content)
    assert data["organisation"]["name"] == "Gamma AG"
    assert {m["network"]["slug"] for m in data["memberships"]} == {"netz-y"}
    text = json.dumps(data, ensure_ascii=False)
    assert "Alpha GmbH" not in text and "A-CANARY" not in text and "B-CANARY" not in text


@pytest.mark.parametrize("name", ["privacy:overview", "privacy:export_json", "privacy:export_html", "privacy:export_pdf"])
def test_users_without_a_member_contact_get_403_and_anonymous_the_login(client, world, name):
    assert client.get(reverse(name)).status_code == 302
    for persona in ("manager_x", "staff"):
        client.force_login(world.users[persona])
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert b"Alpha GmbH" not in response.content


def test_a_member_of_a_trashed_organisation_gets_nothing(client, world, member_a_x):
    world.org_a.archived_at = timezone.now()
    world.org_a.save(update_fields=["archived_at"])
    client.force_login(member_a_x)
    assert client.get(reverse("privacy:export_json")).status_code == 403
