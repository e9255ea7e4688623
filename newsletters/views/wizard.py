"""The Infobrief wizard: /manage/<network_slug>/infobrief/<pk>/…

Four steps, each a page of its own with the stepper on top: recipients → content
(text and placed entries) → preview and test → sending (ask, then send or schedule;
afterwards the progress). Which steps are done follows from the Infobrief itself
(`wizard_steps`). Everything is reached through `…for_network(request.network)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HTMX_STOP_POLLING

from newsletters import compose, sending, services
from newsletters.forms.manage import AudienceForm, InfobriefForm, PlaceEntryForm, ScheduleForm
from newsletters.models import Infobrief, InfobriefEntry
from verbund import flash
from verbund.access import NetworkRequest, network_required


@dataclass(frozen=True)
class Step:
    key: str
    label: Promise
    url_name: str


STEPS = (
    Step("audience", gettext_lazy("Empfänger"), "newsletters:audience"),
    Step("content", gettext_lazy("Inhalt"), "newsletters:content"),
    Step("preview", gettext_lazy("Vorschau und Test"), "newsletters:preview"),
    Step("send", gettext_lazy("Versand"), "newsletters:send"),
)
STEP_KEYS = [step.key for step in STEPS]


def steps_done(infobrief: Infobrief, *, recipients: int | None = None) -> dict[str, bool]:
    """What the Infobrief's data says is done: recipients chosen (at least one), content (entries or an introduction),
    looked at and tested (a test mail went out), sent or scheduled. Once sending has begun, every step is done."""
    if not infobrief.editable:
        return dict.fromkeys(STEP_KEYS, True)
    if recipients is None:
        recipients = len(services.audience(infobrief).recipients)
    return {
        "audience": recipients > 0,
        "content": infobrief.has_content,
        "preview": infobrief.test_sent_at is not None,
        "send": infobrief.status == Infobrief.Status.SCHEDULED,
    }


def wizard_steps(infobrief: Infobrief, *, current: str, done: dict[str, bool]) -> list[dict[str, Any]]:
    """The stepper's list (templates/ui/_stepper.html): every step can be reached while the Infobrief can change;
    afterwards only the sending step (its progress)."""
    args = [infobrief.network.slug, infobrief.pk]
    steps = []
    for step in STEPS:
        if infobrief.editable:
            url = reverse(step.url_name, args=args)
        else:
            url = reverse("newsletters:progress", args=args) if step.key == "send" else ""
        state = "current" if step.key == current else "done" if done[step.key] else "todo"
        steps.append({"key": step.key, "label": step.label, "url": url, "state": state})
    return steps


def _infobrief(request: NetworkRequest, pk: int) -> Infobrief:
    return get_object_or_404(Infobrief.objects.for_network(request.network).select_related("network"), pk=pk)


def _step_url(infobrief: Infobrief, key: str) -> str:
    return reverse(next(step.url_name for step in STEPS if step.key == key), args=[infobrief.network.slug, infobrief.pk])


def _step(infobrief: Infobrief, key: str) -> HttpResponse:
    return redirect(_step_url(infobrief, key))


def _context(request: NetworkRequest, infobrief: Infobrief, current: str, *, recipients: int | None = None, **extra: Any) -> dict[str, Any]:
    done = steps_done(infobrief, recipients=recipients)
    index = STEP_KEYS.index(current)
    return {
        "network": request.network,
        "infobrief": infobrief,
        "steps": wizard_steps(infobrief, current=current, done=done),
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_label": STEPS[index].label,
        "previous_step": STEPS[index - 1] if index > 0 else None,
        "previous_url": _step_url(infobrief, STEPS[index - 1].key) if index > 0 else "",
        "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
        "next_url": _step_url(infobrief, STEPS[index + 1].key) if index + 1 < len(STEPS) else "",
        "can_manage": request.manager_role.role_enum.can_manage,
        **extra,
    }


def _may_change(request: NetworkRequest) -> None:
    if request.method == "POST" and not request.manager_role.role_enum.can_manage:
        raise PermissionDenied


@network_required()
def infobrief(request: NetworkRequest, pk: int) -> HttpResponse:
    """The Infobrief's address: the first step that is not done yet (the progress once sending has begun)."""
    infobrief = _infobrief(request, pk)
    if not infobrief.editable:
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)
    done = steps_done(infobrief)
    return _step(infobrief, next((key for key in STEP_KEYS if not done[key]), "send"))


def _editable_or_progress(request: NetworkRequest, infobrief: Infobrief) -> HttpResponse | None:
    if infobrief.editable:
        return None
    if request.method == "POST":
        messages.error(request, compose.NOT_EDITABLE)
    return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)


# --- step 1: recipients ------------------------------------------------------------------


@network_required()
def audience(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET shows who gets it and who not (with reasons); POST narrows it. "Weiter" saves and goes on to the content."""
    _may_change(request)
    infobrief = _infobrief(request, pk)
    if (elsewhere := _editable_or_progress(request, infobrief)) is not None:
        return elsewhere
    choices = services.audience_choices(infobrief.network)
    form = AudienceForm(
        request.POST or None,
        choices=choices,
        initial={
            "roles": infobrief.audience_roles,
            "municipalities": infobrief.audience_municipalities,
            "kinds": infobrief.audience_kinds,
            "include_subscribers": infobrief.include_subscribers,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                compose.infobrief_save(
                    network=request.network,
                    by=request.user,
                    infobrief=infobrief,
                    data={
                        "audience_roles": data["roles"],
                        "audience_municipalities": data["municipalities"],
                        "audience_kinds": data["kinds"],
                        "include_subscribers": data["include_subscribers"],
                    },
                )
            except ValidationError as exc:
                flash.validation_errors(request, exc)
            return _step(infobrief, "content" if request.POST.get("next") else "audience")
        status = 400
    result = services.audience(infobrief)
    context = _context(
        request,
        infobrief,
        "audience",
        recipients=len(result.recipients),
        audience=result,
        excluded=[(services.EXCLUSION_REASONS[key], people) for key, people in result.excluded.items()],
        audience_form=form,
    )
    return render(request, "newsletters/wizard_audience.html", context, status=status)


# --- step 2: content -----------------------------------------------------------------------


@network_required()
def content(request: NetworkRequest, pk: int) -> HttpResponse:
    """Subject, preview line and introduction (POST saves; "Weiter" saves and goes on), and the placed entries."""
    _may_change(request)
    infobrief = _infobrief(request, pk)
    if (elsewhere := _editable_or_progress(request, infobrief)) is not None:
        return elsewhere
    # The form gets its own copy: a refused input must not change the subject the page's header shows.
    form = InfobriefForm(request.POST or None, instance=_infobrief(request, pk), auto_id="content_%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                compose.infobrief_save(network=request.network, by=request.user, infobrief=infobrief, data=form.cleaned_data)
            except ValidationError as exc:
                flash.validation_errors(request, exc)
            else:
                messages.success(request, _("Änderungen gespeichert."))
            return _step(infobrief, "preview" if request.POST.get("next") else "content")
        status = 400
    context = _context(
        request,
        infobrief,
        "content",
        content_form=form,
        place_form=PlaceEntryForm(infobrief=infobrief, auto_id="place_%s"),
        placements=infobrief.placements.select_related("entry").order_by("position", "pk"),
        new_entry_url=reverse("newsletters:entry_create", args=[request.network.slug]) + f"?infobrief={infobrief.pk}",
    )
    return render(request, "newsletters/wizard_content.html", context, status=status)


@require_POST
@network_required(can_manage=True)
def place(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    form = PlaceEntryForm(request.POST, infobrief=infobrief)
    if form.is_valid():
        try:
            services.entry_place(infobrief=infobrief, entry=form.cleaned_data["entry"], by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            messages.success(request, _("Beitrag „%(title)s“ aufgenommen.") % {"title": form.cleaned_data["entry"].title})
    else:
        flash.form_errors(request, form)
    return _step(infobrief, "content")


def _placement(request: NetworkRequest, pk: int, placement_pk: int) -> InfobriefEntry:
    return get_object_or_404(InfobriefEntry.objects.filter(infobrief=_infobrief(request, pk)), pk=placement_pk)


@require_POST
@network_required(can_manage=True)
def placement_move(request: NetworkRequest, pk: int, placement_pk: int, direction: str) -> HttpResponse:
    if direction not in {"up", "down"}:
        raise Http404
    placement = _placement(request, pk, placement_pk)
    try:
        compose.placement_move(placement=placement, by=request.user, direction=direction)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _step(placement.infobrief, "content")


@require_POST
@network_required(can_manage=True)
def placement_remove(request: NetworkRequest, pk: int, placement_pk: int) -> HttpResponse:
    placement = _placement(request, pk, placement_pk)
    try:
        compose.placement_remove(placement=placement, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    return _step(placement.infobrief, "content")


@require_POST
@network_required(can_manage=True)
def fill_dates(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    try:
        added = services.entries_from_meetings(infobrief=infobrief, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, ngettext("%(n)d Termin aus den Treffen übernommen.", "%(n)d Termine aus den Treffen übernommen.", added) % {"n": added})
    return _step(infobrief, "content")


# --- step 3: preview and test -----------------------------------------------------------------


def _recipient(request: NetworkRequest, infobrief: Infobrief, recipients: list[services.Recipient]) -> services.Recipient:
    """The recipient chosen with ?as= (only one of the audience), else the first; nobody yet: the manager."""
    chosen = request.GET.get("as")
    found = next((r for r in recipients if r.email == chosen), recipients[0] if recipients else None)
    return found or services.Recipient(request.user.email, request.user.get_full_name())


@network_required()
def preview(request: NetworkRequest, pk: int) -> HttpResponse:
    """The mail as a chosen recipient gets it: the HTML version framed inline (`preview_mail`), the text version below."""
    infobrief = _infobrief(request, pk)
    if (elsewhere := _editable_or_progress(request, infobrief)) is not None:
        return elsewhere
    result = services.audience(infobrief)
    recipient = _recipient(request, infobrief, result.recipients)
    context = _context(
        request,
        infobrief,
        "preview",
        recipients=len(result.recipients),
        audience=result,
        recipient=recipient,
        rendered=services.render(infobrief, email=recipient.email, name=recipient.name),
        mail_url=reverse("newsletters:preview_mail", args=[request.network.slug, infobrief.pk]) + (f"?{request.GET.urlencode()}" if request.GET else ""),
    )
    return render(request, "newsletters/wizard_preview.html", context)


# The framed mail: inline styles (as every mail client needs), no scripts, images of this site; framed by this site only.
MAIL_CSP = {
    "default-src": ["'none'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'unsafe-inline'"],
    "form-action": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'self'"],
}


@csp_override(MAIL_CSP)
@xframe_options_sameorigin
@network_required()
def preview_mail(request: NetworkRequest, pk: int) -> HttpResponse:
    """The HTML mail exactly as the chosen recipient gets it, as a page of its own; links open outside the frame."""
    infobrief = _infobrief(request, pk)
    recipient = _recipient(request, infobrief, services.audience(infobrief).recipients)
    html = services.render(infobrief, email=recipient.email, name=recipient.name)["html"]
    html = html.replace("<head>", '<head><base target="_blank">', 1)
    return HttpResponse(html)


@require_POST
@network_required(can_manage=True)
def test_send(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    sending.send_test(infobrief=infobrief, by=request.user)
    messages.success(request, _("Test an %(email)s gesendet (Betreff mit [TEST]).") % {"email": request.user.email})
    return _step(infobrief, "preview")


# --- step 4: sending --------------------------------------------------------------------------


@network_required()
def send(request: NetworkRequest, pk: int) -> HttpResponse:
    """GET shows the step (send now or schedule); POST without confirm asks, naming the number; POST with confirm sends."""
    _may_change(request)
    infobrief = _infobrief(request, pk)
    if (elsewhere := _editable_or_progress(request, infobrief)) is not None:
        return elsewhere
    schedule = ScheduleForm(request.POST or None) if request.POST.get("mode") == "schedule" else None
    if request.method == "POST" and request.POST.get("confirm"):  # send_start works out the audience itself
        when = None
        if schedule is not None:
            if not schedule.is_valid():
                flash.form_errors(request, schedule)
                return _step(infobrief, "send")
            when = schedule.cleaned_data["when"]
        try:
            started = sending.send_start(infobrief=infobrief, by=request.user, when=when)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
            return _step(infobrief, "send")
        if when is not None and started:
            messages.success(request, _("Versand geplant."))
            infobrief.refresh_from_db()
            if infobrief.status == Infobrief.Status.SCHEDULED:
                return _step(infobrief, "send")
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)
    count = len(services.audience(infobrief).recipients)
    if request.method == "POST":
        if schedule is not None and not schedule.is_valid():
            context = _context(request, infobrief, "send", recipients=count, count=count, schedule_form=schedule)
            return render(request, "newsletters/wizard_send.html", context, status=400)
        context = _context(
            request,
            infobrief,
            "send",
            recipients=count,
            count=count,
            when=request.POST.get("when", "") if schedule is not None else "",
            mode="schedule" if schedule is not None else "now",
        )
        return render(request, "newsletters/send_confirm.html", context)
    context = _context(request, infobrief, "send", recipients=count, count=count, schedule_form=ScheduleForm())
    return render(request, "newsletters/wizard_send.html", context)


@vary_on_headers("HX-Request")
@network_required()
def progress(request: NetworkRequest, pk: int) -> HttpResponse:
    infobrief = _infobrief(request, pk)
    context = _context(request, infobrief, "send", progress=sending.progress(infobrief))
    if request.htmx:
        response = render(request, "newsletters/progress.html#status", context)
        if context["progress"]["done"] or infobrief.status in {Infobrief.Status.PAUSED, Infobrief.Status.DRAFT}:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "newsletters/progress.html", context)


def _control(action):
    @require_POST
    @network_required(can_manage=True)
    def view(request: NetworkRequest, pk: int) -> HttpResponse:
        infobrief = _infobrief(request, pk)
        try:
            result = action(infobrief=infobrief, by=request.user)
        except ValidationError as exc:
            flash.validation_errors(request, exc)
        else:
            if action is sending.retry_failed:
                messages.success(
                    request, ngettext("%(n)d Zustellung wird erneut versucht.", "%(n)d Zustellungen werden erneut versucht.", result) % {"n": result}
                )
        infobrief.refresh_from_db()
        if infobrief.status in {Infobrief.Status.DRAFT}:
            return _step(infobrief, "send")
        return redirect("newsletters:progress", network_slug=request.network.slug, pk=infobrief.pk)

    return view


pause = _control(sending.send_pause)
resume = _control(sending.send_resume)
cancel = _control(sending.send_cancel)
retry = _control(sending.retry_failed)
