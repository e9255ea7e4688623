"""URL × persona expectations for questions to the office, the knowledge base and topic suggestions
(cooperation.urls.questions_manage and questions_portal).

Objects are made on demand: in X a question of A routed to B with B's answer, a closed and published question, a
suggestion of A; in Y a question and a suggestion of C. Writes change little: empty forms, consents, supports."""

from __future__ import annotations

from django.urls import reverse

from cooperation.models import Answer, KnowledgeEntry, Question, QuestionRouting, TopicSuggestion
from members.models import Contact
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
X_REFUSED = statuses(404, anonymous=302, manager_x=200, manager_xy=200)  # an empty or refused form comes back with status 200
MEMBERS = statuses(403, anonymous=302, members=200)
X_MEMBERS = statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)


def question(w, title: str = "Frage X-CANARY") -> Question:
    found = Question.objects.filter(network=w.network_x, title=title).first()
    if found:
        return found
    asker = Contact.objects.get(organisation=w.org_a)
    made = Question.objects.create(network=w.network_x, organisation=w.org_a, asked_by=asker, title=title, text="Wer weiß Rat? X-CANARY")
    QuestionRouting.objects.create(question=made, organisation=w.org_b)
    Answer.objects.create(question=made, organisation=w.org_b, author=Contact.objects.get(organisation=w.org_b), text="Antwort X-CANARY")
    return made


def closing(w) -> Question:
    return question(w, "Zum Abschließen X-CANARY")


def question_y(w) -> Question:
    found = Question.objects.filter(network=w.network_y).first()
    return found or Question.objects.create(network=w.network_y, organisation=w.org_c, title="Frage Y", text="Y?")


def entry(w) -> KnowledgeEntry:
    published = question(w, "Veröffentlicht X-CANARY")
    if published.status != Question.Status.CLOSED:
        Question.objects.filter(pk=published.pk).update(status=Question.Status.CLOSED)
    found = KnowledgeEntry.objects.filter(question=published).first()
    return found or KnowledgeEntry.objects.create(network=w.network_x, question=published, title=published.title, body="Wissen X-CANARY")


def suggestion(w) -> TopicSuggestion:
    found = TopicSuggestion.objects.filter(network=w.network_x).first()
    return found or TopicSuggestion.objects.create(network=w.network_x, organisation=w.org_a, title="Thema X-CANARY")


def suggestion_y(w) -> TopicSuggestion:
    found = TopicSuggestion.objects.filter(network=w.network_y).first()
    return found or TopicSuggestion.objects.create(network=w.network_y, organisation=w.org_c, title="Thema Y")


def m(name: str, factory=None, slug: str = "netz-x"):
    return lambda w: reverse(name, args=[slug, *([factory(w).pk] if factory else [])])


def p(name: str, factory=None, *extra):
    return lambda w: reverse(name, args=[*([factory(w).pk] if factory else []), *[e(w) for e in extra]])


def answer_of_b(w) -> int:
    return question(w).answers.get(organisation=w.org_b).pk


QUESTIONS_MATRIX: dict[str, Case] = {
    # --- the office ---------------------------------------------------------
    "questions:inbox": Case([Target(m("questions:inbox"), X_ONLY), Target(m("questions:inbox", slug="netz-y"), Y_ONLY)]),
    "questions:detail": Case([Target(m("questions:detail", question), X_ONLY), Target(m("questions:detail", question_y, "netz-y"), Y_ONLY)]),
    "questions:route": Case([Target(m("questions:route", question), X_REFUSED, method="post", data=lambda w: {})]),
    "questions:close": Case([Target(m("questions:close", closing), X_WRITE, method="post", htmx=False)]),
    "questions:publish": Case([Target(m("questions:publish", lambda w: entry(w).question), X_REFUSED, method="post", data=lambda w: {})]),
    "questions:knowledge_list": Case([Target(m("questions:knowledge_list"), X_ONLY), Target(m("questions:knowledge_list", slug="netz-y"), Y_ONLY)]),
    "questions:knowledge_detail": Case([Target(m("questions:knowledge_detail", entry), X_ONLY)]),
    "questions:suggestion_list": Case([Target(m("questions:suggestion_list"), X_ONLY), Target(m("questions:suggestion_list", slug="netz-y"), Y_ONLY)]),
    "questions:suggestion_detail": Case(
        [Target(m("questions:suggestion_detail", suggestion), X_ONLY), Target(m("questions:suggestion_detail", suggestion_y, "netz-y"), Y_ONLY)]
    ),
    "questions:suggestion_take": Case([Target(m("questions:suggestion_take", suggestion), X_REFUSED, method="post", data=lambda w: {})]),
    # --- the member portal --------------------------------------------------
    "portal_questions:list": Case([Target(p("portal_questions:list"), MEMBERS)]),
    "portal_questions:create": Case([Target(p("portal_questions:create"), MEMBERS)]),
    "portal_questions:detail": Case(
        [
            Target(p("portal_questions:detail", question), X_MEMBERS),
            Target(p("portal_questions:detail", question_y), statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)),
        ]
    ),
    "portal_questions:answer": Case([Target(p("portal_questions:answer", question), X_MEMBERS, method="post", data=lambda w: {"text": ""})]),
    "portal_questions:consent": Case(
        [
            Target(
                p("portal_questions:consent", question), statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404), method="post", htmx=False
            )
        ]
    ),
    "portal_questions:answer_consent": Case(
        [
            Target(
                p("portal_questions:answer_consent", question, answer_of_b),
                statuses(403, anonymous=302, member_a_x=404, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
            )
        ]
    ),
    "portal_questions:knowledge_list": Case([Target(p("portal_questions:knowledge_list"), MEMBERS)]),
    "portal_questions:knowledge_detail": Case([Target(p("portal_questions:knowledge_detail", entry), X_MEMBERS)]),
    "portal_questions:suggestion_list": Case([Target(p("portal_questions:suggestion_list"), MEMBERS)]),
    "portal_questions:suggestion_create": Case([Target(p("portal_questions:suggestion_create"), MEMBERS)]),
    "portal_questions:suggestion_support": Case(
        [
            Target(
                p("portal_questions:suggestion_support", suggestion),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
            )
        ]
    ),
    "portal_questions:suggestion_withdraw": Case(
        [
            Target(
                p("portal_questions:suggestion_withdraw", suggestion),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
            )
        ]
    ),
}
