"""The Qualifizierungsverbund for managers: /manage/<network_slug>/qualification/…

Topic catalogue, the Verbundabstimmung with
its course proposals, courses with sessions, enrolments and attendance, the
indicators (the matrix: views/matrix.py). Everything is reached through `request.network`; another network's
object is a 404. Reading is open to every role of the network, writing needs a
role that may manage (403 otherwise).
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from members.models import Organisation
from qualification import checks_service, courses, indicators, matrix, services
from qualification.forms.programme import (
    CourseFileForm,
    CourseForm,
    DocumentationForm,
    EnrolForm,
    ProposalForm,
    SessionForm,
    TopicForm,
)
from qualification.models import (
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)
from qualification.views.portal import announce_enrolments
from verbund import flash
from verbund.access import NetworkRequest, network_required
from verbund.uploads import serve_stored_file


def _can_manage(request: NetworkRequest) -> bool:
    return request.manager_role.role_enum.can_manage


def _year(request: NetworkRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@network_required()
def home(request: NetworkRequest) -> HttpResponse:
    network = request.network
    year = timezone.localdate().year
    return render(
        request,
        "qualification/home.html",
        {
            "network": network,
            "topics": Topic.objects.filter(network=network, archived_at__isnull=True).count(),
            "needs": Need.objects.filter(network=network, priority__gte=Need.Priority.USEFUL).count(),
            "courses": Course.objects.filter(network=network, year=year).exclude(status=Course.Status.DROPPED).count(),
            "proposals": len(courses.open_proposals(network, year)),
            "shared_checks": checks_service.rounds_visible_to(request.user, network).count(),
            "year": year,
            "indicators": indicators.indicators(network, year),
            "can_manage": _can_manage(request),
        },
    )


# --- the topic catalogue ------------------------------------------------------


@network_required()
def topics(request: NetworkRequest) -> HttpResponse:
    network = request.network
    form = TopicForm(network=network)
    if request.method == "POST":
        if not _can_manage(request):
            raise PermissionDenied
        form = TopicForm(request.POST, network=network, instance=Topic(network=network))
        if form.is_valid():
            topic = services.topic_create(network=network, by=request.user, data=form.cleaned_data)
            messages.success(request, _("Thema „%(title)s“ aufgenommen.") % {"title": topic.title})
            return redirect("qualification:topics", network_slug=network.slug)
    listed = (
        Topic.objects.filter(network=network)
        .annotate(
            need_count=Count("needs", filter=Q(needs__priority__gte=Need.Priority.USEFUL)),
        )
        .order_by("archived_at", "position", "title")
    )
    return render(
        request,
        "qualification/topics.html",
        {
            "network": network,
            "topics": listed,
            "form": form,
            "can_manage": _can_manage(request),
            "suggestions": checks_service.topics_not_in_catalogue(network),
        },
        status=400 if form.errors else 200,
    )


@network_required(can_manage=True)
def topic_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, network=request.network, pk=pk)
    form = TopicForm(request.POST or None, network=request.network, instance=topic)
    if request.method == "POST" and form.is_valid():
        services.topic_update(topic=topic, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Thema gespeichert."))
        return redirect("qualification:topics", network_slug=request.network.slug)
    return render(request, "qualification/topic_form.html", {"network": request.network, "topic": topic, "form": form}, status=400 if form.errors else 200)


@require_POST
@network_required(can_manage=True)
def topic_archive(request: NetworkRequest, pk: int) -> HttpResponse:
    """Archive (or bring back) a topic: its cells stay, it leaves the matrix and the alignment."""
    topic = get_object_or_404(Topic, network=request.network, pk=pk)
    services.topic_archive(topic=topic, by=request.user, archived=topic.archived_at is None)
    if topic.archived_at:
        messages.success(request, _("„%(title)s“ archiviert; die Angaben der Mitglieder bleiben erhalten.") % {"title": topic.title})
    else:
        messages.success(request, _("„%(title)s“ ist wieder im Katalog.") % {"title": topic.title})
    return redirect("qualification:topics", network_slug=request.network.slug)


# --- the Verbundabstimmung ----------------------------------------------------


@network_required()
def alignment(request: NetworkRequest) -> HttpResponse:
    return _alignment_page(request, _year(request))


def _alignment_page(request: NetworkRequest, year: int, *, form: ProposalForm | None = None, status: int = 200) -> HttpResponse:
    """The alignment; after a refused proposal with the chosen topics and title kept (and a 400)."""
    network = request.network
    rows = matrix.aggregate(network)
    open_proposals = courses.open_proposals(network, year, rows)
    handled: dict[int, list[Course]] = {}
    for course in Course.objects.filter(network=network, year=year).prefetch_related("topics"):
        for topic in course.topics.all():
            handled.setdefault(topic.pk, []).append(course)
    labels = dict(Need.Format.choices)
    table = [
        (row, [(labels.get(key, key), n) for key, n in row.formats.most_common()], Counter(row.times).most_common(), handled.get(row.topic.pk, []))
        for row in rows
    ]
    return render(
        request,
        "qualification/alignment.html",
        {
            "network": network,
            "table": table,
            "proposals": open_proposals,
            "year": year,
            "can_manage": _can_manage(request),
            "threshold": (matrix.PROPOSAL_MIN_ORGANISATIONS, matrix.PROPOSAL_MIN_HEADS),
            "chosen": {str(v) for v in (form["topics"].value() or [])} if form is not None else set(),
            "title": (form["title"].value() or "")[:200] if form is not None else "",
        },
        status=status,
    )


@require_POST
@network_required(can_manage=True)
def proposal(request: NetworkRequest) -> HttpResponse:
    """Accept one proposal, merge several into one course, or drop them."""
    network = request.network
    year = _year(request)
    open_topics = [p.topic for p in courses.open_proposals(network, year)]
    form = ProposalForm(request.POST, topics=open_topics)
    target = reverse("qualification:alignment", args=[network.slug]) + f"?year={year}"
    if not form.is_valid():
        flash.form_errors(request, form)
        return _alignment_page(request, year, form=form, status=400)
    topic_ids = [int(pk) for pk in form.cleaned_data["topics"]]
    try:
        if form.cleaned_data["action"] == "drop":
            for topic_id in topic_ids:
                courses.course_drop(network=network, topic_id=topic_id, by=request.user, year=year)
            messages.success(request, ngettext("%(n)s Vorschlag verworfen.", "%(n)s Vorschläge verworfen.", len(topic_ids)) % {"n": len(topic_ids)})
            return redirect(target)
        course = courses.course_from_topics(network=network, topic_ids=topic_ids, by=request.user, year=year, title=form.cleaned_data["title"])
    except ValidationError as exc:
        flash.validation_errors(request, exc)
        return _alignment_page(request, year, form=form, status=400)
    messages.success(request, _("Kurs „%(title)s“ angelegt. Ergänzen Sie Anbieter, Plätze und Termine.") % {"title": course.title})
    return redirect("qualification:course", network_slug=network.slug, pk=course.pk)


# --- courses ------------------------------------------------------------------


def _course(request: NetworkRequest, pk: int) -> Course:
    return get_object_or_404(Course.objects.filter(network=request.network).prefetch_related("topics"), pk=pk)


@network_required()
def course_list(request: NetworkRequest) -> HttpResponse:
    network = request.network
    year = _year(request)
    listed = (
        Course.objects.filter(network=network, year=year)
        .exclude(status=Course.Status.DROPPED)
        .annotate(
            enrolled=Sum("enrolments__head_count", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
            waiting=Sum("enrolments__head_count", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        )
        .prefetch_related("topics", Prefetch("sessions", queryset=CourseSession.objects.order_by("starts_at")))
    )
    years = sorted(set(Course.objects.filter(network=network).values_list("year", flat=True)) | {timezone.localdate().year}, reverse=True)
    return render(
        request,
        "qualification/course_list.html",
        {
            "network": network,
            "courses": listed,
            "year": year,
            "years": years,
            "can_manage": _can_manage(request),
            "dropped": Course.objects.filter(network=network, year=year, status=Course.Status.DROPPED).prefetch_related("topics"),
        },
    )


@network_required(can_manage=True)
def course_create(request: NetworkRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, network=request.network)
    if request.method == "POST" and form.is_valid():
        course = courses.course_create(network=request.network, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Kurs „%(title)s“ angelegt.") % {"title": course.title})
        return redirect("qualification:course", network_slug=request.network.slug, pk=course.pk)
    return render(request, "qualification/course_form.html", {"network": request.network, "form": form, "course": None}, status=400 if form.errors else 200)


@network_required(can_manage=True)
def course_edit(request: NetworkRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    form = CourseForm(request.POST or None, network=request.network, instance=course)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            promoted = courses.course_update(course=course, by=request.user, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kurs gespeichert."))
            _announce_moved_up(request, promoted)
            return redirect("qualification:course", network_slug=request.network.slug, pk=course.pk)
    return render(request, "qualification/course_form.html", {"network": request.network, "form": form, "course": course}, status=400 if form.errors else 200)


@network_required()
def course(request: NetworkRequest, pk: int) -> HttpResponse:
    return _course_page(request, _course(request, pk))


def _course_page(
    request: NetworkRequest, course: Course, *, session_form: SessionForm | None = None, enrol_values: dict | None = None, status: int = 200
) -> HttpResponse:
    """The course page; after bad input in one of its forms, with that form's values kept (and a 400)."""
    enrolments = list(course.enrolments.exclude(status=Enrolment.Status.CANCELLED).select_related("organisation", "contact"))
    return render(
        request,
        "qualification/course.html",
        {
            "network": request.network,
            "course": course,
            "can_manage": _can_manage(request),
            "sessions": course.sessions.annotate(present=Sum("attendances__present")).order_by("starts_at", "pk"),
            "enrolled": [e for e in enrolments if e.status == Enrolment.Status.ENROLLED],
            "waitlisted": [e for e in enrolments if e.status == Enrolment.Status.WAITLISTED],
            "taken": courses.seats_taken(course),
            "free": courses.seats_free(course),
            "transitions": [(status, Course.Status(status).label) for status in courses.TRANSITIONS.get(course.status, [])],
            "session_form": session_form or SessionForm(),
            "open": course.status in courses.OPEN_FOR_ENROLMENT,
            "organisations": Organisation.objects.current_members_of(request.network).order_by("name"),
            "files": course.files.all(),
            "enrol_values": enrol_values or {},
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@network_required(can_manage=True)
def course_status(request: NetworkRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    try:
        course = courses.course_set_status(course=course, status=request.POST.get("status", ""), by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Status: %(status)s.") % {"status": course.get_status_display()})
    return redirect("qualification:course", network_slug=request.network.slug, pk=pk)


@require_POST
@network_required(can_manage=True)
def session_add(request: NetworkRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            courses.session_add(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Termin hinzugefügt."))
            return redirect(reverse("qualification:course", args=[request.network.slug, pk]) + "#sessions")
    return _course_page(request, course, session_form=form, status=400)


@require_POST
@network_required(can_manage=True)
def session_delete(request: NetworkRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_object_or_404(CourseSession, course__network=request.network, course_id=pk, pk=session_pk)
    try:
        courses.session_delete(session=session, by=request.user)
    except ValidationError as exc:
        flash.validation_errors(request, exc)
    else:
        messages.success(request, _("Termin gelöscht."))
    return redirect(reverse("qualification:course", args=[request.network.slug, pk]) + "#sessions")


@require_POST
@network_required(can_manage=True)
def course_enrol(request: NetworkRequest, pk: int) -> HttpResponse:
    """The office enrols a head count for a member organisation (e.g. after a phone call)."""
    course = _course(request, pk)
    organisation_pk = _number(request.POST.get("organisation", ""))
    organisation = Organisation.objects.current_members_of(request.network).filter(pk=organisation_pk).first() if organisation_pk is not None else None
    form = EnrolForm(request.POST, organisation=organisation)
    if organisation is None:
        messages.error(request, _("Bitte eine Mitgliedsorganisation wählen."))
    elif form.is_valid():
        if _enrol(request, course, organisation, form):
            return redirect(reverse("qualification:course", args=[request.network.slug, pk]) + "#enrolments")
    else:
        flash.form_errors(request, form)
    values = {"organisation": organisation.pk if organisation else None, "head_count": request.POST.get("head_count", "")[:10]}
    return _course_page(request, course, enrol_values=values, status=400)


def _number(raw: str) -> int | None:
    """A whole number from ASCII digits (str.isdigit also accepts "²", which int() refuses), else None."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


def _announce_moved_up(request: NetworkRequest, promoted: list[Enrolment]) -> None:
    for moved in promoted:
        messages.info(request, _("Von der Warteliste nachgerückt: %(who)s.") % {"who": courses.enrolment_label(moved)})


def _enrol(request, course: Course, organisation: Organisation, form: EnrolForm) -> bool:
    try:
        made = courses.enrol_many(
            course=course, organisation=organisation, by=request.user, contacts=form.cleaned_data["contacts"], head_count=form.cleaned_data.get("head_count")
        )
    except ValidationError as exc:
        flash.validation_errors(request, exc)
        return False
    announce_enrolments(request, made)
    return True


@require_POST
@network_required(can_manage=True)
def enrolment_cancel(request: NetworkRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment, course__network=request.network, course_id=pk, pk=enrolment_pk)
    promoted = courses.enrolment_cancel(enrolment=enrolment, by=request.user)
    messages.success(request, _("Abgemeldet."))
    _announce_moved_up(request, promoted)
    return redirect(reverse("qualification:course", args=[request.network.slug, pk]) + "#enrolments")


@network_required()
def attendance(request: NetworkRequest, pk: int, session_pk: int) -> HttpResponse:
    session = get_object_or_404(CourseSession.objects.select_related("course"), course__network=request.network, course_id=pk, pk=session_pk)
    enrolments = list(Enrolment.objects.filter(course_id=pk, status=Enrolment.Status.ENROLLED).select_related("organisation", "contact"))
    recorded = dict(session.attendances.values_list("enrolment_id", "present"))
    status = 200
    if request.method == "POST":
        if not _can_manage(request):
            raise PermissionDenied
        present, bad = {}, False
        for enrolment in enrolments:
            raw = request.POST.get(f"present-{enrolment.pk}", "0").strip() or "0"
            if _number(raw) is None:
                bad = True
                messages.error(request, _("%(who)s: bitte eine ganze Zahl ab 0 angeben.") % {"who": courses.enrolment_label(enrolment)})
                continue
            present[enrolment.pk] = int(raw)
        if not bad:
            try:
                courses.attendance_save(session=session, by=request.user, present=present)
            except ValidationError as exc:
                flash.validation_errors(request, exc)
            else:
                messages.success(request, _("Anwesenheit gespeichert."))
                return redirect(reverse("qualification:course", args=[request.network.slug, pk]) + "#sessions")
        recorded |= present
        status = 400
    rows = [(e, courses.enrolment_label(e), recorded.get(e.pk, 0)) for e in enrolments]
    return render(
        request,
        "qualification/attendance.html",
        {
            "network": request.network,
            "course": session.course,
            "session": session,
            "rows": rows,
            "can_manage": _can_manage(request),
        },
        status=status,
    )


@network_required(can_manage=True)
def documentation(request: NetworkRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    form = DocumentationForm(request.POST or None, initial={"text": course.documentation, "publish": bool(course.documentation_published_at)})
    file_form = CourseFileForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                courses.documentation_save(course=course, by=request.user, text=form.cleaned_data["text"], publish=form.cleaned_data["publish"])
            except ValidationError as exc:
                form.add_error("publish", exc)
            else:
                messages.success(request, _("Dokumentation gespeichert."))
                return redirect("qualification:documentation", network_slug=request.network.slug, pk=pk)
        status = 400
    return _documentation_page(request, course, form=form, file_form=file_form, status=status)


def _documentation_page(request: NetworkRequest, course: Course, *, form=None, file_form=None, status: int = 200) -> HttpResponse:
    form = form or DocumentationForm(initial={"text": course.documentation, "publish": bool(course.documentation_published_at)})
    return render(
        request,
        "qualification/documentation.html",
        {
            "network": request.network,
            "course": course,
            "form": form,
            "file_form": file_form or CourseFileForm(),
            "files": course.files.all(),
        },
        status=status,
    )


@require_POST
@network_required(can_manage=True)
def file_add(request: NetworkRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    form = CourseFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            courses.file_add(course=course, by=request.user, upload=form.cleaned_data["upload"], title=form.cleaned_data["title"])
        except ValidationError as exc:
            form.add_error("upload", exc)
        else:
            messages.success(request, _("Datei hinzugefügt."))
            return redirect("qualification:documentation", network_slug=request.network.slug, pk=pk)
    return _documentation_page(request, course, file_form=form, status=400)  # the title stays; the file has to be chosen again


@network_required()
def file_download(request: NetworkRequest, pk: int, file_pk: int) -> FileResponse:
    item = get_object_or_404(CourseFile, course__network=request.network, course_id=pk, pk=file_pk)
    return serve_stored_file(item.file, filename=courses.file_name(item), content_type="application/pdf")


@require_POST
@network_required(can_manage=True)
def file_delete(request: NetworkRequest, pk: int, file_pk: int) -> HttpResponse:
    item = get_object_or_404(CourseFile, course__network=request.network, course_id=pk, pk=file_pk)
    courses.file_delete(item=item)
    messages.success(request, _("Datei gelöscht."))
    return redirect("qualification:documentation", network_slug=request.network.slug, pk=pk)


# --- indicators ---------------------------------------------------------------


@network_required()
def indicator_view(request: NetworkRequest) -> HttpResponse:
    year = _year(request)
    years = sorted(set(Course.objects.filter(network=request.network).values_list("year", flat=True)) | {timezone.localdate().year}, reverse=True)
    return render(
        request,
        "qualification/indicators.html",
        {
            "network": request.network,
            "year": year,
            "years": years,
            "figures": indicators.indicators(request.network, year),
            "definitions": indicators.DEFINITIONS,
        },
    )
