"""Writes and figures of practice projects (issue 19): a project is a child network of kind practice project."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cooperation.models.projects import (
    DECISION_OPTION_FIELDS,
    DECISION_PAPER_FIELDS,
    PROJECT_FIELDS,
    PROJECT_LINK_FIELDS,
    DecisionOption,
    DecisionPaper,
    Project,
    ProjectLink,
    ProjectParticipant,
)
from members.models import Membership, MembershipStatusChange, Organisation
from members.services import membership_change_status, membership_restore
from verbund.models import CURRENT_MEMBERSHIP_STATUSES, ManagerRole, Network, User
from verbund.pdf import render_pdf
from verbund.services import save_audited
from verbund.uploads import clean_pdf, download_name

MIN_OPTIONS = 2
MAX_FILES_PER_PROJECT = 100


def _free_slug(name: str, parent: Network) -> str:
    base = slugify(f"{parent.slug}-{name}")[:50].strip("-") or "projekt"
    slug, n = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def eligible_members(*networks: Network) -> set[int]:
    """The organisations that may take part: current members of any of `networks` (the parent, once started also
    the project network itself)."""
    return set(Membership.objects.filter(network__in=networks).current().values_list("organisation_id", flat=True))


def _refuse_non_members(organisations: Iterable[Organisation], *networks: Network) -> None:
    member_ids = eligible_members(*networks)
    for organisation in organisations:
        if organisation.pk not in member_ids:
            raise ValidationError({"participants": _("%(name)s ist kein aktuelles Mitglied dieses Verbunds.") % {"name": organisation.name}})


@transaction.atomic
def project_start(
    *,
    parent: Network,
    by: User,
    name: str,
    goals: str = "",
    participants: Sequence[tuple[Organisation, str]] = (),
    data: dict[str, Any] | None = None,
) -> Project:
    """Start a practice project of `parent`: its own network (kind practice project, parent `parent`), the starting
    manager with the same role there, and the chosen current members of `parent` as members with a project role."""
    role = ManagerRole.objects.filter(user=by, network=parent).first()
    if role is None:
        raise ValidationError(_("Nur wer den Verbund betreut, kann ein Projekt starten."))
    _refuse_non_members([organisation for organisation, _role in participants], parent)
    network = Network(name=name, slug=_free_slug(name, parent), kind=Network.Kind.PRACTICE_PROJECT, parent=parent, goals=goals, region=parent.region)
    save_audited(network, by=by)
    save_audited(ManagerRole(user=by, network=network, role=role.role), by=by)
    project = Project(network=network, parent=parent, created_by=by, **PROJECT_FIELDS.take(data or {}))
    save_audited(project, by=by)
    for organisation, project_role in participants:
        _join(project, organisation, by=by, note=_("Projekt gestartet"))
        save_audited(ProjectParticipant(project=project, organisation=organisation, role=project_role), by=by)
    return project


def _join(project: Project, organisation: Organisation, *, by: User, note: str) -> None:
    """Make the organisation a current member of the project network: a new membership (its role as in the parent),
    or its earlier one restored and active again."""
    today = timezone.localdate()
    membership = Membership.objects.filter(network=project.network, organisation=organisation).first()
    if membership is None:
        parent_membership = Membership.objects.filter(network=project.parent, organisation=organisation).first()
        membership = Membership(organisation=organisation, network=project.network, joined_on=today)
        if parent_membership is not None:
            membership.role = parent_membership.role
        save_audited(membership, by=by)
        MembershipStatusChange.objects.create(membership=membership, to_status=membership.status, effective_on=today, changed_by=by, note=note)
        return
    if membership.archived_at is not None:
        membership_restore(membership=membership, by=by)
    if membership.status not in CURRENT_MEMBERSHIP_STATUSES:
        membership_change_status(membership=membership, to_status=Membership.Status.ACTIVE, by=by, effective_on=today, note=note)


@transaction.atomic
def project_update(*, project: Project, by: User, data: dict[str, Any]) -> Project:
    """Change status, dates and summary; finishing stamps `finished_on` (once)."""
    changed = PROJECT_FIELDS.apply(project, data)
    if project.status == Project.Status.FINISHED and project.finished_on is None:
        project.finished_on = timezone.localdate()
        changed.append("finished_on")
    elif project.status != Project.Status.FINISHED and project.finished_on is not None:
        project.finished_on = None
        changed.append("finished_on")
    if changed:
        save_audited(project, by=by, update_fields=changed)
    return project


@transaction.atomic
def participant_add(*, project: Project, by: User, organisation: Organisation, role: str) -> ProjectParticipant:
    """Take a member into a running project later: the rule of `project_start` (a current member of the parent, or
    already of the project network); it becomes (again) a member of the project network."""
    _refuse_non_members([organisation], project.parent, project.network)
    if project.participants.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("%(name)s ist bereits beteiligt.") % {"name": organisation.name}})
    _join(project, organisation, by=by, note=_("Ins Projekt aufgenommen"))
    participant = ProjectParticipant(project=project, organisation=organisation, role=role)
    participant.full_clean(exclude=["project", "organisation"])
    save_audited(participant, by=by)
    return participant


@transaction.atomic
def participant_change_role(*, participant: ProjectParticipant, by: User, role: str) -> ProjectParticipant:
    """A participant's role in the project, changed after the start (e.g. a partner takes over the lead)."""
    if role not in ProjectParticipant.Role.values:
        raise ValidationError({"role": _("Unbekannte Rolle.")})
    if role != participant.role:
        participant.role = role
        save_audited(participant, by=by, update_fields=["role"])
    return participant


@transaction.atomic
def participant_remove(*, participant: ProjectParticipant, by: User) -> None:
    """The organisation no longer takes part: its participation goes (kept in the history) and its membership of
    the project network ends today (left), so the project leaves its portal."""
    membership = Membership.objects.filter(network=participant.project.network_id, organisation=participant.organisation_id).first()
    if membership is not None and membership.status in CURRENT_MEMBERSHIP_STATUSES:
        membership_change_status(membership=membership, to_status=Membership.Status.LEFT, by=by, note=_("Aus dem Projekt genommen"))
    participant._history_user = by  # type: ignore[attr-defined]
    participant.delete()


@transaction.atomic
def project_link_add(*, project: Project, by: User, data: dict[str, Any], upload: UploadedFile | None = None) -> ProjectLink:
    """A link, a note or a PDF (an application, a letter of intent …) for the project's documentation. The PDF goes
    through verbund.uploads.clean_pdf (signature, pages, no active content) and is stored under a made-up name; a
    failed save leaves no file behind."""
    link = ProjectLink(project=project, created_by=by, **PROJECT_LINK_FIELDS.take(data))
    if not link.url and not link.note and upload is None:
        raise ValidationError({"url": _("Bitte einen Link, eine Notiz oder eine Datei angeben.")})
    if upload is None:
        save_audited(link, by=by)
        return link
    if project.links.exclude(file="").count() >= MAX_FILES_PER_PROJECT:
        raise ValidationError(_("Ein Projekt kann höchstens %(n)s Dateien haben.") % {"n": MAX_FILES_PER_PROJECT})
    content = clean_pdf(upload)
    link.size = len(content)
    link.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
    try:
        save_audited(link, by=by)
    except Exception:
        link.file.delete(save=False)
        raise
    return link


def project_link_file_name(link: ProjectLink) -> str:
    return download_name(link.title, link.pk, fallback="dokument")


@transaction.atomic
def project_link_delete(*, link: ProjectLink, by: User) -> None:
    """Remove the entry; its file goes once the deletion is committed."""
    link._history_user = by  # type: ignore[attr-defined]
    if link.file.name:
        storage, name = link.file.storage, link.file.name
        transaction.on_commit(lambda: storage.delete(name))
    link.delete()


def _clean_options(options: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [DECISION_OPTION_FIELDS.take(o) for o in options if (o.get("title") or "").strip()]
    if len(kept) < MIN_OPTIONS:
        raise ValidationError(_("Eine Entscheidungsvorlage braucht mindestens zwei Optionen."))
    return kept


def _refuse_frozen(paper: DecisionPaper) -> None:
    if paper.is_frozen:
        raise ValidationError(_("Diese Vorlage ist entschieden und kann nicht mehr geändert werden. Legen Sie eine neue Vorlage an, die sie ersetzt."))


def _write_options(paper: DecisionPaper, options: list[dict[str, Any]], *, by: User) -> None:
    for old in paper.options.all():
        old._history_user = by  # type: ignore[attr-defined]
        old.delete()
    for position, option in enumerate(options):
        save_audited(DecisionOption(paper=paper, position=position, **option), by=by)


@transaction.atomic
def decision_paper_create(
    *, project: Project, by: User, data: dict[str, Any], options: Iterable[dict[str, Any]], supersedes: DecisionPaper | None = None
) -> DecisionPaper:
    """A draft; `supersedes` names the decided paper of the same project that the new one replaces."""
    kept = _clean_options(options)
    if supersedes is not None:
        supersedes = DecisionPaper.objects.get(pk=supersedes.pk)  # its state as stored, not as the caller last saw it
    if supersedes is not None and (supersedes.project_id != project.pk or not supersedes.is_frozen):
        raise ValidationError(_("Ersetzt werden kann nur eine entschiedene Vorlage desselben Projekts."))
    paper = DecisionPaper(project=project, created_by=by, supersedes=supersedes, **DECISION_PAPER_FIELDS.take(data))
    save_audited(paper, by=by)
    _write_options(paper, kept, by=by)
    return paper


@transaction.atomic
def decision_paper_update(*, paper: DecisionPaper, by: User, data: dict[str, Any], options: Iterable[dict[str, Any]]) -> DecisionPaper:
    paper = DecisionPaper.objects.select_for_update().get(pk=paper.pk)
    _refuse_frozen(paper)
    kept = _clean_options(options)
    changed = DECISION_PAPER_FIELDS.apply(paper, data)
    save_audited(paper, by=by, update_fields=changed)
    _write_options(paper, kept, by=by)
    return paper


@transaction.atomic
def decision_paper_decide(*, paper: DecisionPaper, by: User, decision: str, decided_by: str, decided_on: date) -> DecisionPaper:
    """Record the decision: by whom (text) and when; `by` is stored as who recorded it. The paper is frozen after."""
    paper = DecisionPaper.objects.select_for_update().get(pk=paper.pk)
    _refuse_frozen(paper)
    if not decision.strip() or not decided_by.strip():
        raise ValidationError(_("Bitte die Entscheidung und wer entschieden hat angeben."))
    paper.status = DecisionPaper.Status.DECIDED
    paper.decision, paper.decided_by, paper.decided_on = decision, decided_by, decided_on
    paper.recorded_by, paper.recorded_at = by, timezone.now()
    save_audited(paper, by=by, update_fields=["status", "decision", "decided_by", "decided_on", "recorded_by", "recorded_at"])
    return paper


def paper_pdf(paper: DecisionPaper) -> bytes:
    """The paper as PDF/UA-1 through verbund's PDF helper (small: rendered in the request)."""
    html = render_to_string("cooperation/projects/paper_pdf.html", {"paper": paper, "project": paper.project, "today": timezone.localdate()})
    return render_pdf(html=html, pdf_variant="pdf/ua-1")


def indicators(network: Network, start: date, end: date) -> dict[str, int]:
    """Figures of `network`'s practice projects in [start, end] (both days included).

    - projects_started: projects whose start (their `starts_on`, else the day they were created) falls in the period;
    - projects_finished: projects finished (status set to finished) in the period;
    - decisions_taken: decision papers of its projects decided in the period.
    """
    projects = Project.objects.filter(parent=network)
    started = projects.annotate(start_day=Coalesce("starts_on", TruncDate("created_at"))).filter(start_day__gte=start, start_day__lte=end).count()
    finished = projects.filter(finished_on__gte=start, finished_on__lte=end).count()
    decisions = DecisionPaper.objects.filter(
        Q(project__parent=network), status=DecisionPaper.Status.DECIDED, decided_on__gte=start, decided_on__lte=end
    ).count()
    return {"projects_started": started, "projects_finished": finished, "decisions_taken": decisions}
