"""The manager's meeting page as tabs: Überblick · Programm · Teilnehmende · Protokoll · Dateien.

Each tab has its own address, `…/meetings/<pk>/?tab=<key>` (the overview is the bare URL), so a tab works as a
plain link without JavaScript and can be bookmarked. With htmx a tab link swaps only the panel (`#tab-panel`)
and pushes its address; the tab bar comes along out of band so the current tab and the counts stay right.
Inside a tab the sections (programme, participants, minutes, action items) are still swapped in place; after a
write without JavaScript the page reloads at the section in its tab.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import services
from events.attachments import participants_without_photo_consent
from events.extensions import panels_for
from events.feedback import feedback_summary
from events.forms.attachments import AttachmentEditForm, AttachmentUploadForm
from events.forms.meetings import ActionItemForm, AgendaItemForm, GuestForm, MinuteForm, RegisterContactForm
from events.messaging import current_documentation
from events.models import ActionItem, AgendaItem, Meeting, MeetingAttachment, MeetingDocument, MinuteEntry, Registration
from verbund.access import NetworkRequest

OVERVIEW = "overview"
TABS: dict[str, Any] = {
    OVERVIEW: gettext_lazy("Überblick"),
    "programme": gettext_lazy("Programm"),
    "participants": gettext_lazy("Teilnehmende"),
    "minutes": gettext_lazy("Protokoll"),
    "files": gettext_lazy("Dateien"),
}
# The sections htmx swaps in place (partials of meeting_detail.html of the same name), and the tab each lives in.
TAB_OF_SECTION = {"agenda": "programme", "participants": "participants", "minutes": "minutes", "action-items": "minutes"}
SECTIONS = set(TAB_OF_SECTION)
TEMPLATE = "events/meeting_detail.html"


def _meeting(request: NetworkRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.for_network(request.network).select_related("network", "series"), pk=pk)


def tab_of(request: NetworkRequest) -> str:
    """The tab a GET asks for; an unknown or missing one is the overview."""
    tab = request.GET.get("tab", OVERVIEW)
    return tab if tab in TABS else OVERVIEW


def tab_url(meeting: Meeting, tab: str, fragment: str = "") -> str:
    """A tab's address (the overview is the meeting's own URL), optionally at a section."""
    url = meeting.get_absolute_url() if tab == OVERVIEW else f"{meeting.get_absolute_url()}?tab={tab}"
    return f"{url}#{fragment}" if fragment else url


def programme(meeting: Meeting) -> list[AgendaItem]:
    """The programme in its order (by time); each item knows whether it has a neighbour of the same start time to swap with."""
    items = list(meeting.agenda_items.all())
    for item in items:
        before, after = services.agenda_neighbours(item, items)
        item.can_move_up, item.can_move_down = before is not None, after is not None  # type: ignore[attr-defined]
    return items


def documentation_state(meeting: Meeting) -> dict[str, str]:
    """Where the documentation PDF stands, as a badge: not made yet, being made, current, outdated or failed."""
    document = MeetingDocument.objects.filter(meeting=meeting, kind=MeetingDocument.Kind.DOCUMENTATION).first()
    if document is None:
        return {"value": "draft", "label": _("noch nicht erstellt")}
    if document.status in {MeetingDocument.Status.PENDING, MeetingDocument.Status.RENDERING}:
        return {"value": "rendering", "label": _("wird erstellt")}
    if document.status == MeetingDocument.Status.FAILED:
        return {"value": "failed", "label": _("fehlgeschlagen")}
    if current_documentation(meeting) is None:
        return {"value": "pending", "label": _("veraltet – bitte neu erstellen")}
    return {"value": "done", "label": _("aktuell")}


def next_steps(meeting: Meeting, *, agenda: int, people: dict[str, int], minutes: int, documentation: str) -> list[dict[str, str]]:
    """What the office does next with this meeting, in the order it is usually done; empty for a cancelled meeting."""
    if meeting.status == Meeting.Status.CANCELLED:
        return []
    slug, pk = meeting.network.slug, meeting.pk
    started, over = meeting.has_started(), meeting.ends_at <= timezone.now()
    steps = []
    if not agenda:
        steps.append({"label": _("Programm anlegen"), "url": tab_url(meeting, "programme", "agenda")})
    if not started and meeting.status == Meeting.Status.PLANNED and not meeting.invitations.exists():
        steps.append({"label": _("Einladung versenden"), "url": reverse("events:invite", args=[slug, pk])})
    if started and people["seats_taken"] and not people["attended"]:
        steps.append({"label": _("Anwesenheit erfassen"), "url": tab_url(meeting, "participants", "participants")})
    if started and not minutes:
        steps.append({"label": _("Protokoll schreiben"), "url": tab_url(meeting, "minutes", "minutes")})
    if over and meeting.status != Meeting.Status.HELD:
        steps.append({"label": _("Als durchgeführt markieren"), "url": reverse("events:meeting_edit", args=[slug, pk])})
    if over and minutes and documentation in {"draft", "pending", "failed"}:
        steps.append({"label": _("Dokumentation erstellen"), "url": reverse("events:document", args=[slug, pk, "documentation"])})
    if documentation == "done" and not meeting.messages.filter(kind="documentation").exists():
        steps.append({"label": _("Dokumentation versenden"), "url": reverse("events:message_send", args=[slug, pk, "documentation"])})
    return steps


def files_context(meeting: Meeting, upload_form: AttachmentUploadForm | None = None) -> dict[str, Any]:
    """The Dateien tab: slides and documents, photos (each with its own edit form), who did not agree to photos, the upload."""
    items = list(meeting.attachments.select_related("agenda_item", "meeting"))
    for item in items:
        item.edit_form = AttachmentEditForm(instance=item, auto_id=f"att{item.pk}_%s")  # type: ignore[attr-defined]  # for the template: each item with its own form
    return {
        "upload_form": upload_form or AttachmentUploadForm(meeting=meeting),
        "photos": [a for a in items if a.kind == MeetingAttachment.Kind.PHOTO],
        "documents": [a for a in items if a.kind != MeetingAttachment.Kind.PHOTO],
        "without_photo_consent": participants_without_photo_consent(meeting),
    }


def people_counts(meeting: Meeting) -> dict[str, int]:
    """Registrations by what the page shows of them, counted in the database (a meeting may have hundreds)."""
    held = [Registration.Status.REGISTERED, Registration.Status.ATTENDED]
    return meeting.registrations.aggregate(
        participants=Count("pk", filter=~Q(status=Registration.Status.CANCELLED)),
        seats_taken=Count("pk", filter=Q(status__in=held)),
        attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )


def tab_forms(request: NetworkRequest, meeting: Meeting, tab: str) -> dict[str, Any]:
    """The empty forms of `tab` only: the participants' form alone reads up to 300 people for its dropdown.
    Several forms on one page: distinct ids keep every label tied to its own field."""
    if tab == "programme":
        return {"agenda_form": AgendaItemForm(auto_id="agenda_%s")}
    if tab == "participants":
        return {"contact_form": RegisterContactForm(network=request.network, auto_id="register_%s"), "guest_form": GuestForm(auto_id="guest_%s")}
    if tab == "minutes":
        return {"minute_form": MinuteForm(meeting=meeting, auto_id="minute_%s"), "action_form": ActionItemForm(network=request.network, auto_id="action_%s")}
    return {}


def detail_context(request: NetworkRequest, meeting: Meeting, tab: str = OVERVIEW, **overrides: Any) -> dict:
    """Everything the meeting page shows in `tab`; `overrides` put a bound form (with its errors) or an item being edited in place.

    The list of registrations (with person and organisation) is read only for the participants tab; the other
    tabs show their counts."""
    people = people_counts(meeting)
    registrations = (
        list(meeting.registrations.select_related("contact__organisation", "consent_recorded_by").order_by("status", "created_at"))
        if tab == "participants"
        else []
    )
    agenda = programme(meeting)
    minutes = list(meeting.minutes.select_related("agenda_item"))
    attachment_count = meeting.attachments.count()
    counts = {
        "programme": len(agenda),
        "participants": people["participants"],
        "minutes": len(minutes),
        "files": attachment_count,
    }
    context: dict[str, Any] = {
        "network": request.network,
        "meeting": meeting,
        "tab": tab,
        "tab_label": TABS[tab],
        "tabs": [{"key": key, "label": label, "url": tab_url(meeting, key), "count": counts.get(key)} for key, label in TABS.items()],
        "agenda": agenda,
        "agenda_deleted": AgendaItem.with_deleted.filter(meeting=meeting).recently_deleted(),
        "registrations": registrations,
        "seats_taken": people["seats_taken"],
        "select_all": request.GET.get("select") == "all",
        "minutes": minutes,
        "minutes_deleted": MinuteEntry.with_deleted.filter(meeting=meeting).recently_deleted(),
        "action_items": meeting.action_items.select_related("owner__organisation"),
        "action_items_deleted": ActionItem.with_deleted.filter(meeting=meeting).recently_deleted(),
        **tab_forms(request, meeting, tab),
        "can_manage": request.manager_role.role_enum.can_manage,
        "attachment_count": attachment_count,
    }
    if tab == OVERVIEW:
        documentation = documentation_state(meeting)
        context |= {
            "documentation": documentation,
            "steps": next_steps(meeting, agenda=len(agenda), people=people, minutes=len(minutes), documentation=documentation["value"]),
            "open_action_items": meeting.action_items.open().select_related("owner__organisation"),
            "feedback": feedback_summary(meeting),
            "waitlisted": people["waitlisted"],
            "panels": panels_for(meeting=meeting, network=request.network, user=request.user, can_manage=context["can_manage"]),
        }
    if tab == "files":
        context |= files_context(meeting, overrides.pop("upload_form", None))
    return context | overrides


def meeting_page(request: NetworkRequest, meeting: Meeting, tab: str, *, status: int = 200, **overrides: Any) -> HttpResponse:
    """The page in `tab`; an htmx request for a section or the tab panel gets just that (with the tab bar out of band)."""
    target = request.htmx.target if request.htmx else None
    if target in SECTIONS:
        tab = TAB_OF_SECTION[target]
    context = detail_context(request, meeting, tab, **overrides)
    if target in SECTIONS:
        return render(request, f"{TEMPLATE}#{target}", context | {"nav_oob": True}, status=status)
    if target == "tab-panel":
        return render(request, f"{TEMPLATE}#tab-panel", context | {"panel_only": True}, status=status)
    return render(request, TEMPLATE, context, status=status)


def back(request: NetworkRequest, meeting: Meeting, fragment: str) -> HttpResponse:
    """After a write: htmx swaps the changed section in place; without JavaScript the page reloads at it, in its tab."""
    tab = TAB_OF_SECTION[fragment]
    if request.htmx:
        return render(request, f"{TEMPLATE}#{fragment}", detail_context(request, meeting, tab) | {"nav_oob": True})
    return redirect(tab_url(meeting, tab, fragment))


def again(request: NetworkRequest, meeting: Meeting, fragment: str, **forms: Any) -> HttpResponse:
    """After refused input: the section (htmx) or the whole page in its tab with the bound form, its errors at the form (status 200)."""
    context = detail_context(request, meeting, TAB_OF_SECTION[fragment], **forms)
    if request.htmx:
        return render(request, f"{TEMPLATE}#{fragment}", context | {"nav_oob": True})
    return render(request, TEMPLATE, context)
