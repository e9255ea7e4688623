"""Merging two organisations or two contacts: first a preview (the plan), then one transaction, all or nothing.

Everything that points at the merged record moves to the kept one. The rows are found generically
(`_meta.get_fields(include_hidden=True)`, the history tables left out), so members never imports the apps
that point at it: registrations, needs, enrolments, deliveries … move without members knowing them. A row
that would break a unique constraint on the kept side (both registered for the same meeting, both with a
need in the same cell) is folded: the kept side's row stays, the other's own rows move to it, and it is
deleted; the preview says so. Two memberships in the same network become one, with the dates and status
combined. The merged record is deleted, its history stays (simple_history keeps the rows, and the
members.models.MergeRecord names its id and holds a snapshot of what it was).

Shared companies: a merge deletes a record, so the manager must run every network that holds either
organisation (DESIGN: deleting a shared company or contact needs every network that holds it).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.duplicates import ContactProbe, contact_match
from members.models import CONTACT_FIELDS, ORGANISATION_FIELDS, Contact, Membership, MembershipStatusChange, MergeRecord, Organisation
from members.services import organisation_refresh_search
from verbund.fieldsets import FieldSet
from verbund.formatting import format_date
from verbund.models import ManagerRole, Network, User
from verbund.services import save_audited

KEPT, MERGED = "kept", "merged"
# How a clash on the kept side is resolved, by constraint name (names are unique in the database).
DEMOTE, COMBINE, FOLD = "demote", "combine", "fold"
POLICIES = {"one_primary_contact_per_organisation": DEMOTE, "unique_membership": COMBINE}
MAX_DEPTH = 4
_STATUS_RANK = {Membership.Status.ACTIVE: 3, Membership.Status.PAUSED: 2, Membership.Status.PROSPECT: 1, Membership.Status.LEFT: 0}


# --- what points at a record -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """One kind of row pointing at a record: `model.field` is a foreign key to it."""

    model: type[Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        owner = self.model._meta.auto_created
        # The table behind a many-to-many field: name it after the field (e.g. "Schlagwörter Kompetenzen").
        if isinstance(owner, type) and issubclass(owner, Model):
            for m2m in owner._meta.local_many_to_many:
                if m2m.remote_field.through is self.model:
                    return str(m2m.verbose_name)
        return str(self.model._meta.verbose_name_plural)

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    def rows(self, target: Model) -> models.QuerySet:
        return self.model._base_manager.filter(**{self.field.name: target}).order_by("pk")


def relations(model: type[Model]) -> list[Relation]:
    """Every foreign key to `model` (hidden ones and many-to-many tables too), without simple_history's tables."""
    found = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or not isinstance(rel, models.ForeignObjectRel):
            continue
        related = rel.related_model
        if getattr(related, "instance_type", None) is not None:  # a historical model: history stays where it is
            continue
        if rel.many_to_many:
            continue  # its table's own foreign key is listed as a hidden relation of its own
        assert isinstance(rel.field, models.ForeignKey)
        found.append(Relation(related, rel.field))
    return sorted(found, key=lambda r: r.key)


def _unique_groups(relation: Relation) -> list[tuple[str, tuple[str, ...], Q | None]]:
    """The unique constraints of `relation.model` that include the foreign key: (name, the other fields, condition)."""
    opts = relation.model._meta
    name = relation.field.name
    groups: list[tuple[str, tuple[str, ...], Q | None]] = []
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and name in constraint.fields:
            groups.append((constraint.name, tuple(f for f in constraint.fields if f != name), constraint.condition))
    for together in opts.unique_together:
        if name in together:
            groups.append(("unique_together:" + ",".join(together), tuple(f for f in together if f != name), None))
    if relation.field.unique:
        groups.append((f"unique:{name}", (), None))
    return groups


@dataclass(frozen=True)
class Conflict:
    """A row of the merged record that would clash with `twin`, a row of the kept one."""

    relation: Relation
    row: Model
    twin: Model
    policy: str


def conflicts(relation: Relation, *, kept: Model, merged: Model) -> list[Conflict]:
    found: dict[Any, Conflict] = {}
    for name, others, condition in _unique_groups(relation):
        kept_rows, merged_rows = relation.rows(kept), relation.rows(merged)
        if condition is not None:
            kept_rows, merged_rows = kept_rows.filter(condition), merged_rows.filter(condition)
        attnames = [relation.model._meta.get_field(other).attname for other in others]  # type: ignore[union-attr]  # unique fields are concrete
        twins = {tuple(getattr(row, a) for a in attnames): row for row in kept_rows}
        for row in merged_rows:
            values = tuple(getattr(row, a) for a in attnames)
            if None in values:
                continue  # NULLs never clash in a unique constraint
            if values in twins and row.pk not in found:
                found[row.pk] = Conflict(relation, row, twins[values], POLICIES.get(name, FOLD))
    return list(found.values())


# --- the preview -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChoice:
    """One editable field: both values and which one wins by default (the kept record's unless it is empty)."""

    name: str
    label: str
    kept: str
    merged: str
    take_merged: bool

    @property
    def differs(self) -> bool:
        return self.kept != self.merged


@dataclass
class Move:
    """Rows of one kind that point at the merged record: how many move, and what happens to the ones that clash."""

    relation: Relation
    count: int
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.relation.label


@dataclass
class MergePlan:
    kind: str
    kept: Organisation | Contact
    merged: Organisation | Contact
    fields: list[FieldChoice]
    moves: list[Move]
    notes: list[str]
    refusal: str = ""

    @property
    def choosable(self) -> list[FieldChoice]:
        return [choice for choice in self.fields if choice.differs and choice.kept and choice.merged]

    @property
    def default_take_merged(self) -> set[str]:
        return {choice.name for choice in self.fields if choice.take_merged}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _display(instance: Model, name: str) -> str:
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    model_field = instance._meta.get_field(name)
    if getattr(model_field, "choices", None):
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    return str(value)


def _field_choices(fieldset: FieldSet, kept: Model, merged: Model) -> list[FieldChoice]:
    choices = []
    m2m = {f.name for f in fieldset.model._meta.local_many_to_many}
    for name in fieldset.names:
        if name in m2m:
            continue
        kept_value, merged_value = getattr(kept, name), getattr(merged, name)
        take = _is_empty(kept_value) and not _is_empty(merged_value) and not isinstance(kept_value, bool)
        if name == "is_primary":  # a main contact stays one when she is folded into a duplicate of the same organisation
            take = bool(merged_value and not kept_value and getattr(kept, "organisation_id", None) == getattr(merged, "organisation_id", None))
        model_field = fieldset.model._meta.get_field(name)
        label = str(getattr(model_field, "verbose_name", name))
        choices.append(FieldChoice(name, label, _display(kept, name), _display(merged, name), take))
    return choices


def _combined_membership(kept: Membership, merged: Membership) -> dict[str, Any]:
    """One membership from two in the same network: the more current status, the earlier join, notes of both."""
    status = max((kept.status, merged.status), key=lambda s: _STATUS_RANK.get(Membership.Status(s), 0))
    joined = [d for d in (kept.joined_on, merged.joined_on) if d]
    left = [d for d in (kept.left_on, merged.left_on) if d]
    notes = [n.strip() for n in (kept.notes, merged.notes) if n and n.strip()]
    live = kept.archived_at is None or merged.archived_at is None
    return {
        "status": status,
        "joined_on": min(joined) if joined else None,
        "left_on": max(left) if status == Membership.Status.LEFT and left else None,
        "annual_fee": kept.annual_fee if kept.annual_fee is not None else merged.annual_fee,
        "notes": "\n".join(dict.fromkeys(notes)),
        # The kept membership's own origin: a membership older than an import never becomes part of its batch (undo).
        "import_job_id": kept.import_job_id,
        "archived_at": None if live else kept.archived_at,
        "archived_by_id": None if live else kept.archived_by_id,
    }


def _conflict_note(conflict: Conflict, kept: Model) -> str:
    row, twin = conflict.row, conflict.twin
    if conflict.policy == DEMOTE:
        return _("Beide haben eine Hauptansprechperson: %(twin)s bleibt es, %(row)s wird weitere Ansprechperson.") % {"twin": twin, "row": row}
    if conflict.policy == COMBINE:
        assert isinstance(row, Membership) and isinstance(twin, Membership)
        combined = _combined_membership(twin, row)
        joined = format_date(combined["joined_on"], "date_short") if combined["joined_on"] else "–"
        return _("Mitgliedschaft in %(network)s auf beiden Seiten: sie werden zu einer (Status %(status)s, Eintritt %(joined)s).") % {
            "network": twin.network,
            "status": Membership.Status(combined["status"]).label,
            "joined": joined,
        }
    return _("Doppelt: „%(row)s“ – der Eintrag von „%(kept)s“ bleibt, der andere wird gelöscht.") % {"row": row, "kept": kept}


def _moves(kept: Model, merged: Model) -> list[Move]:
    moves = []
    for relation in relations(type(kept)):
        count = relation.rows(merged).count()
        if count:
            moves.append(Move(relation, count, [_conflict_note(c, kept) for c in conflicts(relation, kept=kept, merged=merged)]))
    return moves


def _manageable_network_ids(user: User) -> set[int]:
    roles = [role for role in ManagerRole.Role if role.can_manage]
    return set(ManagerRole.objects.filter(user=user, role__in=roles).values_list("network_id", flat=True))


def merge_refusal(organisations: list[Organisation], *, network: Network, user: User) -> str:
    """Why these organisations (or their people) may not be merged by `user` from `network`; '' when they may.

    Both must be members of `network` (not in its trash); neither may belong to a network the user does not run.
    """
    runs = _manageable_network_ids(user)
    if network.pk not in runs:
        return _("Sie können in diesem Verbund nichts zusammenführen.")
    here = set(Membership.objects.filter(network=network, archived_at__isnull=True, organisation__in=organisations).values_list("organisation_id", flat=True))
    for organisation in organisations:
        if organisation.pk not in here or organisation.archived_at is not None:
            return _("„%(name)s“ ist kein Mitglied dieses Verbunds.") % {"name": organisation.name}
    for organisation in organisations:
        if Membership.objects.filter(organisation=organisation).exclude(network_id__in=runs).exists():
            return _(
                "„%(name)s“ ist auch Mitglied in einem Verbund, den Sie nicht betreuen. Eine Organisation, die mehrere Verbünde teilen, "
                "kann nur zusammengeführt werden, wenn jeder dieser Verbünde zustimmt: bitte wenden Sie sich an dessen Geschäftsstelle "
                "oder an die Administration."
            ) % {"name": organisation.name}
    return ""


def organisation_merge_plan(*, kept: Organisation, merged: Organisation, network: Network, user: User) -> MergePlan:
    """What merging `merged` into `kept` would do; `refusal` says why it may not happen."""
    refusal = _("Eine Organisation kann nicht mit sich selbst zusammengeführt werden.") if kept.pk == merged.pk else ""
    refusal = refusal or merge_refusal([kept, merged], network=network, user=user)
    notes = []
    if merged_tags := set(merged.competency_tags.values_list("name", flat=True)) | set(merged.need_tags.values_list("name", flat=True)):
        notes.append(_("Schlagwörter beider werden vereinigt (%(tags)s).") % {"tags": ", ".join(sorted(merged_tags))})
    kept_people = [ContactProbe.of(c) for c in kept.contacts.filter(archived_at__isnull=True)]
    for contact in merged.contacts.filter(archived_at__isnull=True):
        probe = replace(ContactProbe.of(contact), organisation_id=kept.pk)  # as she will be: at the kept organisation
        for other in kept_people:
            if match := contact_match(probe, other):
                notes.append(
                    _("%(name)s gibt es danach wohl zweimal (%(reason)s): auf der Dubletten-Seite zusammenführen.") % {"name": contact, "reason": match.reason}
                )
                break
    return MergePlan(MergeRecord.Kind.ORGANISATION, kept, merged, _field_choices(ORGANISATION_FIELDS, kept, merged), _moves(kept, merged), notes, refusal)


def contact_merge_refusal(*, kept: Contact, merged: Contact, network: Network, user: User) -> str:
    """Why these two people may not be merged; '' when they may (merge_refusal for their organisations, and one login at most)."""
    if kept.pk == merged.pk:
        return _("Ein Kontakt kann nicht mit sich selbst zusammengeführt werden.")
    organisations = [kept.organisation] if kept.organisation_id == merged.organisation_id else [kept.organisation, merged.organisation]
    if refusal := merge_refusal(organisations, network=network, user=user):
        return refusal
    if kept.user_id and merged.user_id:
        return _("Beide Kontakte haben einen eigenen Zugang zum Portal. Bitte entfernen Sie zuerst einen der Zugänge (Administration).")
    return ""


def contact_merge_plan(*, kept: Contact, merged: Contact, network: Network, user: User) -> MergePlan:
    refusal = contact_merge_refusal(kept=kept, merged=merged, network=network, user=user)
    notes = []
    if merged.user_id and not kept.user_id:
        notes.append(_("Der Zugang zum Portal von %(name)s geht auf den behaltenen Kontakt über.") % {"name": merged})
    if kept.organisation_id != merged.organisation_id:
        notes.append(
            _("Die beiden gehören zu verschiedenen Organisationen; der behaltene Kontakt bleibt bei „%(organisation)s“.") % {"organisation": kept.organisation}
        )
    return MergePlan(MergeRecord.Kind.CONTACT, kept, merged, _field_choices(CONTACT_FIELDS, kept, merged), _moves(kept, merged), notes, refusal)


# --- the merge -------------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    moved: Counter[str] = field(default_factory=Counter)
    folded: Counter[str] = field(default_factory=Counter)
    demoted: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"moved": dict(self.moved), "folded": dict(self.folded), "demoted": self.demoted}


def _membership_fold(*, kept: Membership, merged: Membership, by: User) -> None:
    combined = _combined_membership(kept, merged)
    previous = kept.status
    changed = [name.removesuffix("_id") for name, value in combined.items() if getattr(kept, name) != value]
    for name, value in combined.items():
        setattr(kept, name, value)
    if changed:
        save_audited(kept, by=by, update_fields=changed, validate=False)
    if kept.status != previous:
        MembershipStatusChange.objects.create(
            membership=kept, from_status=previous, to_status=kept.status, effective_on=timezone.localdate(), changed_by=by, note=_("Zusammenführung")
        )


def _move_all(*, kept: Model, merged: Model, by: User, tally: _Tally, depth: int = 0) -> None:
    """Point every row that points at `merged` at `kept`, resolving clashes (see the module's docstring)."""
    if depth > MAX_DEPTH:
        raise ValidationError(_("Diese Datensätze sind zu verschachtelt, um sie automatisch zusammenzuführen."))
    for relation in relations(type(kept)):
        clashes = conflicts(relation, kept=kept, merged=merged)
        gone = set()
        for conflict in clashes:
            row = conflict.row
            if conflict.policy == DEMOTE:
                row.is_primary = False  # type: ignore[attr-defined]  # the policy exists for Contact.is_primary
                save_audited(row, by=by, update_fields=["is_primary"], validate=False)
                tally.demoted += 1
                continue
            if conflict.policy == COMBINE:
                assert isinstance(row, Membership) and isinstance(conflict.twin, Membership)
                _membership_fold(kept=conflict.twin, merged=row, by=by)
            _move_all(kept=conflict.twin, merged=row, by=by, tally=tally, depth=depth + 1)
            row._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
            row.delete()
            gone.add(row.pk)
            tally.folded[relation.key] += 1
        for row in relation.rows(merged).exclude(pk__in=gone):
            setattr(row, relation.field.attname, kept.pk)
            save_audited(row, by=by, update_fields=[relation.field.name], validate=False)
            tally.moved[relation.key] += 1


def _snapshot(instance: Model, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}
    for m2m in instance._meta.local_many_to_many:
        data[m2m.name] = sorted(str(o) for o in getattr(instance, m2m.name).all())
    data |= extra
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _apply_fields(fieldset: FieldSet, *, kept: Model, merged: Model, take_from_merged: set[str]) -> list[str]:
    unknown = take_from_merged - set(fieldset.names)
    if unknown:
        raise TypeError(f"{fieldset.model.__name__}: unknown fields {sorted(unknown)}")
    changed = fieldset.apply(kept, {name: getattr(merged, name) for name in sorted(take_from_merged)})
    if changed:
        kept.full_clean(exclude=[f.name for f in kept._meta.fields if f.name not in changed], validate_unique=False, validate_constraints=False)
    return changed


def _ensure_nothing_left(merged: Model) -> None:
    """Deleting `merged` must not take anything along by cascade: everything has moved."""
    for relation in relations(type(merged)):
        if relation.rows(merged).exists():
            raise ValidationError(_("Beim Zusammenführen ist etwas nicht übernommen worden (%(what)s); es wurde nichts geändert.") % {"what": relation.label})


def _record(*, kind: str, network: Network, kept: Model, merged: Model, snapshot: dict[str, Any], tally: _Tally, fields: list[str], by: User) -> MergeRecord:
    record = MergeRecord(
        kind=kind,
        network=network,
        kept_id=kept.pk,
        merged_id=merged.pk,
        merged_label=str(merged)[:300],
        snapshot=snapshot,
        moved=tally.as_json() | {"fields_from_merged": fields},
        merged_by=by,
    )
    save_audited(record, by=by)
    return record


@transaction.atomic
def organisation_merge(*, kept: Organisation, merged: Organisation, network: Network, by: User, take_from_merged: set[str] | None = None) -> MergeRecord:
    """Fold `merged` into `kept`: its fields named in `take_from_merged` (default: those `kept` lacks), then everything that points at it.

    Raises ValidationError (nothing changed) when the merge is refused (merge_refusal) or would leave something behind.
    """
    locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk])}
    if kept.pk == merged.pk or len(locked) != 2:
        raise ValidationError(_("Eine Organisation kann nicht mit sich selbst zusammengeführt werden."))
    kept, merged = locked[kept.pk], locked[merged.pk]
    if refusal := merge_refusal([kept, merged], network=network, user=by):
        raise ValidationError(refusal)
    if take_from_merged is None:
        take_from_merged = {c.name for c in _field_choices(ORGANISATION_FIELDS, kept, merged) if c.take_merged}
    memberships = [
        {"network_id": m.network_id, "status": m.status, "joined_on": m.joined_on, "left_on": m.left_on} for m in merged.memberships.order_by("network_id")
    ]
    people = [{"id": c.pk, "name": c.full_name, "email": c.email} for c in merged.contacts.order_by("pk")]
    snapshot = _snapshot(merged, memberships=memberships, contacts=people)
    tally = _Tally()
    _move_all(kept=kept, merged=merged, by=by, tally=tally)
    changed = _apply_fields(ORGANISATION_FIELDS, kept=kept, merged=merged, take_from_merged=take_from_merged)
    if changed:
        save_audited(kept, by=by, update_fields=changed, validate=False)
    organisation_refresh_search(kept)
    _ensure_nothing_left(merged)
    merged_pk = merged.pk
    merged._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    merged.delete()
    merged.pk = merged_pk  # for the record: the id the history rows keep
    return _record(kind=MergeRecord.Kind.ORGANISATION, network=network, kept=kept, merged=merged, snapshot=snapshot, tally=tally, fields=changed, by=by)


@transaction.atomic
def contact_merge(*, kept: Contact, merged: Contact, network: Network, by: User, take_from_merged: set[str] | None = None) -> MergeRecord:
    """Fold the person `merged` into `kept`: registrations, consents, enrolments, positions, invitations … move; the login too.

    Raises ValidationError (nothing changed) when refused: other networks' company, or both with a login.
    """
    locked = {c.pk: c for c in Contact.objects.select_for_update().select_related("organisation").filter(pk__in=[kept.pk, merged.pk])}
    if kept.pk == merged.pk or len(locked) != 2:
        raise ValidationError(_("Ein Kontakt kann nicht mit sich selbst zusammengeführt werden."))
    kept, merged = locked[kept.pk], locked[merged.pk]
    if refusal := contact_merge_refusal(kept=kept, merged=merged, network=network, user=by):
        raise ValidationError(refusal)
    if take_from_merged is None:
        take_from_merged = {c.name for c in _field_choices(CONTACT_FIELDS, kept, merged) if c.take_merged}
    snapshot = _snapshot(merged)
    tally = _Tally()
    login = merged.user_id if not kept.user_id else None
    if login:
        merged.user = None
        save_audited(merged, by=by, update_fields=["user"], validate=False)
    _move_all(kept=kept, merged=merged, by=by, tally=tally)
    changed = _apply_fields(CONTACT_FIELDS, kept=kept, merged=merged, take_from_merged=take_from_merged)
    if login:
        kept.user_id = login
        changed.append("user")
    if kept.is_primary:
        for other in Contact.objects.filter(organisation_id=kept.organisation_id, is_primary=True).exclude(pk=kept.pk):
            other.is_primary = False
            save_audited(other, by=by, update_fields=["is_primary"], validate=False)
            if other.pk == merged.pk:
                merged.is_primary = False
    if changed:
        save_audited(kept, by=by, update_fields=changed, validate=False)
    _ensure_nothing_left(merged)
    merged_pk = merged.pk
    merged._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
    merged.delete()
    merged.pk = merged_pk
    return _record(kind=MergeRecord.Kind.CONTACT, network=network, kept=kept, merged=merged, snapshot=snapshot, tally=tally, fields=changed, by=by)
