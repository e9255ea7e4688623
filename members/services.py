"""Every change to organisations, contacts, memberships and consents goes through here.

Each service owns its transaction, validates, saves with `update_fields` on
updates and leaves a history entry naming the acting user (django-simple-history
reads `_history_user`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import phonenumbers
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.matching import search_fields
from members.models import (
    CONTACT_FIELDS,
    MEMBERSHIP_FIELDS,
    ORGANISATION_FIELDS,
    Consent,
    Contact,
    GovernancePosition,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organisation,
    SavedFilter,
    Tag,
)
from members.privacy import is_anonymous, organisation_purge, person_purge
from verbund.mail import mail_send_later, render_mail
from verbund.models import Network, User
from verbund.services import save_audited

TRASH_DAYS = getattr(settings, "TRASH_RETENTION_DAYS", 30)


_save = save_audited  # every write below validates and names its author


def normalise_phone(value: str) -> str:
    """German-first phone normalisation: returns international format (+49 5971 12345), '' for empty.

    Raises ValidationError with a German message for numbers that cannot be valid.
    """
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "DE")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Bitte eine gültige Telefonnummer angeben, z. B. 05971 123456.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Bitte eine gültige Telefonnummer angeben, z. B. 05971 123456."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tags_from_text(text: str) -> list[Tag]:
    """Comma-separated keywords → Tag rows (created as needed), trimmed and de-duplicated case-insensitively."""
    names: dict[str, str] = {}
    for raw in (text or "").split(","):
        name = " ".join(raw.split())[:60]
        if name:
            names.setdefault(name.casefold(), name)
    tags = []
    for name in names.values():
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


# --- organisations -----------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    network: Network,
    by: User,
    data: dict[str, Any],
    role: str = Membership.Role.USER,
    status: str = Membership.Status.ACTIVE,
    competency_tags: str = "",
    need_tags: str = "",
) -> Membership:
    """Create an organisation and its membership in `network`. Returns the membership."""
    organisation = Organisation(**ORGANISATION_FIELDS.take(data))
    _save(organisation, by=by)
    organisation.competency_tags.set(tags_from_text(competency_tags))
    organisation.need_tags.set(tags_from_text(need_tags))
    organisation_refresh_search(organisation)
    joined_on = timezone.localdate()
    membership = Membership(organisation=organisation, network=network, role=role, status=status, joined_on=joined_on)
    _save(membership, by=by)
    MembershipStatusChange.objects.create(membership=membership, to_status=status, effective_on=joined_on, changed_by=by, note=_("Angelegt"))
    return membership


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by: User, data: dict[str, Any], competency_tags: str | None = None, need_tags: str | None = None
) -> Organisation:
    """Change an organisation's profile (ORGANISATION_FIELDS; an unknown key raises TypeError)."""
    changed = ORGANISATION_FIELDS.apply(organisation, data)
    if changed:
        _save(organisation, by=by, update_fields=changed)
    if competency_tags is not None:
        organisation.competency_tags.set(tags_from_text(competency_tags))
    if need_tags is not None:
        organisation.need_tags.set(tags_from_text(need_tags))
    organisation_refresh_search(organisation)
    return organisation


def organisation_refresh_search(organisation: Organisation) -> None:
    """Write the folded search columns (members.matching.search_fields) after a change of name, place, texts or tags."""
    fields = search_fields(organisation, [tag.name for tag in organisation.competency_tags.all()])
    if fields != {"search_name": organisation.search_name, "search_text": organisation.search_text}:
        Organisation.objects.filter(pk=organisation.pk).update(**fields)
        if fields["search_name"] != organisation.search_name:
            Membership.objects.filter(organisation=organisation).update(sort_name=fields["search_name"])
        organisation.search_name, organisation.search_text = fields["search_name"], fields["search_text"]


# --- memberships ---------------------------------------------------------------


@transaction.atomic
def membership_update(*, membership: Membership, by: User, data: dict[str, Any]) -> Membership:
    changed = MEMBERSHIP_FIELDS.apply(membership, data)
    if changed:
        _save(membership, by=by, update_fields=changed)
    return membership


@transaction.atomic
def membership_change_status(*, membership: Membership, to_status: str, by: User, effective_on: date | None = None, note: str = "") -> Membership:
    """Move a membership to another status, recording the step. Joining sets `joined_on`, leaving sets `left_on`."""
    if to_status not in Membership.Status.values:
        raise ValidationError(_("Unbekannter Status."))
    if to_status == membership.status:
        return membership
    effective_on = effective_on or timezone.localdate()
    previous = membership.status
    fields = ["status"]
    membership.status = to_status
    if to_status == Membership.Status.ACTIVE and membership.joined_on is None:
        membership.joined_on = effective_on
        fields.append("joined_on")
    if to_status == Membership.Status.LEFT:
        if membership.joined_on and effective_on < membership.joined_on:
            raise ValidationError(_("Der Austritt kann nicht vor dem Eintritt liegen."))
        membership.left_on = effective_on
        fields.append("left_on")
    elif membership.left_on is not None:
        membership.left_on = None  # re-joined
        fields.append("left_on")
    _save(membership, by=by, update_fields=fields)
    MembershipStatusChange.objects.create(
        membership=membership, from_status=previous, to_status=to_status, effective_on=effective_on, changed_by=by, note=note[:300]
    )
    return membership


@transaction.atomic
def membership_trash(*, membership: Membership, by: User) -> Membership:
    """Take an organisation out of one network's directory into its trash (restorable for 30 days)."""
    if membership.archived_at is None:
        membership.archived_at = timezone.now()
        membership.archived_by = by
        _save(membership, by=by, update_fields=["archived_at", "archived_by"])
    return membership


@transaction.atomic
def membership_restore(*, membership: Membership, by: User) -> Membership:
    if membership.archived_at is not None:
        membership.archived_at = None
        membership.archived_by = None
        _save(membership, by=by, update_fields=["archived_at", "archived_by"])
    return membership


@transaction.atomic
def trash_purge(*, now=None) -> int:
    """Empty what lay in a trash longer than TRASH_DAYS, as the trash page promises. Returns how many entries went.

    - a membership (one network's relation to a company) is deleted, with its history;
    - a person removed from the portal or the office (contact_trash) is anonymised like an Art. 17 erasure but
      without a tombstone, and deleted unless registrations, enrolments or action items point to her: then the
      anonymous row stays for their counts (members.privacy.person_purge);
    - an organisation whose last membership went is deleted with its people and their history
      (members.privacy.organisation_purge).
    """
    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    expired = list(Membership.objects.filter(archived_at__lt=cutoff).values_list("pk", "organisation_id"))
    membership_ids = [pk for pk, _organisation_id in expired]
    remaining = set(Membership.objects.exclude(pk__in=membership_ids).values_list("organisation_id", flat=True))
    orphaned = {organisation_id for _pk, organisation_id in expired} - remaining
    people = 0
    # Anonymous rows kept for the counts of other records come round again and go once nothing points to them any more.
    for contact in Contact.objects.filter(archived_at__lt=cutoff).exclude(organisation_id__in=orphaned).select_related("user"):
        people += not is_anonymous(contact)
        person_purge(contact=contact)
    Membership.objects.filter(pk__in=membership_ids).delete()
    Membership.history.filter(id__in=membership_ids).delete()
    for organisation in Organisation.objects.filter(pk__in=orphaned):
        organisation_purge(organisation=organisation)
    return len(membership_ids) + people


# --- contacts ------------------------------------------------------------------


def _clean_contact_data(data: dict[str, Any]) -> dict[str, Any]:
    data = CONTACT_FIELDS.take(data)
    if "phone" in data:
        try:
            data["phone"] = normalise_phone(data["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    if "email" in data:
        data["email"] = (data["email"] or "").strip().lower()
    return data


def _demote_other_primaries(contact: Contact) -> None:
    if contact.is_primary:
        for other in contact.organisation.contacts.filter(is_primary=True).exclude(pk=contact.pk):
            other.is_primary = False
            other._history_user = getattr(contact, "_history_user", None)  # type: ignore[attr-defined]  # simple_history reads the author from the instance
            other.save(update_fields=["is_primary", "updated_at"])


@transaction.atomic
def contact_create(*, organisation: Organisation, by: User, data: dict[str, Any]) -> Contact:
    contact = Contact(organisation=organisation, **_clean_contact_data(data))
    contact._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    _demote_other_primaries(contact)
    _save(contact, by=by)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: User, data: dict[str, Any]) -> Contact:
    data = _clean_contact_data(data)
    changed = CONTACT_FIELDS.apply(contact, data)
    contact._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    if "is_primary" in changed:
        _demote_other_primaries(contact)
    if "email" in changed and contact.email_undeliverable_at:
        # A corrected address starts without the old one's mark.
        contact.email_undeliverable_at, contact.email_undeliverable_reason = None, ""
        changed = [*changed, "email_undeliverable_at", "email_undeliverable_reason"]
    if changed:
        _save(contact, by=by, update_fields=changed)
    return contact


@transaction.atomic
def contact_trash(*, contact: Contact, by: User) -> Contact:
    if contact.archived_at is None:
        contact.archived_at = timezone.now()
        fields = ["archived_at"]
        if contact.is_primary:
            contact.is_primary = False
            fields.append("is_primary")
        _save(contact, by=by, update_fields=fields)
    return contact


@transaction.atomic
def contact_restore(*, contact: Contact, by: User) -> Contact:
    if contact.archived_at is not None:
        contact.archived_at = None
        _save(contact, by=by, update_fields=["archived_at"])
    return contact


# --- consents ------------------------------------------------------------------

CONSENT_TEXT_VERSION = "2026-11"


def consent_current(*, contact: Contact, network: Network, purpose: str) -> Consent | None:
    """The consent in force for a purpose, or None (never given or withdrawn)."""
    latest = Consent.objects.filter(contact=contact, network=network, purpose=purpose).order_by("-granted_at", "-pk").first()
    return latest if latest and latest.is_active else None


@transaction.atomic
def consent_grant(
    *,
    contact: Contact,
    network: Network,
    purpose: str,
    source: str,
    by: User | None,
    text_version: str = CONSENT_TEXT_VERSION,
    evidence: str = "",
) -> Consent:
    """Record a consent. Granting again while one is in force returns the existing record."""
    if existing := consent_current(contact=contact, network=network, purpose=purpose):
        return existing
    consent = Consent(
        contact=contact,
        network=network,
        purpose=purpose,
        source=source,
        text_version=text_version,
        evidence=evidence[:2000],
        recorded_by=by,
        granted_at=timezone.now(),
    )
    _save(consent, by=by)
    return consent


@transaction.atomic
def consent_withdraw(*, contact: Contact, network: Network, purpose: str, source: str, by: User | None) -> Consent | None:
    """Withdraw the consent in force (if any); the record stays as proof, with the withdrawal time."""
    consent = consent_current(contact=contact, network=network, purpose=purpose)
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_source = source
    _save(consent, by=by, update_fields=["withdrawn_at", "withdrawal_source"])
    return consent


@transaction.atomic
def consents_update(
    *,
    contact: Contact,
    by: User,
    source: str,
    grant: Iterable[tuple[Network, str]],
    withdraw: Iterable[tuple[Network, str]],
    evidence: str = "",
) -> None:
    """Grant and withdraw several (network, purpose) consents of one person at once, all or none."""
    for network, purpose in grant:
        consent_grant(contact=contact, network=network, purpose=purpose, source=source, by=by, evidence=evidence)
    for network, purpose in withdraw:
        consent_withdraw(contact=contact, network=network, purpose=purpose, source=source, by=by)


# --- governance ----------------------------------------------------------------


@transaction.atomic
def governance_assign(*, network: Network, contact: Contact, function: str, by: User, since: date | None = None) -> GovernancePosition:
    if not Membership.objects.for_network(network).filter(organisation=contact.organisation).exists():
        raise ValidationError(_("Die Person gehört zu keiner Mitgliedsorganisation dieses Verbunds."))
    position = GovernancePosition.objects.filter(network=network, contact=contact, function=function).first()
    if position is None:
        position = GovernancePosition(network=network, contact=contact, function=function, since=since)
        _save(position, by=by)
    return position


@transaction.atomic
def governance_remove(*, position: GovernancePosition, by: User) -> None:
    position._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    position.delete()


# --- invitations to the member portal ----------------------------------------------

INVITATION_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, contact: Contact, network: Network, by: User) -> Invitation:
    """Invite a contact to the member portal by email. The token is mailed once and only its hash is stored."""
    if not contact.email:
        raise ValidationError(_("Für eine Einladung braucht der Kontakt eine E-Mail-Adresse."))
    if contact.user_id is not None:
        raise ValidationError(_("Dieser Kontakt hat bereits einen Zugang zum Portal."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        contact=contact,
        network=network,
        email=contact.email,
        token_hash=_token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    _save(invitation, by=by)
    url = settings.SITE_URL + reverse("members:invitation", kwargs={"token": token})
    context = {"contact": contact, "network": network, "url": url, "invited_by": by, "days": INVITATION_DAYS}
    mail_send_later(message=render_mail("invitation", to=[contact.email], context=context))
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The open, unexpired invitation for a token; None for anything else (unknown, used, expired)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("contact__organisation", "network")
        .filter(token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept_with_new_login(*, invitation: Invitation, password: str) -> User:
    """A new login for the invited address (verified by the invitation) linked to the contact, or nothing at all."""
    user = User.objects.create_user(email=invitation.email, password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)  # the invitation proved it
    invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Contact:
    """Link the contact to a login. The invitation's email must be the user's, and the contact must be free."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    contact = Contact.objects.select_for_update().get(pk=invitation.contact_id)
    if invitation.accepted_at is not None:
        raise ValidationError(_("Diese Einladung wurde bereits angenommen."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("Die Einladung gilt für eine andere E-Mail-Adresse."))
    if contact.email.lower() != invitation.email.lower() or contact.archived_at or contact.organisation.archived_at:
        raise ValidationError(_("Diese Einladung ist nicht mehr gültig. Bitte fordern Sie bei der Geschäftsstelle eine neue an."))
    if user.is_staff or user.manager_roles.exists():
        # Roles stay separate: an office account cannot also act as a member company.
        raise ValidationError(_("Mit einem Konto der Geschäftsstelle oder Administration kann keine Einladung angenommen werden."))
    if contact.user_id not in (None, user.pk) or Contact.objects.filter(user=user).exclude(pk=contact.pk).exists():
        raise ValidationError(_("Dieses Konto ist bereits mit einem anderen Kontakt verbunden."))
    contact.user = user
    _save(contact, by=user, update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation._history_user = user  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    invitation.save(update_fields=["accepted_at"])
    return contact


# --- the directory's saved filters and bulk actions ------------------------------------------


def saved_filter_save(*, user: User, network: Network, name: str, query: str) -> SavedFilter:
    """Store (or overwrite, by name) one of the user's own filters of a network's directory."""
    saved, _created = SavedFilter.objects.update_or_create(user=user, network=network, name=name, defaults={"query": query})
    return saved


def saved_filter_delete(*, saved: SavedFilter) -> None:
    saved.delete()


class BulkAction(models.TextChoices):
    SET_STATUS = "set_status", _("Status ändern")
    TRASH = "trash", _("In den Papierkorb")


@transaction.atomic
def memberships_bulk_apply(*, network: Network, pks: Iterable[int], action: str, by: User, status: str | None = None) -> list[str]:
    """Change the status of (or trash) many memberships of one network. Returns the refusals, one per organisation.

    The rows are locked together; a refused row does not undo the others (each runs in a savepoint).
    """
    refused: list[str] = []
    rows = Membership.objects.for_network(network).filter(pk__in=list(pks)).select_related("organisation").select_for_update(of=("self",))
    for membership in rows:
        try:
            with transaction.atomic():
                if action == BulkAction.TRASH:
                    membership_trash(membership=membership, by=by)
                else:
                    membership_change_status(membership=membership, to_status=status or "", by=by, note=_("Sammelaktion"))
        except ValidationError as exc:
            refused.append(f"{membership.organisation.name}: {' '.join(exc.messages)}")
    return refused
