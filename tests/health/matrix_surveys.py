"""URL × persona expectations for the satisfaction survey (health/urls/surveys.py, health/urls/survey_public.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from health.models import Survey, SurveyInvitation, SurveyQuestion
from health.surveys import survey_answer, survey_create, token_hash
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)  # require_POST answers before the login is checked
OPEN_TOKEN = "matrix-offener-link"
USED_TOKEN = "matrix-benutzter-link"


def this_year() -> int:
    return timezone.localdate().year


def draft(w, network_attr: str = "network_x") -> Survey:
    """This year's survey of the network, a draft (its questions the defaults)."""
    network = getattr(w, network_attr)
    found = Survey.objects.filter(network=network, year=this_year()).first()
    manager = w.users["manager_x" if network_attr == "network_x" else "manager_y"]
    return found or survey_create(network=network, year=this_year(), by=manager)


def theirs(w) -> Survey:
    return draft(w, "network_y")


def running(w) -> Survey:
    """Last year's survey of X, running, with three answers (results and CSV show) and one unused link."""
    found = Survey.objects.filter(network=w.network_x, year=this_year() - 1).first()
    if found:
        return found
    survey = survey_create(network=w.network_x, year=this_year() - 1, by=w.users["manager_x"])
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.OPEN, opened_at=timezone.now())
    tokens = [USED_TOKEN, "matrix-2", "matrix-3", OPEN_TOKEN]
    for n, token in enumerate(tokens):  # rows without a contact: the world's contacts stay as they are for the other pages
        SurveyInvitation.objects.create(survey=survey, email=f"matrix-{n}@example.org", token_hash=token_hash(token), sent_at=timezone.now())
    survey.refresh_from_db()
    keys = {q.key: q.kind for q in survey.questions.all()}
    for token in tokens[:3]:
        survey_answer(token=token, answers={key: (4 if kind == SurveyQuestion.Kind.SCALE else "") for key, kind in keys.items()})
    return survey


def question(factory):
    return lambda w: factory(w).questions.order_by("position").first().pk


def pk(factory):
    return lambda w: factory(w).pk


def u(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-x", *[p(w) for p in parts]])


def y(name: str, *parts) -> callable:
    return lambda w: reverse(name, args=["netz-y", *[p(w) for p in parts]])


def get_refused(name: str, *parts) -> Target:
    return Target(u(name, *parts), POST_ONLY, htmx=False)


def post(url, expected, data=None) -> Target:
    return Target(url, expected, method="post", data=data, htmx=False)


def public(token: str):
    def url(w) -> str:
        running(w)
        return reverse("survey_public:answer", args=[token])

    return url


HEALTH_SURVEYS_MATRIX: dict[str, Case] = {
    "health_surveys:index": Case([Target(u("health_surveys:index"), X_ONLY), Target(y("health_surveys:index"), Y_ONLY)]),
    "health_surveys:create": Case([post(u("health_surveys:create"), X_WRITE, lambda w: {"year": this_year() - 5}), get_refused("health_surveys:create")]),
    "health_surveys:detail": Case(
        [
            Target(u("health_surveys:detail", pk(draft)), X_ONLY),
            Target(u("health_surveys:detail", pk(running)), X_ONLY),
            Target(u("health_surveys:detail", pk(theirs)), NOBODY),  # Y's survey under X's address
            Target(y("health_surveys:detail", pk(theirs)), Y_ONLY),
        ]
    ),
    "health_surveys:update": Case(
        [
            post(
                u("health_surveys:update", pk(draft)), X_WRITE, lambda w: {"title": f"Zufriedenheitsumfrage {this_year()}", "intro": "Hallo", "closes_on": ""}
            ),
            post(u("health_surveys:update", pk(theirs)), NOBODY, lambda w: {"title": "Übernommen"}),
            get_refused("health_surveys:update", pk(draft)),
        ]
    ),
    "health_surveys:delete": Case(  # a running survey: refused with a message, nothing deleted
        [
            post(u("health_surveys:delete", pk(running)), X_WRITE),
            post(u("health_surveys:delete", pk(theirs)), NOBODY),
            get_refused("health_surveys:delete", pk(running)),
        ]
    ),
    "health_surveys:question_add": Case(
        [
            post(u("health_surveys:question_add", pk(draft)), X_WRITE, lambda w: {"text": "Wie finden Sie die Website?", "kind": "scale"}),
            post(u("health_surveys:question_add", pk(theirs)), NOBODY, lambda w: {"text": "Fremd", "kind": "scale"}),
            get_refused("health_surveys:question_add", pk(draft)),
        ]
    ),
    "health_surveys:question_edit": Case(
        [
            Target(u("health_surveys:question_edit", pk(draft), question(draft)), X_ONLY),
            Target(u("health_surveys:question_edit", pk(draft), question(theirs)), NOBODY),  # Y's question through X's survey
            Target(u("health_surveys:question_edit", pk(theirs), question(theirs)), NOBODY),
            Target(y("health_surveys:question_edit", pk(theirs), question(theirs)), Y_ONLY),
            post(
                u("health_surveys:question_edit", pk(draft), question(draft)),
                X_WRITE,
                lambda w: {"text": draft(w).questions.order_by("position").first().text, "kind": "scale"},
            ),
        ]
    ),
    "health_surveys:question_delete": Case(  # a running survey's question: refused, nothing removed
        [
            post(u("health_surveys:question_delete", pk(running), question(running)), X_WRITE),
            post(u("health_surveys:question_delete", pk(draft), question(theirs)), NOBODY),
            get_refused("health_surveys:question_delete", pk(running), question(running)),
        ]
    ),
    "health_surveys:question_move": Case(
        [
            Target(
                lambda w: reverse("health_surveys:question_move", args=["netz-x", draft(w).pk, question(draft)(w), "up"]), X_WRITE, method="post", htmx=False
            ),
            Target(
                lambda w: reverse("health_surveys:question_move", args=["netz-x", theirs(w).pk, question(theirs)(w), "up"]), NOBODY, method="post", htmx=False
            ),
            Target(lambda w: reverse("health_surveys:question_move", args=["netz-x", draft(w).pk, question(draft)(w), "up"]), POST_ONLY, htmx=False),
        ]
    ),
    "health_surveys:send": Case(  # GET and POST without confirm ask (naming the number); nothing is sent here
        [
            Target(u("health_surveys:send", pk(draft)), X_ONLY),
            post(u("health_surveys:send", pk(draft)), X_ONLY, lambda w: {}),
            post(u("health_surveys:send", pk(theirs)), NOBODY, lambda w: {"confirm": "1"}),
        ]
    ),
    "health_surveys:remind": Case(  # sent just now: refused with a message (once per interval)
        [
            post(u("health_surveys:remind", pk(running)), X_WRITE),
            post(u("health_surveys:remind", pk(theirs)), NOBODY),
            get_refused("health_surveys:remind", pk(running)),
        ]
    ),
    "health_surveys:close": Case(  # a draft cannot be closed: refused with a message
        [
            post(u("health_surveys:close", pk(draft)), X_WRITE),
            post(u("health_surveys:close", pk(theirs)), NOBODY),
            get_refused("health_surveys:close", pk(draft)),
        ]
    ),
    "health_surveys:results": Case(
        [
            Target(u("health_surveys:results", pk(running)), X_ONLY),
            Target(u("health_surveys:results", pk(draft)), X_ONLY),
            Target(u("health_surveys:results", pk(theirs)), NOBODY),
            Target(y("health_surveys:results", pk(theirs)), Y_ONLY),
        ]
    ),
    "health_surveys:results_csv": Case(
        [
            Target(u("health_surveys:results_csv", pk(running)), X_ONLY, htmx=False),
            Target(u("health_surveys:results_csv", pk(draft)), statuses(404, anonymous=302, manager_x=302, manager_xy=302), htmx=False),  # below three
            Target(u("health_surveys:results_csv", pk(theirs)), NOBODY, htmx=False),
        ]
    ),
    # The answer sheet: no login; the link is the key. A made-up link is a 404, a used one 410.
    "survey_public:answer": Case(
        [
            Target(public(OPEN_TOKEN), statuses(200)),
            Target(lambda w: reverse("survey_public:answer", args=["gefaelscht-" + "x" * 32]), statuses(404)),
            Target(public(USED_TOKEN), statuses(410)),
            Target(public(OPEN_TOKEN), statuses(400), method="post", data=lambda w: {}, htmx=False),  # nothing chosen: re-rendered with messages
        ]
    ),
    "survey_public:thanks": Case([Target(lambda w: reverse("survey_public:thanks"), statuses(200))]),
}
