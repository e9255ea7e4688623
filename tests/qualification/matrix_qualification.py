"""URL × persona expectations for the qualification pages of managers and members (qualification/urls/manage.py, urls/portal.py)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from qualification.models import Course, CourseFile, CourseSession, Enrolment, Topic
from tests.matrix import Case, Target, rev, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)
MEMBERS_ONLY = statuses(403, anonymous=302, members=200)
X_MEMBERS = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)
Y_MEMBERS = statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)
NOT_MEMBERS = statuses(403, anonymous=302, members=404)


def topic(w, network_attr: str = "network_x") -> Topic:
    network = getattr(w, network_attr)
    return Topic.objects.get_or_create(network=network, title=f"Thema {network.slug}")[0]


def course(w, network_attr: str = "network_x") -> Course:
    network = getattr(w, network_attr)
    found = Course.objects.filter(network=network, title=f"Kurs {network.slug}").first()
    if found:
        return found
    made = Course.objects.create(
        network=network,
        title=f"Kurs {network.slug}",
        year=timezone.localdate().year,
        status="held",
        documentation="Notizen",
        documentation_published_at=timezone.now(),
    )
    made.topics.add(topic(w, network_attr))
    start = timezone.now() - timedelta(days=2)
    CourseSession.objects.create(course=made, starts_at=start, ends_at=start + timedelta(hours=3))
    org = w.org_a if network_attr == "network_x" else w.org_c
    Enrolment.objects.create(course=made, organisation=org, head_count=2)
    item = CourseFile(course=made, title="Handout", size=5)
    item.file.save("matrix.pdf", ContentFile(b"%PDF-1.4"), save=False)
    item.save()
    return made


def session(w, network_attr: str = "network_x") -> CourseSession:
    return course(w, network_attr).sessions.first()


def enrolment(w) -> Enrolment:
    return course(w).enrolments.exclude(status="cancelled").first() or Enrolment.objects.create(course=course(w), organisation=w.org_a, head_count=1)


def course_file(w, network_attr: str = "network_x") -> CourseFile:
    return course(w, network_attr).files.first()


def u(name: str, *parts, slug: str = "netz-x"):
    return lambda w: reverse(name, args=[slug, *[p(w) for p in parts]])


def p(name: str, *parts, slug: str = "netz-x"):
    return lambda w: reverse(name, args=[slug, *[part(w) for part in parts]])


def pk(getter):
    return lambda w: getter(w).pk


def theirs(getter):
    return lambda w: getter(w, "network_y").pk


QUALIFICATION_MATRIX: dict[str, Case] = {
    "qualification:home": Case(
        [
            Target(rev("qualification:home", network_slug="netz-x"), X_ONLY),
            Target(rev("qualification:home", network_slug="netz-y"), Y_ONLY),
        ]
    ),
    "qualification:topics": Case(
        [
            Target(u("qualification:topics"), X_ONLY),
            Target(u("qualification:topics", slug="netz-y"), Y_ONLY),
            Target(u("qualification:topics"), X_WRITE, method="post", htmx=False, data=lambda w: {"title": "Matrix-Thema", "position": 9}),
        ]
    ),
    "qualification:topic_edit": Case(
        [
            Target(u("qualification:topic_edit", pk(topic)), X_ONLY),
            Target(u("qualification:topic_edit", theirs(topic)), NOBODY),  # Y's topic under X's address
        ]
    ),
    "qualification:topic_archive": Case(
        [
            Target(u("qualification:topic_archive", pk(topic)), POST_ONLY, htmx=False),
            Target(u("qualification:topic_archive", theirs(topic)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:matrix": Case(
        [
            Target(u("qualification:matrix"), X_ONLY),
            Target(u("qualification:matrix", slug="netz-y"), Y_ONLY),
        ]
    ),
    "qualification:cell": Case(
        [
            Target(lambda w: reverse("qualification:cell", args=["netz-x", w.org_a.pk, topic(w).pk]), X_ONLY),
            Target(lambda w: reverse("qualification:cell", args=["netz-x", w.org_c.pk, topic(w).pk]), NOBODY),  # not a member of X
            Target(lambda w: reverse("qualification:cell", args=["netz-x", w.org_a.pk, topic(w, "network_y").pk]), NOBODY),
            Target(
                lambda w: reverse("qualification:cell", args=["netz-x", w.org_a.pk, topic(w).pk]),
                X_WRITE,
                method="post",
                htmx=False,
                data=lambda w: {"priority": 1, "head_count": 1},
            ),
        ]
    ),
    "qualification:alignment": Case(
        [
            Target(u("qualification:alignment"), X_ONLY),
            Target(u("qualification:alignment", slug="netz-y"), Y_ONLY),
        ]
    ),
    "qualification:proposal": Case(
        [
            Target(u("qualification:proposal"), POST_ONLY, htmx=False),
            Target(
                u("qualification:proposal"),
                statuses(404, anonymous=302, manager_x=400, manager_xy=400),
                method="post",
                htmx=False,
                data=lambda w: {"topics": [topic(w).pk]},
            ),  # not proposed: the page again with a message
        ]
    ),
    "qualification:courses": Case(
        [
            Target(u("qualification:courses"), X_ONLY),
            Target(u("qualification:courses", slug="netz-y"), Y_ONLY),
        ]
    ),
    "qualification:course_create": Case([Target(u("qualification:course_create"), X_ONLY)]),
    "qualification:course": Case(
        [
            Target(u("qualification:course", pk(course)), X_ONLY),
            Target(u("qualification:course", theirs(course)), NOBODY),
            Target(u("qualification:course", theirs(course), slug="netz-y"), Y_ONLY),
        ]
    ),
    "qualification:course_edit": Case(
        [
            Target(u("qualification:course_edit", pk(course)), X_ONLY),
            Target(u("qualification:course_edit", theirs(course)), NOBODY),
        ]
    ),
    "qualification:course_status": Case(
        [
            Target(u("qualification:course_status", pk(course)), POST_ONLY, htmx=False),
            Target(u("qualification:course_status", theirs(course)), NOBODY, method="post", htmx=False, data=lambda w: {"status": "cancelled"}),
        ]
    ),
    "qualification:session_add": Case(
        [
            Target(u("qualification:session_add", pk(course)), POST_ONLY, htmx=False),
            Target(u("qualification:session_add", theirs(course)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:session_delete": Case(
        [
            Target(u("qualification:session_delete", pk(course), pk(session)), POST_ONLY, htmx=False),
            Target(u("qualification:session_delete", pk(course), theirs(session)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:attendance": Case(
        [
            Target(u("qualification:attendance", pk(course), pk(session)), X_ONLY),
            Target(u("qualification:attendance", theirs(course), theirs(session)), NOBODY),
        ]
    ),
    "qualification:course_enrol": Case(
        [
            Target(u("qualification:course_enrol", pk(course)), POST_ONLY, htmx=False),
            Target(u("qualification:course_enrol", theirs(course)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:enrolment_cancel": Case(
        [
            Target(u("qualification:enrolment_cancel", pk(course), pk(enrolment)), POST_ONLY, htmx=False),
            Target(
                lambda w: reverse("qualification:enrolment_cancel", args=["netz-x", course(w, "network_y").pk, course(w, "network_y").enrolments.first().pk]),
                NOBODY,
                method="post",
                htmx=False,
            ),
        ]
    ),
    "qualification:documentation": Case(
        [
            Target(u("qualification:documentation", pk(course)), X_ONLY),
            Target(u("qualification:documentation", theirs(course)), NOBODY),
        ]
    ),
    "qualification:file_add": Case(
        [
            Target(u("qualification:file_add", pk(course)), POST_ONLY, htmx=False),
            Target(u("qualification:file_add", theirs(course)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:file_download": Case(
        [
            Target(u("qualification:file_download", pk(course), pk(course_file)), X_ONLY, htmx=False),
            Target(u("qualification:file_download", theirs(course), theirs(course_file)), NOBODY, htmx=False),
        ]
    ),
    "qualification:file_delete": Case(
        [
            Target(u("qualification:file_delete", pk(course), pk(course_file)), POST_ONLY, htmx=False),
            Target(u("qualification:file_delete", theirs(course), theirs(course_file)), NOBODY, method="post", htmx=False),
        ]
    ),
    "qualification:indicators": Case(
        [
            Target(u("qualification:indicators"), X_ONLY),
            Target(u("qualification:indicators", slug="netz-y"), Y_ONLY),
        ]
    ),
    # --- member portal ---
    "qualification_portal:home": Case([Target(rev("qualification_portal:home"), MEMBERS_ONLY)]),
    "qualification_portal:needs": Case(
        [
            Target(p("qualification_portal:needs"), X_MEMBERS),
            Target(p("qualification_portal:needs", slug="netz-y"), Y_MEMBERS),
        ]
    ),
    "qualification_portal:need_edit": Case(
        [
            Target(p("qualification_portal:need_edit", pk(topic)), X_MEMBERS),
            Target(p("qualification_portal:need_edit", theirs(topic)), NOT_MEMBERS),  # Y's topic under X
            Target(
                p("qualification_portal:need_edit", pk(topic)),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
                data=lambda w: {"priority": 0, "head_count": 0},
            ),
        ]
    ),
    "qualification_portal:courses": Case(
        [
            Target(p("qualification_portal:courses"), X_MEMBERS),
            Target(p("qualification_portal:courses", slug="netz-y"), Y_MEMBERS),
        ]
    ),
    "qualification_portal:course": Case(
        [
            Target(p("qualification_portal:course", pk(course)), X_MEMBERS),
            Target(p("qualification_portal:course", theirs(course)), NOT_MEMBERS),
            Target(p("qualification_portal:course", theirs(course), slug="netz-y"), Y_MEMBERS),
        ]
    ),
    "qualification_portal:enrol": Case(
        [
            Target(p("qualification_portal:enrol", pk(course)), POST_ONLY, htmx=False),
            Target(p("qualification_portal:enrol", theirs(course)), NOT_MEMBERS, method="post", htmx=False, data=lambda w: {"head_count": 1}),
        ]
    ),
    "qualification_portal:enrolment_cancel": Case(
        [
            Target(p("qualification_portal:enrolment_cancel", pk(course), pk(enrolment)), POST_ONLY, htmx=False),
            # A's enrolment: B (same network, other company) and C get 404; A itself would cancel it, so A is not asked here.
            Target(
                p("qualification_portal:enrolment_cancel", pk(course), pk(enrolment)),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404),
                method="post",
                htmx=False,
            ),
        ]
    ),
    "qualification_portal:file_download": Case(
        [
            Target(p("qualification_portal:file_download", pk(course), pk(course_file)), X_MEMBERS, htmx=False),
            Target(p("qualification_portal:file_download", theirs(course), theirs(course_file)), NOT_MEMBERS, htmx=False),
        ]
    ),
}
