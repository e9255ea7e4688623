"""Writes of the company check: templates copied and revised as versions, rounds answered as drafts, completed, shared.

A company's results are its own until it shares them with the network's
managers or a named advisor; sharing can be withdrawn at any time (the share row
keeps when). `rounds_visible_to` is the one place that answers who may read a round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from members.models import Contact, Organisation
from qualification.models import (
    CHECK_AREA_FIELDS,
    CHECK_QUESTION_FIELDS,
    CHECK_TEMPLATE_FIELDS,
    CheckAnswer,
    CheckArea,
    CheckQuestion,
    CheckRound,
    CheckShare,
    CheckTemplate,
    Topic,
)
from verbund.models import ManagerRole, Network, User
from verbund.services import save_audited


def templates_for(network: Network) -> QuerySet[CheckTemplate]:
    """Current templates a network can use: its own copies, else the defaults of the same key."""
    own = CheckTemplate.objects.filter(network=network, is_current=True)
    defaults = CheckTemplate.objects.filter(network__isnull=True, is_current=True).exclude(key__in=own.values("key"))
    return (own | defaults).order_by("depth", "title")


@transaction.atomic
def template_copy(*, template: CheckTemplate, network: Network, by: User, revise: bool = False) -> CheckTemplate:
    """A network's own copy (or, with revise, the next version of its own template); areas and questions copied."""
    if revise:
        if template.network_id != network.pk:
            raise ValidationError(_("Nur eigene Fragebögen können überarbeitet werden."))
        version = (CheckTemplate.objects.filter(network=network, key=template.key).order_by("-version").values_list("version", flat=True).first() or 0) + 1
        CheckTemplate.objects.filter(network=network, key=template.key).update(is_current=False)
    else:
        if CheckTemplate.objects.filter(network=network, key=template.key).exists():
            raise ValidationError(_("Dieser Verbund hat schon eine eigene Fassung dieses Fragebogens."))
        version = 1
    copy = CheckTemplate.objects.create(
        network=network,
        key=template.key,
        version=version,
        depth=template.depth,
        title=template.title,
        description=template.description,
        copied_from=template,
        is_current=True,
    )
    for area in template.areas.prefetch_related("questions"):
        new_area = CheckArea.objects.create(
            template=copy, key=area.key, title=area.title, description=area.description, position=area.position, suggested_topics=list(area.suggested_topics)
        )
        CheckQuestion.objects.bulk_create(
            [CheckQuestion(area=new_area, text=q.text, help_text=q.help_text, position=q.position, weight=q.weight) for q in area.questions.all()]
        )
    return copy


def template_editable(template: CheckTemplate) -> bool:
    """A template somebody has answered is frozen: changes go into a new version (template_copy with revise)."""
    return template.network_id is not None and not template.rounds.exists()


def template_locked_reason(template: CheckTemplate) -> str:
    """Why a template cannot be edited; empty when it can."""
    if template.network_id is None:
        return _("Mitgelieferte Fragebögen können nicht geändert werden. Übernehmen Sie ihn zuerst für Ihren Verbund.")
    if not template_editable(template):
        return _(
            "Diese Fassung wurde bereits beantwortet und kann nicht mehr geändert werden, damit die Ergebnisse vergleichbar bleiben. "
            "Legen Sie für Änderungen eine neue Fassung an."
        )
    return ""


@transaction.atomic
def template_change(template: CheckTemplate, change: Callable[[], object]) -> None:
    """Run one edit of a template's content while it is still editable (the row is locked, so no round starts in between)."""
    locked = CheckTemplate.objects.select_for_update().get(pk=template.pk)
    if reason := template_locked_reason(locked):
        raise ValidationError(reason)
    change()


def template_update(*, template: CheckTemplate, by: User, data: dict[str, Any]) -> CheckTemplate:
    """Title and description of an editable template (CHECK_TEMPLATE_FIELDS)."""

    def change() -> None:
        if changed := CHECK_TEMPLATE_FIELDS.apply(template, data):
            save_audited(template, by=by, update_fields=changed)

    template_change(template, change)
    return template


def area_save(*, template: CheckTemplate, by: User, data: dict[str, Any], area: CheckArea | None = None) -> CheckArea:
    """Add an area (at the end) or change one (CHECK_AREA_FIELDS), while the template is editable."""
    area = area or CheckArea(template=template, position=template.areas.count() + 1)

    def change() -> None:
        CHECK_AREA_FIELDS.apply(area, data)
        if not area.key:
            area.key = area_key(template, area.title)
        save_audited(area, by=by)

    template_change(template, change)
    return area


def area_delete(*, area: CheckArea, by: User) -> None:
    """Remove an area with its statements, while the template is editable."""

    def change() -> None:
        area._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        area.delete()

    template_change(area.template, change)


def question_save(*, area: CheckArea, by: User, data: dict[str, Any], question: CheckQuestion | None = None) -> CheckQuestion:
    """Add a statement (at the end of its area) or change one (CHECK_QUESTION_FIELDS), while the template is editable."""
    question = question or CheckQuestion(area=area, position=area.questions.count() + 1)

    def change() -> None:
        CHECK_QUESTION_FIELDS.apply(question, data)
        save_audited(question, by=by)

    template_change(area.template, change)
    return question


def question_delete(*, question: CheckQuestion, by: User) -> None:
    def change() -> None:
        question._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        question.delete()

    template_change(question.area.template, change)


def area_key(template: CheckTemplate, title: str) -> str:
    base = slugify(title)[:50] or "feld"
    key, n = base, 2
    while CheckArea.objects.filter(template=template, key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def check_start(*, network: Network, organisation: Organisation, template: CheckTemplate, by: User, with_advisor: bool = False) -> CheckRound:
    if not templates_for(network).filter(pk=template.pk).exists():
        raise ValidationError(_("Dieser Fragebogen steht in diesem Verbund nicht zur Verfügung."))
    CheckTemplate.objects.select_for_update().get(pk=template.pk)  # waits for an edit in progress (template_change): no round of a half-edited template
    check = CheckRound(network=network, organisation=organisation, template=template, started_by=by, with_advisor=with_advisor)
    save_audited(check, by=by)
    return check


@transaction.atomic
def check_answer(*, check: CheckRound, question: CheckQuestion, value: int, by: User, note: str = "") -> CheckAnswer:
    if not CheckRound.objects.filter(pk=check.pk, status=CheckRound.Status.DRAFT).exists():  # the row, not a stale copy
        raise ValidationError(_("Ein abgeschlossener Check kann nicht mehr geändert werden; beginnen Sie eine neue Runde."))
    if question.area.template_id != check.template_id:
        raise ValidationError(_("Diese Frage gehört zu einem anderen Fragebogen."))
    if not isinstance(value, int) or not 0 <= value <= 4:
        raise ValidationError(_("Bitte eine Bewertung von 0 bis 4 wählen."))
    answer, _created = CheckAnswer.objects.update_or_create(round=check, question=question, defaults={"value": value, "note": note.strip()[:1000]})
    return answer


@transaction.atomic
def check_answers_save(*, check: CheckRound, by: User, answers: Iterable[tuple[CheckQuestion, int, str]]) -> None:
    """Several answers at once (a page of the questionnaire), all or none."""
    for question, value, note in answers:
        check_answer(check=check, question=question, value=value, note=note, by=by)


@transaction.atomic
def check_start_during_visit(*, network: Network, organisation: Organisation, template: CheckTemplate, by: User) -> CheckRound:
    """The office fills in the check with the company, which agreed that the office sees the results: started and shared at once."""
    check = check_start(network=network, organisation=organisation, template=template, by=by, with_advisor=True)
    check_share(check=check, by=by, with_managers=True)
    return check


@transaction.atomic
def check_complete(*, check: CheckRound, by: User) -> CheckRound:
    check = CheckRound.objects.select_for_update().get(pk=check.pk)
    missing = CheckQuestion.objects.filter(area__template=check.template_id).exclude(answers__round=check).count()
    if missing:
        raise ValidationError(_("Es fehlen noch %(n)s Antworten.") % {"n": missing})
    check.status = CheckRound.Status.COMPLETED
    check.completed_at = timezone.now()
    save_audited(check, by=by, update_fields=["status", "completed_at"])
    return check


@transaction.atomic
def check_share(*, check: CheckRound, by: User, with_managers: bool = False, advisor: User | None = None) -> CheckShare:
    if not with_managers and advisor is None:
        raise ValidationError(_("Bitte wählen Sie, mit wem Sie die Ergebnisse teilen."))
    share = CheckShare(round=check, with_managers=with_managers, advisor=advisor, granted_by=by)
    save_audited(share, by=by)
    return share


@transaction.atomic
def check_withdraw(*, share: CheckShare, by: User) -> None:
    share.withdrawn_at = timezone.now()
    save_audited(share, by=by, update_fields=["withdrawn_at"])


def rounds_visible_to(user: User, network: Network) -> QuerySet[CheckRound]:
    """The company itself (its portal users) always; the network's managers and a named advisor only while shared."""
    if not user.is_authenticated:
        return CheckRound.objects.none()
    active = CheckShare.objects.filter(withdrawn_at__isnull=True)
    own_organisation = Contact.objects.filter(user=user, archived_at__isnull=True).values("organisation")
    managing = ManagerRole.objects.filter(user=user, network=network).exists()
    visible = Q(organisation__in=own_organisation) | Q(pk__in=active.filter(advisor=user).values("round"))
    if managing:
        visible |= Q(pk__in=active.filter(with_managers=True).values("round"))
    return CheckRound.objects.filter(network=network).filter(visible).distinct()


# --- the check's suggested topics and the network's topic catalogue ----------------------------


def _catalogue(network: Network) -> dict[str, Topic]:
    return {t.title.casefold(): t for t in Topic.objects.filter(network=network, archived_at__isnull=True)}


def catalogue_matches(network: Network, suggested: list[str]) -> list[tuple[str, Topic | None]]:
    """Each suggested topic with the network's catalogue topic of the same title, if there is one (so it can go into the matrix)."""
    catalogue = _catalogue(network)
    return [(title, catalogue.get(title.casefold())) for title in suggested]


def topics_not_in_catalogue(network: Network) -> list[str]:
    """What the network's checks suggest that its catalogue does not have yet (archived topics count as had), in area order."""
    known = {title.casefold() for title in Topic.objects.filter(network=network).values_list("title", flat=True)}
    missing = []
    for area in CheckArea.objects.filter(template__in=templates_for(network)).order_by("position", "pk"):
        for title in area.suggested_topics:
            if title.casefold() not in known:
                known.add(title.casefold())
                missing.append(title)
    return missing
