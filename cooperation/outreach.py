"""The office's contact log and acquisition (issue 19): the writes, the pipeline's figures and the indicators.

Every write is `<entity>_<action>(*, …, by)`, owns its transaction and saves through `verbund.services.save_audited`.
The pipeline is built on members' own prospect status (`Membership.Status.PROSPECT`): a prospect is an organisation
entered in the directory with status "Interessent" (members.services.organisation_create, the directory's own form),
taken into the pipeline here, and won through `members.services.membership_change_status`,
so the directory, the member counts and the membership history stay the one truth.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import median
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import CONTACT_LOG_FIELDS, PROSPECT_FIELDS, ContactLogEntry, Prospect, ProspectStep
from members import services as member_services
from members.models import Membership, Organisation
from verbund.models import Network, User
from verbund.services import save_audited

STAGES = [Prospect.Stage.LEAD, Prospect.Stage.FIRST_TALK, Prospect.Stage.OFFER]  # the open stages, in order
CLOSED = [Prospect.Stage.WON, Prospect.Stage.DECLINED]


# --- contact log ---------------------------------------------------------------------------------------------


@transaction.atomic
def contact_log_create(*, network: Network, organisation: Organisation, by: User, data: dict[str, Any]) -> ContactLogEntry:
    """Note a call, visit, first talk or e-mail with `organisation`, by `by` of the office.

    The person talked to must belong to the organisation (ValidationError otherwise); a next step without a due
    date is kept as text but is no to-do."""
    values = CONTACT_LOG_FIELDS.take(data)
    contact = values.get("contact")
    if contact is not None and contact.organisation_id != organisation.pk:
        raise ValidationError({"contact": _("Diese Person gehört nicht zu der Organisation.")})
    if values.get("next_step_due") and not values.get("next_step"):
        raise ValidationError({"next_step": _("Bitte beschreiben Sie den nächsten Schritt.")})
    entry = ContactLogEntry(network=network, organisation=organisation, office_user=by, **values)
    save_audited(entry, by=by)
    return entry


@transaction.atomic
def contact_log_step_done(*, entry: ContactLogEntry, by: User) -> ContactLogEntry:
    """Mark the entry's next step as done (again: nothing changes)."""
    entry = ContactLogEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.next_step_done_at is None:
        entry.next_step_done_at = timezone.now()
        save_audited(entry, by=by, update_fields=["next_step_done_at"])
    return entry


# --- acquisition pipeline ------------------------------------------------------------------------------------


@transaction.atomic
def prospect_start(*, membership: Membership, by: User, data: dict[str, Any], on: date | None = None) -> Prospect:
    """Take a membership with status "Interessent" (e.g. entered in the directory) into the pipeline."""
    if membership.status != Membership.Status.PROSPECT:
        raise ValidationError(_("Nur Interessenten können in den Akquiseweg aufgenommen werden."))
    if Prospect.objects.filter(membership=membership).exists():
        raise ValidationError(_("Diese Organisation ist schon im Akquiseweg."))
    return _prospect_start(membership=membership, by=by, data=data, on=on)


def _prospect_start(*, membership: Membership, by: User, data: dict[str, Any], on: date | None) -> Prospect:
    prospect = Prospect(membership=membership, network=membership.network, stage=Prospect.Stage.LEAD, **PROSPECT_FIELDS.take(data))
    save_audited(prospect, by=by)
    ProspectStep.objects.create(prospect=prospect, from_stage="", to_stage=Prospect.Stage.LEAD, on=on or timezone.localdate(), by=by)
    return prospect


@transaction.atomic
def prospect_move(*, prospect: Prospect, to_stage: str, by: User, on: date | None = None) -> Prospect:
    """Move a prospect to another stage, recording the step with its day. "Mitglied" makes the membership active
    through members (membership_change_status: joined on `on`); a won prospect moves no more."""
    prospect = Prospect.objects.select_for_update().select_related("membership__organisation").get(pk=prospect.pk)
    if to_stage not in Prospect.Stage.values:
        raise ValidationError(_("Unbekannte Stufe."))
    if prospect.stage == Prospect.Stage.WON:
        raise ValidationError(_("Dieser Interessent ist schon Mitglied."))
    if to_stage == prospect.stage:
        return prospect
    on = on or timezone.localdate()
    last = prospect.steps.order_by("-on", "-pk").first()
    if last is not None and on < last.on:
        raise ValidationError(_("Der Schritt kann nicht vor dem letzten Schritt liegen."))
    previous = prospect.stage
    prospect.stage = to_stage
    save_audited(prospect, by=by, update_fields=["stage"])
    ProspectStep.objects.create(prospect=prospect, from_stage=previous, to_stage=to_stage, on=on, by=by)
    if to_stage == Prospect.Stage.WON:
        member_services.membership_change_status(
            membership=prospect.membership, to_status=Membership.Status.ACTIVE, by=by, effective_on=on, note=_("Aus dem Akquiseweg gewonnen")
        )
    return prospect


def pipeline_figures(network: Network) -> dict[str, Any]:
    """Counts per stage, the conversion rate (won of all closed prospects; None without any) and the median days
    a prospect spent in each stage (from entering it to the next step; None without such a step)."""
    counts = dict(Prospect.objects.filter(network=network).order_by().values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    won, declined = counts.get(Prospect.Stage.WON, 0), counts.get(Prospect.Stage.DECLINED, 0)
    steps: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for prospect_id, on, to_stage in (
        ProspectStep.objects.filter(prospect__network=network).order_by("prospect", "on", "pk").values_list("prospect", "on", "to_stage")
    ):
        steps[prospect_id].append((on, to_stage))
    durations: dict[str, list[int]] = defaultdict(list)
    for path in steps.values():
        for (entered, stage), (left, _next) in zip(path, path[1:], strict=False):
            durations[stage].append((left - entered).days)
    return {
        "counts": [(stage, stage.label, counts.get(stage, 0)) for stage in Prospect.Stage],
        "total": sum(counts.values()),
        "conversion_rate": won / (won + declined) if won + declined else None,
        "median_days": [(stage, stage.label, median(durations[stage]) if durations[stage] else None) for stage in STAGES],
    }


# --- indicators ----------------------------------------------------------------------------------------------


def indicators(network: Network, start: date, end: date) -> dict[str, int | float | None]:
    """The office's outreach in `network` from `start` to `end` (both included): contacts logged, first talks held
    (log entries of that kind), prospects won (steps to "Mitglied") and the conversion: of the prospects closed in the
    period (won or declined), the share won, in per cent (None when none was closed)."""
    log = ContactLogEntry.objects.filter(network=network, happened_on__gte=start, happened_on__lte=end)
    closed = dict(
        ProspectStep.objects.filter(prospect__network=network, to_stage__in=[Prospect.Stage.WON, Prospect.Stage.DECLINED], on__gte=start, on__lte=end)
        .order_by()
        .values("to_stage")
        .annotate(n=Count("pk"))
        .values_list("to_stage", "n")
    )
    won, declined = closed.get(Prospect.Stage.WON, 0), closed.get(Prospect.Stage.DECLINED, 0)
    return {
        "contacts_logged": log.count(),
        "first_talks": log.filter(kind=ContactLogEntry.Kind.FIRST_TALK).count(),
        "prospects_won": won,
        "prospects_conversion": round(won * 100 / (won + declined), 1) if won + declined else None,
    }
