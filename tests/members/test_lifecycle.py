"""The lawful lifecycle: the 30-day purge keeps the trash page's promise, a network manager erases a person (Art. 17),
and a page per network says what is kept how long.

The clock is moved by patching `django.utils.timezone.now` (neither time-machine nor freezegun is installed); the purge
runs through the Celery task function that beat calls.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.models import Meeting, Registration
from members import privacy, services, tasks
from members.models import Consent, Contact, ErasureTombstone, Invitation, Membership, Organisation
from members.privacy import ERASED_NAME, is_erased, mail_files
from members.services import TRASH_DAYS, consent_grant, contact_create, contact_trash, contact_update, membership_trash
from tests.conftest import make_user
from tests.members.test_privacy_erase import canary_hits
from verbund.models import ManagerRole, User

CANARY = "QQLIFEQQ"
EMAIL = "qqlifeqq@example.org"
PHONE = "05971 7654321"


def u(name: str, *args) -> str:
    return reverse(name, args=["netz-x", *args])


@pytest.fixture
def clock(monkeypatch):
    """Move the clock: clock(days=31) makes every `timezone.now()` that far in the future."""

    def move(**delta):
        moved = timezone.now() + timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: moved)
        return moved

    return move


def make_person(world, *, organisation=None, email: str = EMAIL, login: bool = False) -> Contact:
    manager = world.users["manager_x"]
    contact = contact_create(
        organisation=organisation or world.org_a,
        by=manager,
        data={"salutation": "ms", "first_name": f"Vor-{CANARY}", "last_name": f"Nach-{CANARY}", "email": email, "phone": PHONE, "function": CANARY},
    )
    contact_update(contact=contact, by=manager, data={"function": f"Neu-{CANARY}"})  # an older value in the history
    consent_grant(contact=contact, network=world.network_x, purpose=Consent.Purpose.NEWSLETTER, source=Consent.Source.PAPER, by=manager, evidence=CANARY)
    if login:
        contact.user = make_user(email)
        contact.save(update_fields=["user"])
    return contact


def registration_for(contact: Contact, network) -> Registration:
    day = timezone.localdate() - timedelta(days=3)
    meeting = Meeting.objects.create(
        network=network, title="Arbeitstreffen", starts_at=event_services.meeting_at(day, 9), ends_at=event_services.meeting_at(day, 12)
    )
    return Registration.objects.create(meeting=meeting, contact=contact, status="attended")


# --- the 30-day purge -------------------------------------------------------------------------------------------


def test_the_purge_runs_hourly_from_beat_through_the_task():
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-trash"]["task"] == "members.tasks.purge_trash"
    assert tasks.purge_trash.name == "members.tasks.purge_trash"


def test_a_removed_colleague_is_gone_31_days_later(client, world, clock):
    """The bug: 31 days after the removal the row was still there with name, e-mail and phone."""
    person = make_person(world, login=True)
    client.force_login(world.users["member_a_x"])
    client.post(reverse("members:portal_contact_remove", args=[person.pk]))  # the company removes her in the portal
    person.refresh_from_db()
    assert person.archived_at is not None
    assert canary_hits(CANARY, "7654321", "qqlifeqq")  # control: she is all over the tables

    clock(days=TRASH_DAYS - 1)
    assert tasks.purge_trash() == 0
    assert Contact.objects.filter(pk=person.pk, email=EMAIL).exists()

    clock(days=TRASH_DAYS + 1)
    assert tasks.purge_trash() == 1
    assert not Contact.objects.filter(pk=person.pk).exists()
    assert not Contact.history.filter(id=person.pk).exists()
    assert not User.objects.filter(email=EMAIL).exists()  # her login was only hers
    assert canary_hits(CANARY, "7654321", "qqlifeqq") == {}
    assert world.org_a.contacts.filter(last_name="member_a_x").exists()  # the colleague who removed her stays


def test_a_purged_person_leaves_no_tombstone_and_may_come_back(world, manager_x, clock):
    person = make_person(world)
    contact_trash(contact=person, by=manager_x)
    clock(days=TRASH_DAYS + 1)
    tasks.purge_trash()
    assert not is_erased(EMAIL)
    assert not ErasureTombstone.objects.exists()


def test_a_removed_person_with_registrations_is_anonymised_and_stays_for_the_counts(world, manager_x, clock):
    person = make_person(world)
    registration = registration_for(person, world.network_x)
    contact_trash(contact=person, by=manager_x)
    clock(days=TRASH_DAYS + 1)
    assert tasks.purge_trash() == 1
    person.refresh_from_db()
    assert (person.last_name, person.first_name, person.email, person.phone, person.function) == (ERASED_NAME, "", "", "", "")
    registration.refresh_from_db()
    assert registration.contact == person and registration.contact.organisation == world.org_a  # attendance per company still counts
    assert Consent.objects.filter(contact=person, evidence="").count() == 1
    assert canary_hits(CANARY, "7654321", "qqlifeqq") == {}
    [entry] = Contact.history.filter(id=person.pk)  # only the anonymous row is left in the history
    assert entry.last_name == ERASED_NAME
    # The next runs leave the anonymous row alone while the registration needs it, and delete it once it does not.
    assert tasks.purge_trash() == 0
    assert Contact.objects.filter(pk=person.pk).exists()
    registration.delete()
    tasks.purge_trash()
    assert not Contact.objects.filter(pk=person.pk).exists()


def test_an_office_login_of_a_removed_contact_is_unlinked_not_deleted(world, manager_x, clock):
    person = make_person(world)
    office = make_user("buero@example.org")
    ManagerRole.objects.create(user=office, network=world.network_y, role=ManagerRole.Role.OFFICE)
    Contact.objects.filter(pk=person.pk).update(user=office)
    contact_trash(contact=person, by=manager_x)
    clock(days=TRASH_DAYS + 1)
    tasks.purge_trash()
    assert User.objects.filter(pk=office.pk, email="buero@example.org").exists()
    assert not Contact.objects.filter(pk=person.pk).exists()


def test_an_organisation_whose_last_membership_is_purged_goes_with_its_people(world, manager_x, clock):
    person = make_person(world, organisation=world.org_b)
    registration = registration_for(person, world.network_x)  # before the fix the purge failed here (registration_has_a_person)
    membership = Membership.objects.get(organisation=world.org_b, network=world.network_x)
    membership_trash(membership=membership, by=manager_x)
    clock(days=TRASH_DAYS + 1)
    assert tasks.purge_trash() == 1
    assert not Organisation.objects.filter(pk=world.org_b.pk).exists()
    assert not Organisation.history.filter(id=world.org_b.pk).exists()
    assert not Contact.history.filter(organisation_id=world.org_b.pk).exists()
    assert not Membership.history.filter(id=membership.pk).exists()
    assert canary_hits(CANARY, "7654321", "qqlifeqq", "member_b_x@") == {}
    registration.refresh_from_db()
    assert (registration.contact, registration.guest_name) == (None, ERASED_NAME)  # still counted for the meeting
    assert Organisation.objects.filter(pk=world.org_a.pk).exists()


def test_an_organisation_another_network_holds_stays_when_one_network_purges(world, manager_x, clock):
    Membership.objects.create(organisation=world.org_b, network=world.network_y)
    membership_trash(membership=Membership.objects.get(organisation=world.org_b, network=world.network_x), by=manager_x)
    clock(days=TRASH_DAYS + 1)
    assert tasks.purge_trash() == 1
    assert Organisation.objects.filter(pk=world.org_b.pk).exists()
    assert Contact.objects.filter(organisation=world.org_b, email="member_b_x@example.org").exists()
    assert list(Membership.objects.filter(organisation=world.org_b).values_list("network__slug", flat=True)) == ["netz-y"]


# --- Art. 17 erasure by a network manager -----------------------------------------------------------------------------


@pytest.fixture
def mail_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    backend = {"BACKEND": "verbund.mail.EmlFileBackend", "OPTIONS": {"file_path": str(folder)}}
    settings.MAILERS = {"default": backend, "newsletter": backend}
    return folder


def write_mail(folder: Path, name: str, *, to: str, body: str, transfer: str = "7bit") -> Path:
    message = EmailMessage()
    message["From"] = "verbund <noreply@verbund.localhost>"
    message["To"] = to
    message["Subject"] = "Einladung"
    message.set_content(body, cte="base64" if transfer == "base64" else None)
    path = folder / name
    path.write_bytes(message.as_bytes())
    return path


def test_the_confirmation_lists_what_will_be_deleted(client, world, manager_x, mail_dir):
    person = make_person(world, login=True)
    registration_for(person, world.network_x)
    Invitation.objects.create(contact=person, network=world.network_x, email=EMAIL, token_hash="e" * 64, expires_at=timezone.now() + timedelta(days=3))
    write_mail(mail_dir, "1.eml", to=EMAIL, body="Hallo")
    client.force_login(manager_x)
    page = client.get(u("lifecycle:contact_erase", person.pk))
    assert page.status_code == 200
    text = page.text
    for expected in [f"Nach-{CANARY}", EMAIL, "1 Einwilligung", "Anmeldungen", "Einladungen", "Portalzugang", "1 gespeicherte E-Mail", "Löschvermerk"]:
        assert expected in text, expected
    assert 'method="post"' in text
    person.refresh_from_db()
    assert person.email == EMAIL  # a GET changes nothing


def test_a_manager_erases_a_person_with_her_mails(client, world, manager_x, mail_dir, django_capture_on_commit_callbacks):
    person = make_person(world, login=True)
    to_her = write_mail(mail_dir, "1.eml", to=EMAIL, body="Hallo")
    about_her = write_mail(mail_dir, "2.eml", to="office@example.org", body=f"Bitte {EMAIL.upper()} anrufen", transfer="base64")
    other = write_mail(mail_dir, "3.eml", to="member_a_x@example.org", body="Hallo Mia")
    assert about_her.read_bytes().count(EMAIL.upper().encode()) == 0  # hidden in base64: found only by decoding
    assert mail_files({EMAIL}) == [to_her, about_her]
    client.force_login(manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(u("lifecycle:contact_erase", person.pk))
    assert response.status_code == 302
    assert response.url == u("directory:organisation", world.org_a.pk)
    person.refresh_from_db()
    assert person.last_name == ERASED_NAME
    assert is_erased(EMAIL)  # the tombstone blocks a re-import
    assert not to_her.exists() and not about_her.exists()
    assert other.exists()
    assert canary_hits(CANARY, "7654321", "qqlifeqq") == {}


def test_a_rolled_back_erasure_keeps_the_mails(world, manager_x, mail_dir, monkeypatch):
    person = make_person(world)
    mail = write_mail(mail_dir, "1.eml", to=EMAIL, body="Hallo")
    monkeypatch.setattr(privacy, "_scrub_jobs", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        privacy.person_erase(contact=person, by=manager_x)
    assert mail.exists()


def test_erasure_is_post_only_for_the_page_and_404_for_outsiders(client, world):
    person = make_person(world)
    client.force_login(world.users["manager_y"])
    assert client.get(u("lifecycle:contact_erase", person.pk)).status_code == 404
    assert client.post(u("lifecycle:contact_erase", person.pk)).status_code == 404
    person.refresh_from_db()
    assert person.email == EMAIL


def test_an_observer_cannot_erase(client, world):
    person = make_person(world)
    ManagerRole.objects.filter(user=world.users["manager_x"]).update(role=ManagerRole.Role.OBSERVER)
    client.force_login(world.users["manager_x"])
    assert client.post(u("lifecycle:contact_erase", person.pk)).status_code == 403
    person.refresh_from_db()
    assert person.email == EMAIL


def test_a_person_with_an_office_login_is_left_to_the_administration(client, world, manager_x):
    person = make_person(world)
    office = make_user("buero@example.org")
    ManagerRole.objects.create(user=office, network=world.network_y, role=ManagerRole.Role.MANAGER)
    Contact.objects.filter(pk=person.pk).update(user=office)
    client.force_login(manager_x)
    page = client.get(u("lifecycle:contact_erase", person.pk))
    assert page.status_code == 200
    assert "Administration" in page.text and 'name="confirm"' not in page.text
    assert client.post(u("lifecycle:contact_erase", person.pk)).status_code == 403
    assert User.objects.filter(pk=office.pk).exists()


def test_a_person_in_the_trash_can_be_erased_at_once(client, world, manager_x, django_capture_on_commit_callbacks):
    person = make_person(world)
    contact_trash(contact=person, by=manager_x)
    client.force_login(manager_x)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(u("lifecycle:contact_erase", person.pk)).status_code == 302
    assert is_erased(EMAIL)


def test_the_organisation_page_offers_the_erasure(client, world, manager_x):
    person = make_person(world)
    client.force_login(manager_x)
    page = client.get(u("directory:organisation", world.org_a.pk))
    assert u("lifecycle:contact_erase", person.pk) in page.text


# --- what is kept how long ----------------------------------------------------------------------------------------


def test_the_retention_page_reads_the_numbers_from_the_code(client, world, manager_x, monkeypatch):
    client.force_login(manager_x)
    page = client.get(u("lifecycle:retention"))
    assert page.status_code == 200
    for expected in [
        "Papierkorb",
        "30 Tage",
        "Importentwürfe",
        "24 Stunden",
        "Exportdateien",
        "7 Tage",
        "Einwilligungen",
        "Verlauf",
        "Löschvermerk",
        "E-Mails",
    ]:
        assert expected in page.text, expected
    monkeypatch.setattr(services, "TRASH_DAYS", 45)
    assert "45 Tage" in client.get(u("lifecycle:retention")).text


def test_the_retention_page_names_the_purge_of_what_was_removed_from_meeting_pages(client, world, manager_x, settings):
    client.force_login(manager_x)
    text = " ".join(client.get(u("lifecycle:retention")).text.split())
    assert "Aus Treffen entfernte Programmpunkte, Protokolleinträge und Verabredungen" in text
    assert settings.CELERY_BEAT_SCHEDULE["purge-deleted-meeting-content"]["task"] == "events.tasks.purge_deleted_meeting_content"
    assert "geprüft alle 6 Stunden" in text  # read from the beat schedule


def test_the_retention_page_says_where_mail_goes(client, world, manager_x, settings, mail_dir):
    client.force_login(manager_x)
    assert "E-Mails (als Dateien gespeichert, var/mail/)" in client.get(u("lifecycle:retention")).text  # the embedded default
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "mail"}}}
    page = client.get(u("lifecycle:retention")).text
    assert "als Dateien" not in page and "nicht gespeichert" in page


def test_the_contact_page_links_to_the_erasure(client, world, manager_x):
    person = make_person(world)
    client.force_login(manager_x)
    page = client.get(u("directory:contact_edit", person.pk)).text
    assert u("lifecycle:contact_erase", person.pk) in page


def test_erasure_empties_a_merge_snapshot_that_names_her_also_with_umlauts(world, manager_x):
    from members.models import MergeRecord

    person = contact_create(organisation=world.org_a, by=manager_x, data={"first_name": "Käthe", "last_name": "Müllerová", "email": "kaethe@example.org"})
    # A merge kept her name and address in the snapshot of the record folded into another one.
    MergeRecord.objects.create(
        kind=MergeRecord.Kind.CONTACT, kept_id=person.pk, merged_id=999, merged_label="Kontakt 999", snapshot={"name": "Käthe Müllerová", "function": "Einkauf"}
    )
    MergeRecord.objects.create(kind=MergeRecord.Kind.CONTACT, kept_id=1, merged_id=998, merged_label="Jörg Ohneso", snapshot={"name": "Jörg Ohneso"})
    privacy.person_erase(contact=person, by=manager_x)
    named = MergeRecord.objects.get(merged_id=999)
    assert named.snapshot == {}
    assert MergeRecord.objects.get(merged_id=998).snapshot == {"name": "Jörg Ohneso"}  # nobody else's record is touched


def test_erasure_takes_the_history_and_addresses_of_records_merged_into_her(world, manager_x):
    """She was entered twice and merged: the merged record's history (with her private address) goes too, and a tombstone."""
    from members import merging

    kept = contact_create(organisation=world.org_a, by=manager_x, data={"first_name": "Käthe", "last_name": "Schmidt", "email": "kaethe@alpha.example"})
    twin = contact_create(
        organisation=world.org_a,
        by=manager_x,
        data={"first_name": "Käthe", "last_name": "Schmidt", "email": "kaethe.privat@web.example", "phone": "+49 171 5555555"},
    )
    twin_pk = twin.pk
    merging.contact_merge(kept=kept, merged=twin, network=world.network_x, by=manager_x)
    assert Contact.history.filter(id=twin_pk).exists()  # the merged record's history stays reachable until an erasure
    privacy.person_erase(contact=Contact.objects.get(pk=kept.pk), by=manager_x)
    assert not Contact.history.filter(id=twin_pk).exists()
    assert is_erased("kaethe.privat@web.example") and is_erased("kaethe@alpha.example")
    assert "Schmidt" not in str(list(Contact.history.filter(id=kept.pk).values_list("last_name", "email")))
