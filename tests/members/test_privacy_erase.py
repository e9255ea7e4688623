"""D-2: erasing a person removes them everywhere the portal controls, except a documented hashed tombstone."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members import privacy
from members.models import Consent, Contact, ErasureTombstone, GovernancePosition, Invitation, Organisation
from members.privacy import ERASED_NAME, is_erased, person_erase
from members.services import consent_grant, consent_withdraw, contact_create, contact_update, governance_assign
from tests.conftest import make_user
from verbund.models import User

pytestmark = pytest.mark.anchor("D-2")

CANARY = "ZZCANARYZZ"
PHONE_DIGITS = "9876543"
CONTACT_EMAIL = "zzcanaryzz@example.org"
LOGIN_EMAIL = "zzcanaryzz.login@example.org"


def canary_hits(*needles: str) -> dict[str, int]:
    """Rows per `app.Model.field` whose text (char, text, email, URL, slug, JSON) contains a needle, in every table."""
    hits: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                continue
            query = Q()
            for needle in needles:
                query |= Q(**{f"{field.attname}__icontains": needle})
            if count := model._base_manager.filter(query).count():
                hits[f"{model._meta.label}.{field.name}"] = count
    return hits


@pytest.fixture
def person(world, client):
    """A person of organisation A with the canary in every place the portal keeps about people."""
    manager, staff = world.users["manager_x"], world.users["staff"]
    user = make_user(LOGIN_EMAIL)
    user.first_name, user.last_name = f"Login-{CANARY}", f"Konto-{CANARY}"
    user.save()
    contact = contact_create(
        organisation=world.org_a,
        by=manager,
        data={
            "salutation": "ms",
            "title": f"Dr. {CANARY}"[:50],
            "first_name": f"Vor-{CANARY}",
            "last_name": f"Nach-{CANARY}",
            "function": f"Alt-{CANARY}",
            "email": CONTACT_EMAIL.upper(),
            "phone": f"05971 {PHONE_DIGITS}",
        },
    )
    contact_update(contact=contact, by=manager, data={"function": f"Neu-{CANARY}"})  # an older value lives in the history
    contact.user = user
    contact.save(update_fields=["user"])
    consent_grant(
        contact=contact,
        network=world.network_x,
        purpose=Consent.Purpose.NEWSLETTER,
        source=Consent.Source.PORTAL,
        by=user,
        evidence=f"IP 203.0.113.77, Formular {CANARY}",
    )
    consent_withdraw(contact=contact, network=world.network_x, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.EMAIL, by=user)
    consent_grant(
        contact=contact, network=world.network_x, purpose=Consent.Purpose.PHOTOS, source=Consent.Source.PAPER, by=manager, evidence=f"Aktenzeichen {CANARY}"
    )
    governance_assign(network=world.network_x, contact=contact, function="board", by=manager, since=date(2024, 5, 1))
    Invitation.objects.create(
        contact=contact,
        network=world.network_x,
        email=CONTACT_EMAIL,
        token_hash="f" * 64,
        invited_by=manager,
        expires_at=timezone.now() + timedelta(days=7),
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=contact.full_name,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Funktion"]}}]),
    )
    LogEntry.objects.create(  # what an inline edit in the organisation's admin leaves behind
        user=staff,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=str(world.org_a.pk),
        object_repr=world.org_a.name,
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "Kontakt", "object": contact.full_name}}, {"changed": {"fields": ["Kurzprofil"]}}]),
    )
    client.force_login(user)  # a session of this person
    contact.refresh_from_db()
    return contact


def test_before_erasure_the_scan_finds_the_person_everywhere(person):
    """Control: the scan below sees the canary in every place it was put."""
    hits = canary_hits(CANARY, PHONE_DIGITS, "zzcanaryzz")
    assert {
        "members.Contact.first_name",
        "members.Contact.phone",
        "members.Contact.email",
        "members.HistoricalContact.function",
        "members.Consent.evidence",
        "members.HistoricalConsent.evidence",
        "members.Invitation.email",
        "verbund.User.email",
        "verbund.HistoricalUser.first_name",
        "account.EmailAddress.email",
        "admin.LogEntry.object_repr",
        "admin.LogEntry.change_message",
    } <= set(hits)


def test_after_erasure_no_table_holds_the_person(world, person, client):
    staff = world.users["staff"]
    contacts, consents = Contact.objects.count(), Consent.objects.count()
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    tombstone = person_erase(contact=person, by=staff)

    assert canary_hits(CANARY, PHONE_DIGITS, "zzcanaryzz") == {}
    assert Contact.objects.count() == contacts
    assert Consent.objects.count() == consents
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not User.objects.filter(email=LOGIN_EMAIL).exists()
    assert not EmailAddress.objects.filter(email=LOGIN_EMAIL).exists()
    assert not GovernancePosition.objects.filter(contact=person).exists()
    assert not GovernancePosition.history.filter(contact_id=person.pk).exists()
    assert not Invitation.objects.filter(contact=person).exists()
    assert tombstone.erased_by == staff
    expected = hmac.new(settings.SECRET_KEY.encode(), CONTACT_EMAIL.encode(), hashlib.sha256).hexdigest()
    assert tombstone.email_hash == expected


def test_the_contact_and_its_consents_stay_for_the_statistics(world, person):
    before = list(
        Consent.objects.filter(contact=person)
        .order_by("pk")
        .values("purpose", "network", "granted_at", "withdrawn_at", "source", "text_version", "withdrawal_source")
    )
    person_erase(contact=person, by=world.users["staff"])
    person.refresh_from_db()
    assert person.last_name == ERASED_NAME
    assert (person.first_name, person.title, person.function, person.email, person.phone, person.salutation) == ("", "", "", "", "", "")
    assert person.user is None
    assert person.organisation == world.org_a
    after = list(
        Consent.objects.filter(contact=person)
        .order_by("pk")
        .values("purpose", "network", "granted_at", "withdrawn_at", "source", "text_version", "withdrawal_source")
    )
    assert after == before
    assert set(Consent.objects.filter(contact=person).values_list("evidence", flat=True)) == {""}


def test_the_erasure_itself_is_in_the_history_by_whom(world, person):
    staff = world.users["staff"]
    person_erase(contact=person, by=staff)
    [entry] = Contact.history.filter(id=person.pk)
    assert entry.last_name == ERASED_NAME
    assert entry.history_user == staff


def test_other_people_are_untouched(world, person):
    colleague = Contact.objects.get(last_name="member_a_x")
    history = Contact.history.filter(id=colleague.pk).count()
    person_erase(contact=person, by=world.users["staff"])
    colleague.refresh_from_db()
    assert colleague.email == "member_a_x@example.org"
    assert colleague.user == world.users["member_a_x"]
    assert Contact.history.filter(id=colleague.pk).count() == history
    assert User.objects.filter(email="member_b_x@example.org").exists()
    assert LogEntry.objects.filter(object_repr="Alpha GmbH").exists()


def test_is_erased_knows_both_addresses_in_any_spelling(world, person):
    assert not is_erased(CONTACT_EMAIL)
    person_erase(contact=person, by=world.users["staff"])
    assert is_erased(CONTACT_EMAIL)
    assert is_erased(f"  {CONTACT_EMAIL.upper()} ")
    assert is_erased(LOGIN_EMAIL)
    assert not is_erased("member_a_x@example.org")
    assert not is_erased("")


def test_is_erased_survives_a_key_rotation(world, person, settings):
    old_key = settings.SECRET_KEY
    person_erase(contact=person, by=world.users["staff"])
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "y" * 40, [old_key]
    assert is_erased(CONTACT_EMAIL)


def test_erasing_twice_is_harmless(world, person):
    first = person_erase(contact=person, by=world.users["staff"])
    person_erase(contact=person, by=world.users["staff"])
    assert ErasureTombstone.objects.filter(pk=first.pk).exists()
    assert canary_hits(CANARY, PHONE_DIGITS, "zzcanaryzz") == {}


def test_a_person_without_email_or_login_can_be_erased(world):
    contact = Contact.objects.create(organisation=world.org_b, last_name=f"Ohne-{CANARY}")
    tombstone = person_erase(contact=contact, by=world.users["staff"])
    assert tombstone.pk
    assert canary_hits(CANARY) == {}


def test_a_failure_midway_changes_nothing(world, person, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_scrub_admin_log", broken)
    with pytest.raises(RuntimeError):
        person_erase(contact=person, by=world.users["staff"])
    person.refresh_from_db()
    assert person.email == CONTACT_EMAIL
    assert User.objects.filter(email=LOGIN_EMAIL).exists()
    assert not ErasureTombstone.objects.exists()


# --- the admin action -------------------------------------------------------------


def _changelist() -> str:
    return reverse("admin:members_contact_changelist")


def test_staff_confirms_then_the_person_is_erased(client, world, person):
    client.force_login(world.users["staff"])
    response = client.post(_changelist(), {"action": "erase_persons", "_selected_action": [person.pk]})
    assert response.status_code == 200
    assert "Nach-ZZCANARYZZ" in response.text  # the confirmation page names who will be erased
    assert 'name="post" value="yes"' in response.text
    person.refresh_from_db()
    assert person.email == CONTACT_EMAIL  # nothing happened yet

    response = client.post(_changelist(), {"action": "erase_persons", "_selected_action": [person.pk], "post": "yes"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == ERASED_NAME
    assert is_erased(CONTACT_EMAIL)
    assert canary_hits(CANARY, PHONE_DIGITS, "zzcanaryzz") == {}  # incl. the admin log entry of the action


def test_the_action_is_offered_only_with_delete_permission(client, world, person):
    clerk = make_user("clerk@example.org")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    client.force_login(clerk)
    page = client.get(_changelist())
    assert page.status_code == 200
    assert "erase_persons" not in page.text
    client.post(_changelist(), {"action": "erase_persons", "_selected_action": [person.pk], "post": "yes"})
    person.refresh_from_db()
    assert person.email == CONTACT_EMAIL

    clerk.user_permissions.add(Permission.objects.get(codename="delete_contact"))
    clerk = User.objects.get(pk=clerk.pk)  # drop the permission cache
    client.force_login(clerk)
    assert "erase_persons" in client.get(_changelist()).text


def test_only_a_superuser_may_erase_a_person_with_an_admin_login(client, world):
    clerk = make_user("clerk@example.org")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "delete_contact"]))
    admin_user = make_user("boss@example.org", staff=True)
    admin_contact = Contact.objects.create(organisation=world.org_a, last_name="Boss", email="boss@example.org", user=admin_user)
    client.force_login(clerk)
    response = client.post(_changelist(), {"action": "erase_persons", "_selected_action": [admin_contact.pk], "post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_jobs_and_export_files_forget_the_person(world, person, settings, tmp_path):
    """D-2 for stored files: an export listing the person is removed, import rows naming them are emptied."""
    from django.core.files.base import ContentFile

    from verbund.models import BackgroundJob

    settings.MEDIA_ROOT = tmp_path
    manager = world.users["manager_x"]
    upload = BackgroundJob.objects.create(
        user=manager,
        network=world.network_x,
        kind="import",
        status="failed",
        title="Import",
        params={"rows": [["Alpha GmbH", CONTACT_EMAIL]]},
        errors=[{"line": 2, "message": f"Nach-{CANARY} doppelt"}],
    )
    export = BackgroundJob.objects.create(user=manager, network=world.network_x, kind="export", status="done", title="Export")
    export.result_file.save("mitglieder.csv", ContentFile(f"Alpha GmbH;{CONTACT_EMAIL}".encode()), save=True)
    rejected = BackgroundJob.objects.create(user=manager, network=world.network_x, kind="import", status="done", title="Import, abgelehnte Zeilen")
    rejected.result_file.save("abgelehnt.xlsx", ContentFile(f"Alpha GmbH;{CONTACT_EMAIL};Fehler".encode()), save=True)
    other = BackgroundJob.objects.create(user=manager, network=world.network_y, kind="export", status="done", title="Export Y")
    other.result_file.save("y.csv", ContentFile(b"Gamma AG"), save=True)

    person_erase(contact=person, by=world.users["staff"])

    upload.refresh_from_db()
    export.refresh_from_db()
    other.refresh_from_db()
    assert upload.params == {} and upload.errors == []
    rejected.refresh_from_db()
    assert export.result_file.name == "" and rejected.result_file.name == ""
    assert other.result_file.name != ""  # network Y never had the person
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert CONTACT_EMAIL.encode() not in stored and CANARY.encode() not in stored


def test_d2_a_person_in_every_place_leaves_no_trace_in_any_table_or_stored_file(world, person, settings, tmp_path, anchor):
    """The anchor's figure: the person of the fixture (contact, login, consents, history, governance, invitation, admin log,
    session) also registered for a meeting (and once as a guest), gave feedback, was invited, owns an action item, got an
    Infobrief, reads another network's Infobrief as a subscriber, is on a suppression list, and appears in an export file and
    in an import's rows. After erasure: no text column of any table and no stored file holds any of her strings."""
    from django.core.files.base import ContentFile

    from events import services as event_services
    from events.models import ActionItem, InvitationRecipient, Meeting, MeetingInvitation, Registration, SatisfactionResponse
    from newsletters.models import Delivery, Subscriber, Suppression
    from tests.newsletters import factories
    from verbund.models import BackgroundJob

    settings.MEDIA_ROOT = tmp_path
    manager = world.users["manager_x"]
    day = timezone.localdate() - timedelta(days=3)
    meeting = Meeting.objects.create(
        network=world.network_x, title="Arbeitstreffen", starts_at=event_services.meeting_at(day, 9), ends_at=event_services.meeting_at(day, 12)
    )
    registration = Registration.objects.create(meeting=meeting, contact=person, status="attended", consent_photos=True)
    Registration.objects.create(meeting=meeting, guest_name=f"Gast {CANARY}", guest_email=CONTACT_EMAIL, guest_organisation=f"Firma {CANARY}")
    SatisfactionResponse.objects.create(meeting=meeting, registration=registration, score=4, comment=f"Gut, sagt {CANARY}")
    InvitationRecipient.objects.create(invitation=MeetingInvitation.objects.create(meeting=meeting), contact=person, email=CONTACT_EMAIL)
    ActionItem.objects.create(network=world.network_x, meeting=meeting, title="Angebot einholen", owner=person)
    Delivery.objects.create(infobrief=factories.infobrief(world.network_x), email=CONTACT_EMAIL, contact=person, status="sent", sent_at=timezone.now())
    now = timezone.now()
    Subscriber.objects.create(
        network=world.network_y,
        email=CONTACT_EMAIL,
        name=f"Leserin {CANARY}",
        status="confirmed",
        requested_at=now,
        confirmed_at=now,
        consent_text="x",
        consent_version=1,
    )
    Suppression.objects.create(network=world.network_x, email=CONTACT_EMAIL, reason="unsubscribed")
    export = BackgroundJob.objects.create(user=manager, network=world.network_x, kind="export", status="done", title="Export")
    export.result_file.save("mitglieder.csv", ContentFile(f"Alpha GmbH;Vor-{CANARY};{CONTACT_EMAIL}".encode()), save=True)
    BackgroundJob.objects.create(
        user=manager, network=world.network_x, kind="import", status="failed", title="Import", params={"rows": [["Alpha GmbH", CONTACT_EMAIL]]}
    )
    other = BackgroundJob.objects.create(user=world.users["manager_y"], network=world.network_y, kind="export", status="done", title="Export Y")
    other.result_file.save("y.csv", ContentFile(b"Gamma AG;kontakt@gamma.example"), save=True)  # stays: it never named her
    from cooperation.models import ContactLogEntry

    ContactLogEntry.objects.create(  # the office's contact log (cooperation.outreach) names her in its texts
        network=world.network_x,
        organisation=world.org_a,
        contact=person,
        happened_on=day,
        summary=f"Anruf bei Nach-{CANARY}",
        next_step=f"Vor-{CANARY} zurückrufen",
    )
    places = 24  # the fixture's 12 (see the control test) and the 12 above
    needles = (CANARY, PHONE_DIGITS, "zzcanaryzz")
    before = canary_hits(*needles)
    assert {"events.Registration.guest_name", "events.SatisfactionResponse.comment", "newsletters.Delivery.email", "newsletters.Subscriber.name"} <= set(before)
    assert {"cooperation.ContactLogEntry.summary", "cooperation.ContactLogEntry.next_step"} <= set(before)

    tombstone = person_erase(contact=person, by=world.users["staff"])

    hits = canary_hits(*needles)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    file_hits = [p.name for p in files if any(n.encode() in p.read_bytes().lower() for n in ("zzcanaryzz", PHONE_DIGITS))]
    columns = sum(
        1
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    )
    anchor(places=places, canary_hits=sum(hits.values()) + len(file_hits), columns=columns, files=len(files))
    assert hits == {} and file_hits == [] and len(files) == 1
    assert tombstone.email_hash and CANARY not in tombstone.email_hash  # the tombstone: a keyed hash, nothing readable
    assert Registration.objects.filter(meeting=meeting).count() == 2  # the meeting's figures stay, anonymous
    person.refresh_from_db()
    assert person.first_name == ERASED_NAME or ERASED_NAME in person.full_name  # the action item now names nobody
