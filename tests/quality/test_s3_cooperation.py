"""S-3 (QUALITY.md) for the cooperation app (issue 19): user text of needs and offers, matches, Fachfragen, answers,
knowledge entries, topic suggestions, practice projects, decision papers, project documents and the contact log never
executes — in the office's pages, the member portal (full page and htmx) and the introduction mail.

Each payload of tests/quality/xss_payloads.py goes alone into every field (an UPDATE per model, as in
tests/quality/test_s3_xss.py, whose parse this reuses), then every page that shows the field is parsed.
"""

from __future__ import annotations

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from cooperation.models import Match, NeedOffer
from cooperation.models.outreach import ContactLogEntry, Prospect
from cooperation.models.projects import DecisionOption, DecisionPaper, Project, ProjectLink
from cooperation.models.questions import Answer, KnowledgeEntry, Question, TopicSuggestion
from tests.cooperation import matrix_needs, matrix_outreach, matrix_projects, matrix_questions
from tests.quality.test_s3_xss import TextField, dangers, html_parts, page_dangers
from tests.quality.xss_payloads import PAYLOADS
from verbund.mail import render_mail

pytestmark = pytest.mark.anchor("S-3")

FIELDS = [
    TextField(NeedOffer, "title"),
    TextField(NeedOffer, "description"),
    TextField(Match, "reason"),
    TextField(Question, "title"),
    TextField(Question, "text"),
    TextField(Answer, "text"),
    TextField(KnowledgeEntry, "title"),
    TextField(KnowledgeEntry, "body"),
    TextField(TopicSuggestion, "title"),
    TextField(TopicSuggestion, "text"),
    TextField(Project, "funding_programme"),
    TextField(Project, "summary"),
    TextField(ProjectLink, "title"),
    TextField(ProjectLink, "note"),
    TextField(ProjectLink, "url", "url"),
    TextField(DecisionPaper, "title"),
    TextField(DecisionPaper, "question"),
    TextField(DecisionPaper, "decision"),
    TextField(DecisionPaper, "decided_by"),
    TextField(DecisionOption, "title"),
    TextField(DecisionOption, "pros"),
    TextField(DecisionOption, "cons"),
    TextField(ContactLogEntry, "summary"),
    TextField(ContactLogEntry, "next_step"),
    TextField(Prospect, "notes"),
]


def seed(w) -> dict[type[models.Model], models.Model]:
    """One object of each model in network X (A's need with B as confirmed provider, X's project with a decided
    paper and a link, a published question, a suggestion, a contact log entry, a prospect), through the matrix's
    factories."""
    need = matrix_needs.need_x(w)
    NeedOffer.objects.filter(pk=need.pk).update(visibility=NeedOffer.Visibility.NETWORK)
    match = Match.objects.create(need=need, organisation=w.org_b, status=Match.Status.CONFIRMED, reason="passt")
    paper = matrix_projects.paper(w, decided=True)
    link = matrix_projects.link(w)
    knowledge = matrix_questions.entry(w)
    return {
        NeedOffer: need,
        Match: match,
        Question: knowledge.question,
        Answer: knowledge.question.answers.first(),
        KnowledgeEntry: knowledge,
        TopicSuggestion: matrix_questions.suggestion(w),
        Project: paper.project,
        ProjectLink: link,
        DecisionPaper: paper,
        DecisionOption: paper.options.first(),
        ContactLogEntry: matrix_outreach.entry(w),
        Prospect: matrix_outreach.prospect(w),
    }


def fill(objects: dict[type[models.Model], models.Model], payload: str, index: int) -> None:
    values: dict[type[models.Model], dict[str, str]] = {}
    for field in FIELDS:
        values.setdefault(field.model, {})[field.name] = field.value(payload, index)
    for model, changes in values.items():
        model._default_manager.filter(pk=objects[model].pk).update(**changes)


def pages(objects, w) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """(url, htmx) of the office's pages and of A's portal pages that show the fields."""
    need, project, paper = objects[NeedOffer], objects[Project], objects[DecisionPaper]
    question, knowledge, suggestion = objects[Question], objects[KnowledgeEntry], objects[TopicSuggestion]
    office = [
        (reverse("needs:detail", args=["netz-x", need.pk]), False),
        (reverse("needs:list", args=["netz-x"]), True),
        (reverse("projects:detail", args=["netz-x", project.pk]), False),
        (reverse("projects:paper_detail", args=["netz-x", project.pk, paper.pk]), False),
        (reverse("questions:detail", args=["netz-x", question.pk]), False),
        (reverse("questions:knowledge_detail", args=["netz-x", knowledge.pk]), False),
        (reverse("questions:suggestion_detail", args=["netz-x", suggestion.pk]), False),
        (reverse("outreach:log", args=["netz-x"]), False),
        (reverse("outreach:pipeline", args=["netz-x"]), False),
        (reverse("directory:organisation", args=["netz-x", w.org_a.pk]), False),
        (reverse("directory:organisation", args=["netz-x", objects[Prospect].membership.organisation_id]), False),
    ]
    portal = [
        (reverse("portal_needs:detail", args=[need.pk]), False),
        (reverse("portal_projects:detail", args=[project.pk]), False),
        (reverse("portal_questions:knowledge_detail", args=[knowledge.pk]), False),
        (reverse("portal_questions:suggestion_list"), False),
    ]
    return office, portal


def test_each_payload_alone_in_every_cooperation_field_leaves_nothing_dangerous_in_pages_and_the_introduction_mail(world, manager_x, member_a_x, anchor):
    objects = seed(world)
    office, portal = pages(objects, world)
    manager, member = Client(), Client()
    manager.force_login(manager_x)
    member.force_login(member_a_x)
    visits = [(manager, url, htmx) for url, htmx in office] + [(member, url, htmx) for url, htmx in portal]
    need = objects[NeedOffer]
    found: list[str] = []
    checks = 0
    for index, payload in enumerate(PAYLOADS):
        fill(objects, payload, index)
        for client, url, htmx in visits:
            found += page_dangers(client, url, htmx)
            checks += 1
        # The introduction mail: the other side's entry, organisation and person, and the office's note.
        need.refresh_from_db()
        other = {
            "organisation": payload[:200],
            "title": payload[:200],
            "text": payload,
            "person": payload[:200],
            "email": "b@example.org",
            "to": "a@example.org",
        }
        context = {"network": world.network_x, "need": need, "side": "need", "other": other, "note": payload}
        for part in html_parts(render_mail("match-introduction", to=["a@example.org"], context=context).message().as_string()):
            found += [f"mail {index}: {d}" for d in dangers(part)]
            checks += 1
    anchor(cooperation_fields=len(FIELDS), cooperation_checks=checks, cooperation_dangerous=len(found))
    assert checks == len(PAYLOADS) * (len(visits) + 1)
    assert found == [], "\n".join(found[:40])


def test_the_seeded_pages_show_the_text_that_was_filled_in(world, manager_x, member_a_x):
    """The check above would pass on pages that never show the fields: each field's marker is on one of its pages."""
    objects = seed(world)
    office, portal = pages(objects, world)
    manager, member = Client(), Client()
    manager.force_login(manager_x)
    member.force_login(member_a_x)
    for field in FIELDS:
        if field.kind == "url":
            continue
        marker = f"Marke{field.model.__name__}{field.name}"
        field.model._default_manager.filter(pk=objects[field.model].pk).update(**{field.name: marker})
    shown = "".join(manager.get(url).content.decode() for url, _htmx in office) + "".join(member.get(url).content.decode() for url, _htmx in portal)
    missing = [f"{f.model.__name__}.{f.name}" for f in FIELDS if f.kind != "url" and f"Marke{f.model.__name__}{f.name}" not in shown]
    assert missing == []
