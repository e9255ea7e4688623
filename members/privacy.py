"""DSGVO: what the portal holds about an organisation (Art. 15/20), and erasing a person (Art. 17, D-2).

Erasure anonymises instead of deleting rows, so counts and statistics (how many
contacts, consents per purpose, membership history) stay intact: the Contact
row remains as "Gelöschte Person", consents keep purpose and dates, the login is
deleted. Old values live on in django-simple-history tables, the admin log and
sessions; those are removed too. A keyed hash of the email address is kept
(ErasureTombstone) so that an import or restore can refuse to bring the person
back. On the embedded default (mail written as .eml files, verbund.mail.EmlFileBackend)
the stored mails to or about the person are deleted too.

The end of the trash (members.services.trash_purge, 30 days after a removal)
uses the same anonymisation without a tombstone (a removed colleague may be
added again) and then deletes the row, unless records of other apps
(registrations, enrolments, action items) still point to it: then the
anonymous row stays so their counts per organisation stay right
(`person_purge`, `organisation_purge`).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import models, transaction
from django.db.models import Model, Q, TextField
from django.db.models.functions import Cast
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import (
    Consent,
    Contact,
    ErasureTombstone,
    GovernancePosition,
    Invitation,
    Membership,
    MergeRecord,
    Organisation,
)
from verbund.models import BackgroundJob, User
from verbund.services import save_audited

EXPORT_FORMAT = "verbund-datenauskunft/1"

# Meetings, newsletters and qualification hold personal data too, but members imports none of those apps
# (tests/test_layering.py): they answer these signals, so export and erasure reach their data as well.
#   export_sections.send(sender=Organisation, organisation=…) → each receiver returns {section name: JSON-ready data}
#   person_erasing.send(sender=Contact, contact=…, emails=…, old_texts=…, by=…) → inside the erasure transaction,
#   before the contact is anonymised; receivers remove or anonymise what names the person.
export_sections = Signal()
person_erasing = Signal()
# Stored data, not UI text: the same in every language.
ERASED_NAME = "Gelöschte Person"


# --- export ------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _label(choices: Any, value: str) -> str:
    """The display label of a choice value ('' stays '')."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _network(network: Any) -> dict[str, str]:
    return {"name": network.name, "slug": network.slug}


def _login(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
    }


def _consent(consent: Consent) -> dict[str, Any]:
    return {
        "network": _network(consent.network),
        "purpose": consent.purpose,
        "purpose_label": _label(Consent.Purpose, consent.purpose),
        "granted_at": _iso(consent.granted_at),
        "source": consent.source,
        "source_label": _label(Consent.Source, consent.source),
        "text_version": consent.text_version,
        "evidence": consent.evidence,
        "withdrawn_at": _iso(consent.withdrawn_at),
        "withdrawal_source": consent.withdrawal_source,
        "withdrawal_source_label": _label(Consent.Source, consent.withdrawal_source),
        "recorded_at": _iso(consent.created_at),
    }


def _contact(contact: Contact, *, show_login: bool) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "salutation": contact.salutation,
        "salutation_label": _label(Contact.Salutation, contact.salutation) if contact.salutation else "",
        "title": contact.title,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "function": contact.function,
        "email": contact.email,
        "phone": contact.phone,
        "is_primary": contact.is_primary,
        "in_trash_since": _iso(contact.archived_at),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        # A colleague's login (last sign-in, addresses) is their own business, not the company's.
        "login": _login(contact.user) if show_login else None,
        "consents": [_consent(consent) for consent in contact.consents.all()],
        "governance_positions": [
            {
                "network": _network(position.network),
                "function": position.function,
                "function_label": _label(GovernancePosition.Function, position.function),
                "since": _iso(position.since),
                "until": _iso(position.until),
            }
            for position in contact.governance_positions.all()
        ],
        # The token is a secret of the link; only its hash is stored, and that stays out too.
        "invitations": [
            {
                "network": _network(invitation.network),
                "email": invitation.email,
                "created_at": _iso(invitation.created_at),
                "expires_at": _iso(invitation.expires_at),
                "accepted_at": _iso(invitation.accepted_at),
            }
            for invitation in contact.invitations.all()
        ],
    }


def _membership(membership: Membership) -> dict[str, Any]:
    return {
        "network": _network(membership.network),
        "role": membership.role,
        "role_label": _label(Membership.Role, membership.role),
        "status": membership.status,
        "status_label": _label(Membership.Status, membership.status),
        "joined_on": _iso(membership.joined_on),
        "left_on": _iso(membership.left_on),
        "annual_fee": _money(membership.annual_fee),
        "in_trash_since": _iso(membership.archived_at),
        "created_at": _iso(membership.created_at),
        "status_history": [
            {
                "from_status": change.from_status,
                "from_status_label": _label(Membership.Status, change.from_status),
                "to_status": change.to_status,
                "to_status_label": _label(Membership.Status, change.to_status),
                "effective_on": _iso(change.effective_on),
                "note": change.note,
                "recorded_at": _iso(change.created_at),
            }
            for change in membership.status_changes.all()
        ],
    }


def organisation_data_export(*, organisation: Organisation, requested_by: User | None = None) -> dict[str, Any]:
    """Everything the portal holds about an organisation and its contacts, as JSON-ready data (dates ISO 8601).

    Covers the profile, contacts (with their login, consents, governance
    positions and invitations) and memberships with their status history.
    Secrets (password and token hashes) and data about other people (who
    recorded or changed something, colleagues' login details when a member user
    asks) are left out. Reads only; never fails for a
    saved organisation.
    """
    organisation = Organisation.objects.select_related("activity").prefetch_related("competency_tags", "need_tags").get(pk=organisation.pk)
    contacts = (
        Contact.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related(
            "user__emailaddress_set",
            "consents__network",
            "governance_positions__network",
            "invitations__network",
        )
        .order_by("last_name", "first_name", "pk")
    )
    memberships = Membership.objects.filter(organisation=organisation).select_related("network").prefetch_related("status_changes").order_by("network__name")
    activity = organisation.activity
    data = {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(timezone.now()),
        "organisation": {
            "name": organisation.name,
            "kind": organisation.kind,
            "kind_label": _label(Organisation.Kind, organisation.kind),
            "activity": ({"version": activity.version, "code": activity.code, "title": activity.title} if activity else None),
            "employees": organisation.employees,
            "turnover": _money(organisation.turnover),
            "balance_sheet_total": _money(organisation.balance_sheet_total),
            "figures_year": organisation.figures_year,
            "size_class": organisation.size_class,
            "size_class_label": organisation.get_size_class_display(),
            "street": organisation.street,
            "postcode": organisation.postcode,
            "municipality": organisation.municipality,
            "district": organisation.district,
            "state": organisation.state,
            "website": organisation.website,
            "profile": organisation.profile,
            "competencies": organisation.competencies,
            "competency_tags": sorted(tag.name for tag in organisation.competency_tags.all()),
            "needs": organisation.needs,
            "need_tags": sorted(tag.name for tag in organisation.need_tags.all()),
            "share_in_directory": organisation.share_in_directory,
            "in_trash_since": _iso(organisation.archived_at),
            "created_at": _iso(organisation.created_at),
            "updated_at": _iso(organisation.updated_at),
        },
        "contacts": [_contact(contact, show_login=requested_by is None or contact.user_id == requested_by.pk) for contact in contacts],
        "memberships": [_membership(membership) for membership in memberships],
    }
    for _receiver, sections in export_sections.send(sender=Organisation, organisation=organisation):
        data.update(sections or {})  # type: ignore[arg-type]  # django-stubs types a receiver's answer as str | None; ours return dicts of sections
    return data


BASE_SECTIONS = {"format", "created_at", "requested_by", "organisation", "contacts", "memberships"}
# Titles of the sections other apps add (members imports none of them; these are just their keys).
SECTION_TITLES = {
    "meeting_registrations": gettext_lazy("Anmeldungen zu Treffen"),
    "meeting_invitations": gettext_lazy("Einladungen zu Treffen"),
    "action_items": gettext_lazy("Verabredungen aus Treffen"),
    "infobrief_deliveries": gettext_lazy("Versendete Infobriefe"),
    "qualification_needs": gettext_lazy("Qualifizierungsbedarf"),
    "company_checks": gettext_lazy("Unternehmens-Checks"),
    "course_enrolments": gettext_lazy("Kursanmeldungen"),
    "member_reports": gettext_lazy("Berichte an Verbünde"),
    "survey_invitations": gettext_lazy("Einladungen zu Zufriedenheitsumfragen"),
    "needs_and_offers": gettext_lazy("Bedarfe und Angebote"),
}


COLUMN_TITLES = {
    "person": gettext_lazy("Person"),
    "network": gettext_lazy("Verbund"),
    "meeting": gettext_lazy("Treffen"),
    "status": gettext_lazy("Status"),
    "status_label": gettext_lazy("Status"),
    "email": gettext_lazy("E-Mail"),
    "course": gettext_lazy("Kurs"),
    "year": gettext_lazy("Jahr"),
    "topic": gettext_lazy("Thema"),
    "priority": gettext_lazy("Priorität"),
    "head_count": gettext_lazy("Personen"),
    "check": gettext_lazy("Fragebogen"),
    "answers": gettext_lazy("Antworten"),
    "scores": gettext_lazy("Ergebnis je Handlungsfeld"),
    "shared": gettext_lazy("Freigaben"),
    "title": gettext_lazy("Titel"),
    "infobrief": gettext_lazy("Infobrief"),
    "period": gettext_lazy("Zeitraum"),
    "submitted_at": gettext_lazy("Eingereicht am"),
    "submitted_by": gettext_lazy("Eingereicht von"),
    "survey": gettext_lazy("Umfrage"),
    "sent_at": gettext_lazy("Gesendet am"),
    "reminded_at": gettext_lazy("Erinnert am"),
    "answered_at": gettext_lazy("Beantwortet am"),
    "note": gettext_lazy("Hinweis"),
    "kind": gettext_lazy("Art"),
    "description": gettext_lazy("Beschreibung"),
    "contact_person": gettext_lazy("Ansprechperson"),
    "created_at": gettext_lazy("Angelegt am"),
}


def readable_sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections other apps added, as tables for the HTML and PDF export (nested values written out compactly)."""

    out = []
    for key, rows in data.items():
        if key in BASE_SECTIONS or not isinstance(rows, list):
            continue
        headers = list(dict.fromkeys(name for row in rows if isinstance(row, dict) for name in row))
        table = [
            [
                value if isinstance(value, str | int | float) or value is None else json.dumps(value, ensure_ascii=False)
                for value in (row.get(name) for name in headers)
            ]
            for row in rows
            if isinstance(row, dict)
        ]
        out.append({"key": key, "title": SECTION_TITLES.get(key, key), "headers": [COLUMN_TITLES.get(h, h) for h in headers], "rows": table})
    return out


# --- erasure -------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _email_hash(email: str, *, key: str | bytes | None = None) -> str:
    key = settings.SECRET_KEY if key is None else key
    key_bytes = key.encode() if isinstance(key, str) else key
    return hmac.new(key_bytes, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    """The keyed hash of an address (current secret key) that tombstones and pseudonyms are made of."""
    return _email_hash(email)


def consent_proofs_expire(*, now: datetime | None = None) -> int:
    """Consents withdrawn more than CONSENT_PROOF_YEARS ago lose their proof (evidence, also in their history); purpose,
    network and dates stay for the statistics. Returns how many consents changed."""
    cutoff = (now or timezone.now()) - timedelta(days=365 * settings.CONSENT_PROOF_YEARS)
    expired = Consent.objects.filter(withdrawn_at__lt=cutoff).exclude(evidence="")
    ids = list(expired.values_list("pk", flat=True))
    with transaction.atomic():
        Consent.history.filter(id__in=ids).update(evidence="")
        Consent.objects.filter(pk__in=ids).update(evidence="")
    return len(ids)


def is_erased(email: str) -> bool:
    """Whether a person with this email address was erased (checked with the current and the fallback secret keys)."""
    if not normalise_email(email):
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return ErasureTombstone.objects.filter(email_hash__in=[_email_hash(email, key=key) for key in keys]).exists()


def _save_with_history(instance: Model, *, by: User | None, update_fields: list[str]) -> None:
    # No validation: an anonymised row may no longer pass the rules a person's data had to.
    save_audited(instance, by=by, update_fields=update_fields, validate=False)


def _keep_only_newest_history(model: type[Model], pks: list[int]) -> None:
    """Delete every historical row of these objects but the newest one each (which holds the anonymised values)."""
    history = model.history.model  # type: ignore[attr-defined]  # simple_history adds `history` to each registered model
    for pk in pks:
        newest = history.objects.filter(id=pk).order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
        history.objects.filter(id=pk).exclude(history_id=newest).delete()


def _end_sessions(*, user_id: int, emails: set[str]) -> None:
    """Delete the sessions of a user (and pending logins naming their email), when the session store can list them."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        return  # cache or cookie sessions cannot be listed; they end with the deleted user
    for session in store.get_model_class().objects.iterator():
        data = session.get_decoded()
        text = json.dumps(data, default=str).lower()
        if str(data.get(SESSION_KEY)) == str(user_id) or any(email in text for email in emails):
            store(session.session_key).delete()


def _scrub_admin_log(
    *, contact: Contact, consent_ids: list[int], position_ids: list[int], invitation_ids: list[int], user_id: int | None, old_texts: set[str]
) -> None:
    """The admin log keeps each object's str() and, for inline edits, names them in the change message."""

    def ids(model: type[Model], pks: list[int]) -> Q:
        return Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks])

    about_person = ids(Contact, [contact.pk]) | ids(Consent, consent_ids) | ids(GovernancePosition, position_ids)
    about_person |= ids(Invitation, invitation_ids)
    if user_id is not None:
        about_person |= ids(User, [user_id])
    LogEntry.objects.filter(about_person).update(object_repr=ERASED_NAME)
    # Change messages are JSON ({"added": {"name": "Kontakt", "object": "<str(contact)>"}}): replace whole
    # JSON strings only, so a short name never mangles other words.
    replacements = [(json.dumps(text), json.dumps(ERASED_NAME)) for text in sorted(old_texts, key=len, reverse=True)]
    for entry in LogEntry.objects.filter(ids(Organisation, [contact.organisation_id]) | about_person).only("change_message"):
        message = entry.change_message
        for old, new in replacements:
            message = message.replace(old, new)
        if message != entry.change_message:
            LogEntry.objects.filter(pk=entry.pk).update(change_message=message)


def _scrub_jobs(*, organisation_id: int, old_texts: set[str]) -> None:
    """Background jobs keep uploaded rows and export files: clear those that name the person.

    Export files and an import's rejected-rows file of the person's networks may
    list them, so they are deleted (the job row stays, saying the file is gone);
    import rows, errors and messages that mention the person are emptied.
    """
    networks = Membership.objects.filter(organisation_id=organisation_id).values("network_id")
    # Export files, and the rejected rows an import handed back as XLSX, may list her: both are deleted.
    files = BackgroundJob.objects.filter(kind__in=[BackgroundJob.Kind.EXPORT, BackgroundJob.Kind.IMPORT], network__in=networks)
    for job in files.exclude(result_file=""):
        job.result_file.delete(save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(result_file="", message=_("Die Datei wurde wegen einer Löschung nach DSGVO entfernt."))
    mentions = Q()
    for text in old_texts:
        escaped = json.dumps(text)[1:-1]  # SQLite keeps JSON ASCII-escaped
        mentions |= Q(params_text__icontains=text) | Q(errors_text__icontains=text) | Q(message__icontains=text)
        mentions |= Q(params_text__icontains=escaped) | Q(errors_text__icontains=escaped)
    if mentions:
        BackgroundJob.objects.annotate(params_text=Cast("params", TextField()), errors_text=Cast("errors", TextField())).filter(mentions).update(
            params={}, errors=[], message=_("Inhalt wegen einer Löschung nach DSGVO entfernt.")
        )


MAIL_BACKEND = "verbund.mail.EmlFileBackend"


def mail_files(emails: set[str]) -> list[Path]:
    """Stored .eml files (embedded default) addressed to or mentioning one of these addresses, in any header or text part.

    Only mailers that write files are searched (settings.MAILERS with verbund.mail.EmlFileBackend); mail sent
    over SMTP has left the portal.
    """
    needles = {normalise_email(e) for e in emails} - {""}
    if not needles:
        return []
    folders = {
        Path(mailer["OPTIONS"]["file_path"])
        for mailer in getattr(settings, "MAILERS", {}).values()
        if mailer.get("BACKEND") == MAIL_BACKEND and mailer.get("OPTIONS", {}).get("file_path")
    }
    found = []
    for folder in sorted(folders):
        for path in sorted(folder.glob("*.eml")) if folder.is_dir() else []:
            if _mail_mentions(path, needles):
                found.append(path)
    return found


def _mail_mentions(path: Path, needles: set[str]) -> bool:
    raw = path.read_bytes()
    if any(needle.encode() in raw.lower() for needle in needles):
        return True
    # Quoted-printable or base64 bodies and encoded headers hide an address from the byte search.
    message = email.message_from_bytes(raw, policy=email.policy.default)
    texts = [str(value) for value in message.values()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):  # an unknown charset: the byte search above is all we can do
                continue
    text = "\n".join(texts).lower()
    return any(needle in text for needle in needles)


def _delete_files_on_commit(paths: list[Path]) -> None:
    """Files are not transactional: they go once the erasure is committed, never for a rolled-back one."""

    def delete() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    if paths:
        transaction.on_commit(delete)


def _scrub_merge_records(old_texts: set[str]) -> None:
    """A merge keeps a snapshot of the merged record: emptied where it names the person."""
    mentions = Q()
    for text in old_texts:
        # SQLite keeps JSON ASCII-escaped ("M\u00fcller"), PostgreSQL as written: look for both spellings.
        escaped = json.dumps(text)[1:-1]
        mentions |= Q(snapshot_text__icontains=text) | Q(snapshot_text__icontains=escaped) | Q(merged_label__icontains=text)
    if mentions:
        MergeRecord.objects.annotate(snapshot_text=Cast("snapshot", TextField())).filter(mentions).update(snapshot={}, merged_label=ERASED_NAME)


def is_anonymous(contact: Contact) -> bool:
    """An erased or purged person: nothing but the anonymous name is left."""
    return (
        contact.last_name == ERASED_NAME
        and not (contact.first_name or contact.title or contact.function or contact.email or contact.phone or contact.salutation)
        and contact.user_id is None
    )


def login_is_only_theirs(user: User | None) -> bool:
    """A login that is nothing but this person's portal access: not staff, no office role in any network."""
    return user is not None and not user.is_staff and not user.is_superuser and not user.manager_roles.exists()


def _merged_into(contact_id: int) -> list[int]:
    """The ids of the contacts merged into this one, also through earlier merges (MergeRecord chains)."""
    found: list[int] = []
    seen, frontier = {contact_id}, [contact_id]
    while frontier:
        merged = MergeRecord.objects.filter(kind=MergeRecord.Kind.CONTACT, kept_id__in=frontier).values_list("merged_id", flat=True)
        frontier = [pk for pk in merged if pk not in seen]
        seen.update(frontier)
        found += frontier
    return found


def _anonymise_person(*, contact: Contact, by: User | None, delete_login: bool = True) -> tuple[set[str], str]:
    """Everything of person_erase but the tombstone. Returns the person's addresses and the one the tombstone is keyed on."""
    contact = Contact.objects.select_for_update(of=("self",)).select_related("user").get(pk=contact.pk)
    user = contact.user
    emails = {normalise_email(contact.email)} | ({normalise_email(user.email)} if user else set())
    emails.discard("")
    primary_email = normalise_email(contact.email) or (normalise_email(user.email) if user else "") or f"contact:{contact.pk}"
    user_id = user.pk if user else None
    if not delete_login:
        # The login stays (an office or admin account): its own name and address are no trace of the person to remove.
        emails = {normalise_email(contact.email)} - {""}
    old_texts = {contact.full_name, str(contact), contact.email, *emails}
    if user is not None and delete_login:
        old_texts |= {user.get_full_name(), str(user), user.email}
    # Records merged into her (members.merging) are her too: their history rows go, their addresses get tombstones.
    merged_ids = _merged_into(contact.pk)
    for record_email, first, last in Contact.history.filter(id__in=merged_ids).values_list("email", "first_name", "last_name").distinct():
        emails |= {normalise_email(record_email)} - {""}
        old_texts |= {" ".join(part for part in (first, last) if part)}
    for snapshot in MergeRecord.objects.filter(kind=MergeRecord.Kind.CONTACT, merged_id__in=merged_ids).values_list("snapshot", flat=True):
        if isinstance(snapshot, dict) and isinstance(snapshot.get("email"), str):
            emails |= {normalise_email(snapshot["email"])} - {""}
    Contact.history.filter(id__in=merged_ids).delete()
    old_texts |= emails
    old_texts = {text for text in old_texts if text and text != ERASED_NAME}
    mails = mail_files(emails)

    consents = list(Consent.objects.filter(contact=contact))
    positions = list(GovernancePosition.objects.filter(contact=contact))
    position_ids = [position.pk for position in positions]  # delete() clears pk
    invitation_ids = list(Invitation.objects.filter(contact=contact).values_list("pk", flat=True))
    person_erasing.send(sender=Contact, contact=contact, emails=emails, old_texts=old_texts, by=by)

    # The contact stays, anonymised; the new history row (by whom, when) holds only anonymous values.
    contact.salutation = ""
    contact.title = ""
    contact.first_name = ""
    contact.last_name = ERASED_NAME
    contact.function = ""
    contact.email = ""
    contact.phone = ""
    contact.email_undeliverable_at, contact.email_undeliverable_reason = None, ""  # the server's answer names the address
    contact.is_primary = False
    contact.user = None
    _save_with_history(
        contact,
        by=by,
        update_fields=[
            "salutation",
            "title",
            "first_name",
            "last_name",
            "function",
            "email",
            "phone",
            "is_primary",
            "user",
            "updated_at",
            "email_undeliverable_at",
            "email_undeliverable_reason",
        ],
    )
    _keep_only_newest_history(Contact, [contact.pk])

    for consent in consents:
        consent.evidence = ""
        _save_with_history(consent, by=by, update_fields=["evidence"])
    _keep_only_newest_history(Consent, [consent.pk for consent in consents])

    for position in positions:
        position._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        position.delete()
    GovernancePosition.history.filter(contact_id=contact.pk).delete()
    Invitation.objects.filter(pk__in=invitation_ids).delete()
    Invitation.history.filter(id__in=invitation_ids).delete()

    if user is not None and user_id is not None and delete_login:
        # allauth's EmailAddress and Authenticator rows, manager roles and saved filters go with the user (CASCADE).
        user.delete()
        User.history.filter(id=user_id).delete()
        _end_sessions(user_id=user_id, emails=emails)
    _scrub_admin_log(
        contact=contact,
        consent_ids=[c.pk for c in consents],
        position_ids=position_ids,
        invitation_ids=invitation_ids,
        user_id=user_id if delete_login else None,
        old_texts=old_texts,
    )

    _scrub_jobs(organisation_id=contact.organisation_id, old_texts=old_texts)
    _scrub_merge_records(old_texts)
    _delete_files_on_commit(mails)
    return emails, primary_email


@transaction.atomic
def person_erase(*, contact: Contact, by: User | None) -> ErasureTombstone:
    """Anonymise a person everywhere the portal controls; keep the rows that counts and statistics rely on.

    The contact becomes "Gelöschte Person" without title, function, email or
    phone; the login (with its email addresses and sessions) is deleted;
    consents keep purpose, network, source, text version and dates but lose
    their evidence; governance positions and invitations of the person are
    deleted; the person's history rows and admin-log texts are removed; merge
    snapshots naming them are emptied; on the embedded default the stored mails
    to or about them are deleted once the erasure commits. Returns the tombstone
    (a keyed hash of the email). Erasing twice is harmless.
    """
    emails, primary_email = _anonymise_person(contact=contact, by=by)
    # Without any email address, the tombstone still records that (and by whom) the contact was erased.
    for address in sorted(emails - {primary_email}):
        ErasureTombstone.objects.get_or_create(email_hash=_email_hash(address), defaults={"erased_by": by})
    tombstone, _created = ErasureTombstone.objects.get_or_create(email_hash=_email_hash(primary_email), defaults={"erased_by": by})
    return tombstone


def _references_elsewhere(contact: Contact) -> bool:
    """Whether rows that are not the person's own (registrations, enrolments, action items …) still point to the contact.

    Found generically: a relation that is deleted with the contact (CASCADE: consents, governance, invitations, exits)
    is the person's own; any other (SET_NULL) belongs to a record that outlives her.
    """
    for relation in Contact._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if getattr(relation, "on_delete", None) is models.CASCADE:
            continue
        related_model = relation.related_model
        if related_model is None or getattr(related_model, "_meta", None) is None or related_model.__name__.startswith("Historical"):
            continue
        if related_model._base_manager.filter(**{relation.field.name: contact}).exists():  # type: ignore[union-attr]  # a reverse relation has a field
            return True
    return False


def _delete_contact_and_history(contact: Contact, *, by: User | None) -> None:
    pk = contact.pk
    consent_ids = list(Consent.objects.filter(contact_id=pk).values_list("pk", flat=True))
    contact._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    contact.delete()
    # A deletion writes one last history row with the (anonymous) values; nothing of the person is left to keep.
    Contact.history.filter(id=pk).delete()
    Consent.history.filter(id__in=consent_ids).delete()


@transaction.atomic
def person_purge(*, contact: Contact, by: User | None = None) -> bool:
    """The end of the trash for one person: anonymised as by person_erase, without a tombstone; then deleted if nothing else points to her.

    A login that is also an office or admin account is unlinked, never deleted. Returns True when the row was
    deleted, False when it stays as "Gelöschte Person" because registrations, enrolments or action items refer to it.
    """
    contact = Contact.objects.select_related("user").get(pk=contact.pk)
    if not is_anonymous(contact):
        _anonymise_person(contact=contact, by=by, delete_login=login_is_only_theirs(contact.user))
        contact.refresh_from_db()
    if _references_elsewhere(contact):
        return False
    _delete_contact_and_history(contact, by=by)
    return True


@transaction.atomic
def organisation_purge(*, organisation: Organisation, by: User | None = None) -> None:
    """Delete an organisation no network holds any more: its people anonymised first (as person_purge), then everything, history included.

    Rows of other apps that point to its people keep an anonymous person (the meetings app writes "Gelöschte
    Person" on their registrations when a person is erased); its own rows (checks, needs, enrolments) go with it.
    """
    for contact in Contact.objects.filter(organisation=organisation).select_related("user"):
        if not is_anonymous(contact):
            _anonymise_person(contact=contact, by=by, delete_login=login_is_only_theirs(contact.user))
    contact_ids = list(Contact.objects.filter(organisation=organisation).values_list("pk", flat=True))
    consent_ids = list(Consent.objects.filter(contact_id__in=contact_ids).values_list("pk", flat=True))
    membership_ids = list(Membership.objects.filter(organisation=organisation).values_list("pk", flat=True))
    pk = organisation.pk
    organisation._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    organisation.delete()
    Organisation.history.filter(id=pk).delete()
    Contact.history.filter(organisation_id=pk).delete()
    Consent.history.filter(id__in=consent_ids).delete()
    Membership.history.filter(id__in=membership_ids).delete()
