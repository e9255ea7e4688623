"""The Qualifizierungsverbund in the member portal: /portal/qualification/…

A company sees and edits its own row of the matrix, enrols its people in
courses and reads published seminar documentation, only in networks it is a
current member of. Other members' needs appear only as aggregates of at least
three organisations (matrix.member_aggregates).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from members.access import MemberRequest
from qualification import courses, matrix
from qualification.forms.programme import EnrolForm, NeedForm
from qualification.models import (
    NEED_FIELDS,
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)
from verbund.access import member_required
from verbund.models import Network
from verbund.uploads import serve_stored_file


def member_networks(request: MemberRequest):
    """Networks the member's organisation currently belongs to."""
    return Network.objects.joined_by(request.contact.organisation).order_by("name")


def member_network(request: MemberRequest, slug: str) -> Network:
    network = member_networks(request).filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    return network


@member_required
def home(request: MemberRequest) -> HttpResponse:
    networks = member_networks(request).annotate(
        topic_count=Count("qualification_topics", filter=Q(qualification_topics__archived_at__isnull=True), distinct=True),
        course_count=Count("courses", filter=Q(courses__status__in=[*courses.OPEN_FOR_ENROLMENT, Course.Status.HELD]), distinct=True),
    )
    return render(
        request,
        "qualification/portal_home.html",
        {
            "organisation": request.contact.organisation,
            "networks": networks,
        },
    )


# --- the company's own row of the matrix ----------------------------------------


def _topics(network: Network):
    return Topic.objects.filter(network=network, archived_at__isnull=True).order_by("position", "title")


@member_required
def needs(request: MemberRequest, network_slug: str) -> HttpResponse:
    """Our needs per topic, and what the network as a whole wants (only numbers three organisations stand behind)."""
    network = member_network(request, network_slug)
    organisation = request.contact.organisation
    own = {n.topic_id: n for n in Need.objects.filter(network=network, organisation=organisation)}
    rows = [(topic, own.get(topic.pk)) for topic in _topics(network)]
    return render(
        request,
        "qualification/portal_needs.html",
        {
            "network": network,
            "organisation": organisation,
            "rows": rows,
            "aggregates": matrix.member_aggregates(network),
            "min_group": matrix.MIN_GROUP,
        },
    )


@vary_on_headers("HX-Request")
@member_required
def need_edit(request: MemberRequest, network_slug: str, topic_pk: int) -> HttpResponse:
    """One cell of our own row. The organisation is always the user's own: whatever the request names is ignored."""
    network = member_network(request, network_slug)
    organisation = request.contact.organisation
    topic = get_object_or_404(_topics(network), pk=topic_pk)
    need = Need.objects.filter(network=network, organisation=organisation, topic=topic).first()
    back = reverse("qualification_portal:needs", args=[network.slug]) + f"#topic-{topic.pk}"
    form = NeedForm(instance=need or Need(priority=Need.Priority.NONE))
    status = 200
    if request.method == "POST":
        form = NeedForm(request.POST, instance=need or Need(network=network, organisation=organisation, topic=topic))
        if form.is_valid():
            try:
                need = matrix.need_save(
                    network=network, organisation=organisation, topic=topic, by=request.user, data={name: form.cleaned_data[name] for name in NEED_FIELDS.names}
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.htmx:  # the row in place (out of band); the script closes the editor (event "cell-saved")
                    response = render(request, "qualification/_portal_need_saved.html", {"network": network, "topic": topic, "need": need, "saved": True})
                    response["HX-Reswap"] = "none"
                    response["HX-Trigger-After-Swap"] = json.dumps({"cell-saved": {"cell": f"edit-{topic.pk}"}})
                    return response
                messages.success(request, _("Bedarf zu „%(topic)s“ gespeichert.") % {"topic": topic.title})
                return redirect(back)
        status = 400
    context = {
        "network": network,
        "organisation": organisation,
        "topic": topic,
        "form": form,
        "back": back,
        "can_manage": True,
        "action": reverse("qualification_portal:need_edit", args=[network.slug, topic.pk]),
        "target": f"#topic-{topic.pk}",
    }
    if request.htmx and request.method == "POST":  # a refused save: the form again, in the open editor
        return render(request, "qualification/_portal_need_form.html", context, status=status)
    if request.htmx:  # the editor as a table row, inserted by htmx right below the topic's row
        return render(request, "qualification/_portal_need_editor_row.html", context, status=status)
    return render(request, "qualification/portal_need.html", context, status=status)


# --- courses --------------------------------------------------------------------


def _courses(network: Network):
    """What members see: courses open for enrolment and held ones; never proposals, dropped or cancelled ones."""
    visible = [*courses.OPEN_FOR_ENROLMENT, Course.Status.HELD]
    return Course.objects.filter(network=network, status__in=visible).prefetch_related(
        "topics",
        Prefetch("sessions", queryset=CourseSession.objects.order_by("starts_at")),
    )


@member_required
def course_list(request: MemberRequest, network_slug: str) -> HttpResponse:
    network = member_network(request, network_slug)
    organisation = request.contact.organisation
    listed = list(_courses(network).order_by("-year", "title"))
    mine: dict[int, list[Enrolment]] = {}
    for enrolment in Enrolment.objects.filter(course__in=listed, organisation=organisation).exclude(status=Enrolment.Status.CANCELLED):
        mine.setdefault(enrolment.course_id, []).append(enrolment)
    return render(
        request,
        "qualification/portal_courses.html",
        {
            "network": network,
            "organisation": organisation,
            "open": [(c, mine.get(c.pk, [])) for c in listed if c.status in courses.OPEN_FOR_ENROLMENT],
            "held": [(c, mine.get(c.pk, [])) for c in listed if c.status == Course.Status.HELD],
        },
    )


def _course(request: MemberRequest, network: Network, pk: int) -> Course:
    return get_object_or_404(_courses(network), pk=pk)


@member_required
def course(request: MemberRequest, network_slug: str, pk: int) -> HttpResponse:
    network = member_network(request, network_slug)
    course = _course(request, network, pk)
    organisation = request.contact.organisation
    return render(request, "qualification/portal_course.html", _course_context(network, course, organisation))


def _course_context(network: Network, course: Course, organisation, form: EnrolForm | None = None) -> dict:
    published = course.documentation_published_at is not None and course.status == Course.Status.HELD  # a course set back is not "after" any more
    return {
        "network": network,
        "course": course,
        "organisation": organisation,
        "mine": course.enrolments.filter(organisation=organisation).exclude(status=Enrolment.Status.CANCELLED).select_related("contact"),
        "free": courses.seats_free(course),
        "open": course.status in courses.OPEN_FOR_ENROLMENT,
        "form": form or EnrolForm(organisation=organisation),
        "published": published,
        "files": course.files.all() if published else [],
    }


def announce_enrolments(request: HttpRequest, made: list[Enrolment]) -> None:
    """How many people got a seat and how many wait (the manager's page says the same)."""
    enrolled = sum(e.head_count for e in made if e.status == Enrolment.Status.ENROLLED)
    waiting = sum(e.head_count for e in made if e.status == Enrolment.Status.WAITLISTED)
    if enrolled:
        messages.success(request, ngettext("%(n)s Person angemeldet.", "%(n)s Personen angemeldet.", enrolled) % {"n": enrolled})
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%(n)s Person steht auf der Warteliste: die freien Plätze reichen nicht.",
                "%(n)s Personen stehen auf der Warteliste: die freien Plätze reichen nicht.",
                waiting,
            )
            % {"n": waiting},
        )


@require_POST
@member_required
def enrol(request: MemberRequest, network_slug: str, pk: int) -> HttpResponse:
    """Enrol named colleagues (each a seat) and/or a head count; all of it or nothing."""
    network = member_network(request, network_slug)
    course = _course(request, network, pk)
    organisation = request.contact.organisation
    form = EnrolForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            made = courses.enrol_many(
                course=course,
                organisation=organisation,
                by=request.user,
                contacts=form.cleaned_data["contacts"],
                head_count=form.cleaned_data.get("head_count"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            announce_enrolments(request, made)
            return redirect("qualification_portal:course", network_slug=network.slug, pk=course.pk)
    return render(request, "qualification/portal_course.html", _course_context(network, course, organisation, form), status=400)


@require_POST
@member_required
def enrolment_cancel(request: MemberRequest, network_slug: str, pk: int, enrolment_pk: int) -> HttpResponse:
    network = member_network(request, network_slug)
    course = _course(request, network, pk)
    enrolment = get_object_or_404(Enrolment, course=course, organisation=request.contact.organisation, pk=enrolment_pk)
    courses.enrolment_cancel(enrolment=enrolment, by=request.user)
    messages.success(request, _("Abgemeldet."))
    return redirect("qualification_portal:course", network_slug=network.slug, pk=course.pk)


@member_required
def file_download(request: MemberRequest, network_slug: str, pk: int, file_pk: int) -> FileResponse:
    """Seminar documentation files: for the network's members once the documentation is published."""
    network = member_network(request, network_slug)
    course = _course(request, network, pk)
    if course.documentation_published_at is None or course.status != Course.Status.HELD:
        raise Http404("Not published.")
    item = get_object_or_404(CourseFile, course=course, pk=file_pk)
    return serve_stored_file(item.file, filename=courses.file_name(item), content_type="application/pdf")
