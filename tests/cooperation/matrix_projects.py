"""URL × persona expectations for the practice projects (cooperation/urls/projects.py), under /manage/<slug>/projects/,
and their pages in the member portal (cooperation/urls/projects_portal.py), under /portal/projects/.

Network X starts a project with A and B (its name carries X's canary), network Y one with C; they are made on demand
through the service. Writes touch X's objects only; each write has a paper or link of its own, so that the order of
the targets does not matter.
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cooperation import projects as services
from cooperation.models.projects import DecisionPaper, Project, ProjectLink, ProjectParticipant
from tests.hostile_files import pdf
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
X_REFUSED = statuses(404, anonymous=302, manager_x=400, manager_xy=400)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)  # require_POST answers before the login is checked
MEMBERS_ONLY = statuses(403, anonymous=302, members=200)
X_PARTICIPANTS = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)  # A and B take part in X's project
Y_PARTICIPANTS = statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)


def project(w, network_attr: str = "network_x") -> Project:
    network = getattr(w, network_attr)
    found = Project.objects.filter(parent=network).first()
    if found:
        return found
    if network_attr == "network_x":
        by, name, orgs = w.users["manager_x"], "Projekt X-CANARY", [w.org_a, w.org_b]
    else:
        by, name, orgs = w.users["manager_y"], "Projekt Y", [w.org_c]
    return services.project_start(
        parent=network, by=by, name=name, goals="Gemeinsam entwickeln", participants=[(o, ProjectParticipant.Role.PARTNER) for o in orgs]
    )


def paper(w, title: str = "Vorlage X-CANARY", *, decided: bool = False) -> DecisionPaper:
    p = project(w)
    found = p.decision_papers.filter(title=title).first()
    if found:
        return found
    options = [{"title": "Option eins", "pros": "schnell", "cons": "teuer"}, {"title": "Option zwei", "pros": "", "cons": ""}]
    made = services.decision_paper_create(project=p, by=w.users["manager_x"], data={"title": title, "question": "Welche?"}, options=options)
    if decided:
        made = services.decision_paper_decide(
            paper=made, by=w.users["manager_x"], decision="Option eins", decided_by="Lenkungskreis", decided_on=date(2026, 1, 5)
        )
    return made


def link(w) -> ProjectLink:
    p = project(w)
    return p.links.first() or services.project_link_add(project=p, by=w.users["manager_x"], data={"title": "Ablage", "url": "https://example.org/", "note": ""})


def document(w, network_attr: str = "network_x") -> ProjectLink:
    """A PDF of the project (X's or Y's), added through the service's upload check."""
    p = project(w, network_attr)
    by = w.users["manager_x" if network_attr == "network_x" else "manager_y"]
    upload = SimpleUploadedFile("antrag.pdf", pdf(), content_type="application/pdf")
    return p.links.exclude(file="").first() or services.project_link_add(project=p, by=by, data={"title": "Förderantrag", "url": "", "note": ""}, upload=upload)


def px(name: str):
    return lambda w: reverse(name, args=["netz-x", project(w).pk])


def participant(w, *, removable: bool = False) -> ProjectParticipant:
    """A's participation in X's project; the one the remove target takes is B's, taken in again when gone."""
    p = project(w)
    org = w.org_b if removable else w.org_a
    return p.participants.filter(organisation=org).first() or services.participant_add(
        project=p, by=w.users["manager_x"], organisation=org, role=ProjectParticipant.Role.PARTNER
    )


def participant_url(name: str, *, removable: bool = False):
    return lambda w: reverse(name, args=["netz-x", project(w).pk, participant(w, removable=removable).pk])


def paper_url(name: str, title: str = "Vorlage X-CANARY", *, decided: bool = False):
    return lambda w: reverse(name, args=["netz-x", project(w).pk, paper(w, title, decided=decided).pk])


PROJECTS_MATRIX: dict[str, Case] = {
    "projects:index": Case(
        [Target(lambda w: reverse("projects:index", args=["netz-x"]), X_ONLY), Target(lambda w: reverse("projects:index", args=["netz-y"]), Y_ONLY)]
    ),
    "projects:start": Case(
        [
            Target(lambda w: reverse("projects:start", args=["netz-x"]), X_ONLY),
            Target(lambda w: reverse("projects:start", args=["netz-x"]), X_REFUSED, htmx=False, method="post", data=lambda w: {"name": ""}),
        ]
    ),
    "projects:detail": Case(
        [
            Target(px("projects:detail"), X_ONLY),
            Target(lambda w: reverse("projects:detail", args=["netz-y", project(w, "network_y").pk]), Y_ONLY),
            # X's project through Y's address: nobody, not even the manager of both
            Target(lambda w: reverse("projects:detail", args=["netz-y", project(w).pk]), NOBODY),
        ]
    ),
    "projects:edit": Case(
        [
            Target(px("projects:edit"), X_ONLY),
            Target(
                px("projects:edit"),
                X_WRITE,
                htmx=False,
                method="post",
                data=lambda w: {"status": "running", "starts_on": "2026-01-01", "ends_on": "", "summary": ""},
            ),
        ]
    ),
    "projects:summary": Case([Target(px("projects:summary"), X_ONLY)]),
    "projects:participant_add": Case(
        [
            Target(px("projects:participant_add"), X_ONLY),
            # Gamma is no member of X: refused
            Target(px("projects:participant_add"), X_REFUSED, htmx=False, method="post", data=lambda w: {"organisation": w.org_c.pk, "role": "partner"}),
        ]
    ),
    "projects:participant_role": Case(
        [
            Target(participant_url("projects:participant_role"), X_ONLY),
            Target(participant_url("projects:participant_role"), X_WRITE, htmx=False, method="post", data=lambda w: {"role": "partner"}),
            # Y's participant through X's project: nobody
            Target(lambda w: reverse("projects:participant_role", args=["netz-x", project(w).pk, project(w, "network_y").participants.first().pk]), NOBODY),
        ]
    ),
    "projects:participant_remove": Case(
        [
            Target(participant_url("projects:participant_remove", removable=True), POST_ONLY, htmx=False),
            Target(participant_url("projects:participant_remove", removable=True), X_WRITE, htmx=False, method="post"),
        ]
    ),
    "projects:link_add": Case(
        [
            Target(px("projects:link_add"), X_ONLY),
            Target(px("projects:link_add"), X_WRITE, htmx=False, method="post", data=lambda w: {"title": "Notiz", "url": "", "note": "Kurz"}),
        ]
    ),
    "projects:link_delete": Case(
        [
            Target(lambda w: reverse("projects:link_delete", args=["netz-x", project(w).pk, link(w).pk]), POST_ONLY, htmx=False),
            Target(lambda w: reverse("projects:link_delete", args=["netz-x", project(w).pk, link(w).pk]), X_WRITE, htmx=False, method="post"),
        ]
    ),
    "projects:link_file": Case(
        [
            Target(lambda w: reverse("projects:link_file", args=["netz-x", project(w).pk, document(w).pk]), X_ONLY, htmx=False),
            # Y's document under X's project: not found, whoever asks
            Target(lambda w: reverse("projects:link_file", args=["netz-x", project(w).pk, document(w, "network_y").pk]), NOBODY, htmx=False),
        ]
    ),
    "projects:paper_create": Case(
        [
            Target(px("projects:paper_create"), X_ONLY),
            Target(
                px("projects:paper_create"), X_REFUSED, htmx=False, method="post", data=lambda w: {"title": "Nur eine", "question": "?", "option_1_title": "A"}
            ),
        ]
    ),
    "projects:paper_detail": Case(
        [Target(paper_url("projects:paper_detail"), X_ONLY), Target(paper_url("projects:paper_detail", "Entschieden", decided=True), X_ONLY)]
    ),
    "projects:paper_edit": Case(
        [
            Target(paper_url("projects:paper_edit"), X_ONLY),
            Target(paper_url("projects:paper_edit", "Entschieden", decided=True), X_WRITE),  # frozen: back to the paper
        ]
    ),
    "projects:paper_decide": Case(
        [
            Target(paper_url("projects:paper_decide", "Zu entscheiden"), POST_ONLY, htmx=False),
            Target(
                paper_url("projects:paper_decide", "Zu entscheiden"),
                X_WRITE,
                htmx=False,
                method="post",
                data=lambda w: {"decision": "Option zwei", "decided_by": "Lenkungskreis", "decided_on": "2026-02-01"},
            ),
        ]
    ),
    "projects:paper_print": Case([Target(paper_url("projects:paper_print"), X_ONLY)]),
    "projects:paper_pdf": Case([Target(paper_url("projects:paper_pdf", "Entschieden", decided=True), X_ONLY, htmx=False)]),
    "portal_projects:list": Case([Target(lambda w: reverse("portal_projects:list"), MEMBERS_ONLY)]),
    "portal_projects:detail": Case(
        [
            Target(lambda w: reverse("portal_projects:detail", args=[project(w).pk]), X_PARTICIPANTS),
            Target(lambda w: reverse("portal_projects:detail", args=[project(w, "network_y").pk]), Y_PARTICIPANTS),
        ]
    ),
    "portal_projects:link_file": Case(
        [
            Target(lambda w: reverse("portal_projects:link_file", args=[project(w).pk, document(w).pk]), X_PARTICIPANTS, htmx=False),
            Target(lambda w: reverse("portal_projects:link_file", args=[project(w, "network_y").pk, document(w, "network_y").pk]), Y_PARTICIPANTS, htmx=False),
            # X's document under Y's project: 404 even for C, who takes part in Y's project
            Target(
                lambda w: reverse("portal_projects:link_file", args=[project(w, "network_y").pk, document(w).pk]),
                statuses(403, anonymous=302, members=404),
                htmx=False,
            ),
        ]
    ),
}
