"""The batch an import leaves: what it created (its job page) and undoing it ("Import rückgängig machen").

Every membership and contact an import writes carries `import_job`; the job is the batch. Undo moves
the batch to the network's trash within UNDO_DAYS of the import, with the semantics of
membership_trash and contact_trash, but in bulk; what something else has come to depend on since
stays, and the confirmation page names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from members.models import Contact, ContactExit, Membership, MembershipStatusChange, Organisation
from members.services import TRASH_DAYS
from verbund.models import BackgroundJob, User

UNDO_DAYS = TRASH_DAYS  # an import can be moved to the trash this long after it ended


def batch_memberships(job: BackgroundJob) -> models.QuerySet[Membership]:
    """The memberships (of new organisations) an import created in its network, trashed or not."""
    return Membership.objects.filter(import_job=job, network=job.network).select_related("organisation").order_by("organisation__name", "pk")


def batch_added_contacts(job: BackgroundJob) -> models.QuerySet[Contact]:
    """The contacts an import added to organisations the network had before it."""
    return (
        Contact.objects.filter(import_job=job)
        # NOT IN one subquery, not a correlated NOT EXISTS per contact (seconds at 10,000 rows on SQLite)
        .exclude(organisation_id__in=Membership.objects.filter(import_job=job).values("organisation_id"))
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "pk")
    )


@dataclass
class UndoPlan:
    """What undoing an import would move to the trash, and what stays (with the reason)."""

    memberships: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)
    # People of companies another network holds too: this network ends its own relation (ContactExit), nobody else's.
    exits: list[int] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (name, reason), the first UNDO_LIST_LIMIT
    blocked_count: int = 0
    refusal: str = ""  # the whole import cannot be undone (too old, already undone, not finished)

    @property
    def possible(self) -> bool:
        return not self.refusal and bool(self.memberships or self.contacts or self.exits)


UNDO_LIST_LIMIT = 100


def undo_deadline(job: BackgroundJob) -> Any:
    return (job.finished_at or job.created_at) + timedelta(days=UNDO_DAYS)


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def _dependents(model: type[models.Model], ids: models.QuerySet[Any], *, ignore: set[type[models.Model]]) -> dict[int, set[str]]:
    """Rows of other models that point at the given rows (any app, found through `_meta`): pk → their names.

    History records, the auto-created tables of the model's own many-to-many fields and `ignore` don't count.
    """
    found: dict[int, set[str]] = {}
    own_through = {f.remote_field.through for f in model._meta.many_to_many}
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        related = relation.related_model
        if related is None or _is_history(related) or related in ignore or related in own_through:
            continue
        name = relation.field.name  # type: ignore[union-attr]  # a reverse relation has its forward field
        meta = related._meta
        if meta.auto_created:  # the table of another model's many-to-many field: say that model's name
            meta = meta.auto_created._meta  # type: ignore[attr-defined]  # on an auto-created table it is the model that made it
        label = str(meta.verbose_name_plural)
        for pk in related._base_manager.filter(**{f"{name}__in": ids}).order_by().values_list(name, flat=True).distinct():
            found.setdefault(pk, set()).add(label)
    return found


def import_undo_plan(job: BackgroundJob) -> UndoPlan:
    """Which of an import's memberships and contacts can go to the trash, and what stays and why.

    Possible within UNDO_DAYS after the import ended, once. A record stays when something else has
    come to depend on it since: a login, registrations, consents, needs, further contacts of an
    imported company (any row of any app that points at it).
    """
    plan = UndoPlan()
    if job.kind != BackgroundJob.Kind.IMPORT or job.status != BackgroundJob.Status.DONE:
        plan.refusal = _("Nur ein abgeschlossener Import kann rückgängig gemacht werden.")
        return plan
    if job.params.get("undone_at"):
        plan.refusal = _("Dieser Import wurde bereits rückgängig gemacht.")
        return plan
    if timezone.now() > undo_deadline(job):
        plan.refusal = _(
            "Der Import liegt mehr als %(days)s Tage zurück und kann nicht mehr rückgängig gemacht werden. Einzelne Einträge lassen sich weiterhin im Verzeichnis in den Papierkorb legen."
        ) % {"days": UNDO_DAYS}
        return plan
    memberships = Membership.objects.filter(import_job=job, network=job.network, archived_at__isnull=True)
    contacts = Contact.objects.filter(import_job=job, archived_at__isnull=True)
    membership_rows = list(memberships.values_list("pk", "organisation_id", "organisation__name"))
    contact_rows = list(contacts.values_list("pk", "organisation_id", "first_name", "last_name", "user_id"))

    contact_reasons: dict[int, set[str]] = _dependents(Contact, contacts.values("pk"), ignore=set())
    for pk, _org, _first, _last, user_id in contact_rows:
        if user_id is not None:
            contact_reasons.setdefault(pk, set()).add(_("Zugang zum Portal"))
    organisation_ids = memberships.values("organisation_id")
    org_reasons = _dependents(Organisation, organisation_ids, ignore={Membership, Contact})
    organisation_of = {pk: org_id for pk, org_id, _name in membership_rows}
    for pk, labels in _dependents(Membership, memberships.values("pk"), ignore={MembershipStatusChange}).items():
        org_reasons.setdefault(organisation_of[pk], set()).update(labels)
    later_contacts = Contact.objects.filter(organisation_id__in=organisation_ids, archived_at__isnull=True).exclude(import_job=job)
    for org_id in later_contacts.order_by().values_list("organisation_id", flat=True).distinct():
        org_reasons.setdefault(org_id, set()).add(_("später ergänzte Kontaktpersonen"))
    for pk, org_id, *_rest in contact_rows:
        if pk in contact_reasons:
            org_reasons.setdefault(org_id, set()).add(_("Kontaktpersonen mit Abhängigkeiten"))

    imported_orgs = {org for _m, org, _name in membership_rows}
    for pk, org_id, name in membership_rows:
        if org_id in org_reasons:
            plan.blocked_count += 1
            if len(plan.blocked) < UNDO_LIST_LIMIT:
                plan.blocked.append((name, ", ".join(sorted(org_reasons[org_id]))))
        else:
            plan.memberships.append(pk)
    # A company another network holds too (docs/SHARED-COMPANIES.md): its people stay for that network.
    shared = set(
        Membership.objects.filter(organisation_id__in={org_id for _pk, org_id, *_rest in contact_rows}, archived_at__isnull=True)
        .exclude(network=job.network)
        .values_list("organisation_id", flat=True)
    )
    for pk, org_id, first, last, _user in contact_rows:
        reasons = contact_reasons.get(pk) or ({_("die Organisation bleibt")} if org_id in imported_orgs and org_id in org_reasons else set())
        if reasons:
            plan.blocked_count += 1
            if len(plan.blocked) < UNDO_LIST_LIMIT:
                plan.blocked.append((" ".join(part for part in (first, last) if part), ", ".join(sorted(reasons))))
        elif org_id in shared:
            plan.exits.append(pk)
        else:
            plan.contacts.append(pk)
    return plan


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def import_undo(*, job: BackgroundJob, by: User) -> UndoPlan:
    """Move an import's memberships and contacts to the trash (membership_trash / contact_trash semantics, in bulk).

    What depends on something else stays (see import_undo_plan) and is returned in `blocked`. Raises
    nothing; a refusal (too old, already undone) comes back in `refusal` with nothing changed.
    """
    job = BackgroundJob.objects.select_for_update().select_related("network").get(pk=job.pk)
    plan = import_undo_plan(job)
    if plan.refusal:
        return plan
    now = timezone.now()
    for ids in _chunks(plan.memberships):
        Membership.objects.filter(pk__in=ids, archived_at__isnull=True).update(archived_at=now, archived_by=by, updated_at=now)
        Membership.history.bulk_history_create(list(Membership.objects.filter(pk__in=ids)), update=True, default_user=by, default_date=now)
    for ids in _chunks(plan.contacts):
        Contact.objects.filter(pk__in=ids, archived_at__isnull=True).update(archived_at=now, is_primary=False, updated_at=now)
        Contact.history.bulk_history_create(list(Contact.objects.filter(pk__in=ids)), update=True, default_user=by, default_date=now)
    ContactExit.objects.bulk_create([ContactExit(contact_id=pk, network=job.network, ended_by=by) for pk in plan.exits], ignore_conflicts=True, batch_size=500)
    job.params = {
        **job.params,
        "undone_at": now.isoformat(),
        "undone_by": by.pk,
        "undone": {"memberships": len(plan.memberships), "contacts": len(plan.contacts), "exits": len(plan.exits), "blocked": plan.blocked_count},
    }
    job.save(update_fields=["params"])
    return plan


def undone_on(job: BackgroundJob) -> date | None:
    value = job.params.get("undone_at") if isinstance(job.params, dict) else None
    return timezone.localtime(datetime.fromisoformat(value)).date() if value else None
