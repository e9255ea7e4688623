"""Who may end what when a company is a member of several networks (docs/SHARED-COMPANIES.md), and what an erasure removes.

A company's profile and its people are one record shared by every network that holds it (has a membership,
also one in its trash). So:

- a network ends its own relation: to a company with `membership_trash` (members.services), to a person with
  `contact_exit` (members.models.ContactExit) — she leaves that network's audiences, nobody else's;
- deleting a shared person (trash, Art. 17 erasure) needs the company itself (member portal), staff, or a
  manager who runs every network that still holds her (`may_delete_contact`);
- master-data edits stay open to each holder and show in the organisation's history for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Consent, Contact, ContactExit, GovernancePosition, Invitation, Organisation
from members.privacy import login_is_only_theirs, mail_files, normalise_email
from verbund.models import ManagerRole, Network, User
from verbund.services import save_audited

# --- which networks hold a company or a person ---------------------------------------------------------------------


def holding_networks(organisation: Organisation) -> QuerySet[Network]:
    """Every network with a membership of the company, also one in its trash (that network may still restore it)."""
    return Network.objects.filter(memberships__organisation=organisation).distinct()


def contact_holders(contact: Contact) -> QuerySet[Network]:
    """The networks that hold the person: those holding her company, less those that ended their relation to her."""
    return holding_networks(contact.organisation).exclude(contact_exits__contact=contact)


def other_networks(organisation: Organisation, network: Network) -> QuerySet[Network]:
    """The other networks that hold this company: whose offices see a change of its master data."""
    return holding_networks(organisation).exclude(pk=network.pk)


def _runs_all(user: User, networks: QuerySet[Network]) -> bool:
    needed = set(networks.values_list("pk", flat=True))
    if not needed:
        return False
    managing = [role.value for role in ManagerRole.Role if role.can_manage]
    runs = set(ManagerRole.objects.filter(user=user, role__in=managing, network_id__in=needed).values_list("network_id", flat=True))
    return runs == needed


def may_delete_contact(*, user: User, contact: Contact) -> bool:
    """Whether `user` may delete (trash, erase) the person for everyone: staff, the company itself, or a manager of every holder."""
    if user.is_staff:
        return True
    own = getattr(user, "contact", None)
    if own is not None and own.organisation_id == contact.organisation_id and own.archived_at is None:
        return True
    return _runs_all(user, contact_holders(contact))


def deletable_contact_ids(*, user: User, organisation: Organisation) -> set[int]:
    """The people of a company `user` may delete, in two queries plus one per person another network ended (rare)."""
    holders = set(holding_networks(organisation).values_list("pk", flat=True))
    managing = [role.value for role in ManagerRole.Role if role.can_manage]
    runs = set(ManagerRole.objects.filter(user=user, role__in=managing, network_id__in=holders).values_list("network_id", flat=True))
    exits: dict[int, set[int]] = {}
    for contact_id, network_id in ContactExit.objects.filter(contact__organisation=organisation).values_list("contact_id", "network_id"):
        exits.setdefault(contact_id, set()).add(network_id)
    result = set()
    for contact_id in organisation.contacts.values_list("pk", flat=True):
        needed = holders - exits.get(contact_id, set())
        if user.is_staff or (needed and needed <= runs):
            result.add(contact_id)
    return result


# --- a network ends its own relation to a person ---------------------------------------------------------------------


@transaction.atomic
def contact_exit(*, contact: Contact, network: Network, by: User) -> ContactExit:
    """End `network`'s relation to a person of a member company: she leaves its audiences; the company and other networks keep her.

    Raises ValidationError when the company is no member of the network. Ending twice returns the first record.
    """
    if not holding_networks(contact.organisation).filter(pk=network.pk).exists():
        raise ValidationError(_("Die Person gehört zu keiner Mitgliedsorganisation dieses Verbunds."))
    existing = ContactExit.objects.filter(contact=contact, network=network).first()
    if existing is not None:
        return existing
    ended = ContactExit(contact=contact, network=network, ended_by=by)
    ended.full_clean()
    ended.save()
    # Her offices in this network (chair, board …) end today too; the other networks' stay.
    today = timezone.localdate()
    for position in GovernancePosition.objects.filter(contact=contact, network=network, until__isnull=True):
        position.until = max(today, position.since) if position.since else today
        save_audited(position, by=by, update_fields=["until"])
    return ended


@transaction.atomic
def contact_exit_undo(*, contact: Contact, network: Network, by: User) -> None:
    """Take the person back into the network's audiences (consents she gave stay as they were)."""
    ContactExit.objects.filter(contact=contact, network=network).delete()


# --- what an erasure removes (the confirmation page) ------------------------------------------------------------------


@dataclass
class ErasurePlan:
    contact: Contact
    consents: list[Consent] = field(default_factory=list)
    positions: list[GovernancePosition] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    references: list[tuple[str, int]] = field(default_factory=list)  # (what, how many) in other apps: anonymised or deleted
    login: User | None = None
    login_only_theirs: bool = True
    mail_files: list[Path] = field(default_factory=list)

    @property
    def refused(self) -> str:
        """Why a network manager may not erase this person here ('' when she may)."""
        if self.login is not None and not self.login_only_theirs:
            return _("Diese Person hat ein Konto der Geschäftsstelle oder Administration. Löschen kann sie nur die Administration.")
        return ""

    @property
    def mail_line(self) -> str:
        count = len(self.mail_files)
        return ngettext("%(count)d gespeicherte E-Mail an oder über die Person", "%(count)d gespeicherte E-Mails an oder über die Person", count) % {
            "count": count
        }


def erasure_plan(contact: Contact) -> ErasurePlan:
    """Everything person_erase will remove or anonymise for this person, counted for the confirmation page. Reads only."""
    contact = Contact.objects.select_related("organisation", "user").get(pk=contact.pk)
    plan = ErasurePlan(
        contact=contact,
        consents=list(Consent.objects.filter(contact=contact).select_related("network").order_by("network__name", "purpose", "granted_at")),
        positions=list(GovernancePosition.objects.filter(contact=contact).select_related("network")),
        invitations=list(Invitation.objects.filter(contact=contact).select_related("network")),
        login=contact.user,
        login_only_theirs=contact.user is None or login_is_only_theirs(contact.user),
    )
    for relation in Contact._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model is None or model._meta.app_label == "members" or model.__name__.startswith("Historical"):
            continue
        count = model._base_manager.filter(**{relation.field.name: contact}).count()  # type: ignore[union-attr]  # a reverse relation has a field
        if count:
            plan.references.append((str(model._meta.verbose_name_plural), count))
    emails = {normalise_email(contact.email)} | ({normalise_email(contact.user.email)} if contact.user else set())
    plan.mail_files = mail_files(emails - {""})
    return plan
