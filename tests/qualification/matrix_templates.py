"""URL × persona expectations for the company check pages: managers (qualification/urls/templates.py)
and the member portal (qualification/urls/portal_checks.py)."""

from __future__ import annotations

from django.urls import reverse

from qualification import checks_service
from qualification.models import (
    CheckArea,
    CheckQuestion,
    CheckRound,
    CheckShare,
    CheckTemplate,
)
from tests.matrix import Case, Target, statuses

X_ONLY = statuses(404, anonymous=302, manager_x=200, manager_xy=200)
X_WRITE = statuses(404, anonymous=302, manager_x=302, manager_xy=302)
Y_ONLY = statuses(404, anonymous=302, manager_y=200, manager_xy=200)
NOBODY = statuses(404, anonymous=302)
POST_ONLY = statuses(405)  # require_POST answers before the login is checked
A_ONLY = statuses(403, anonymous=302, member_a_x=200, member_b_x=404, member_c_y=404)
A_WRITE = statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404)
BASIS, INTENSIV = "unternehmens-check-basis", "unternehmens-check-intensiv"


def default(key: str = BASIS) -> CheckTemplate:
    return CheckTemplate.objects.get(network=None, key=key, version=1)


def current(network, key: str = BASIS) -> CheckTemplate:
    """The network's current template of a key (a copy target may have replaced the default meanwhile)."""
    return checks_service.templates_for(network).get(key=key)


def own_template(network, manager: str):
    """The network's own (editable: nobody answers it here) copy of the Intensiv-Check."""

    def get(w) -> CheckTemplate:
        net = getattr(w, network)
        return CheckTemplate.objects.filter(network=net, key=INTENSIV).order_by("-version").first() or checks_service.template_copy(
            template=default(INTENSIV), network=net, by=w.users[manager]
        )

    return get


own_x = own_template("network_x", "manager_x")
own_y = own_template("network_y", "manager_y")


def spare_area(template_factory):
    def get(w) -> CheckArea:
        template = template_factory(w)
        return CheckArea.objects.get_or_create(template=template, key="zum-loeschen", defaults={"title": "Zum Löschen", "position": 99})[0]

    return get


def spare_question(template_factory):
    def get(w) -> CheckQuestion:
        area = spare_area(template_factory)(w)
        return CheckQuestion.objects.get_or_create(area=area, text="Zum Löschen", defaults={"position": 1})[0]

    return get


def visit_round(network: str, organisation: str, manager: str):
    """A check during a visit, shared with the network's managers, still a draft."""

    def get(w) -> CheckRound:
        net, org = getattr(w, network), getattr(w, organisation)
        found = CheckRound.objects.filter(network=net, organisation=org, with_advisor=True, status=CheckRound.Status.DRAFT).first()
        if found:
            return found
        check = checks_service.check_start(network=net, organisation=org, template=current(net), by=w.users[manager], with_advisor=True)
        checks_service.check_share(check=check, by=w.users[manager], with_managers=True)
        return check

    return get


visit_x = visit_round("network_x", "org_a", "manager_x")
visit_y = visit_round("network_y", "org_c", "manager_y")


def draft_a(w) -> CheckRound:
    """A draft member A fills in itself (not shared)."""
    found = CheckRound.objects.filter(organisation=w.org_a, with_advisor=False, status=CheckRound.Status.DRAFT).first()
    return found or checks_service.check_start(network=w.network_x, organisation=w.org_a, template=current(w.network_x), by=w.users["member_a_x"])


def completed_a(w) -> CheckRound:
    found = CheckRound.objects.filter(organisation=w.org_a, with_advisor=False, status=CheckRound.Status.COMPLETED).first()
    if found:
        return found
    user = w.users["member_a_x"]
    check = checks_service.check_start(network=w.network_x, organisation=w.org_a, template=current(w.network_x), by=user)
    for question in CheckQuestion.objects.filter(area__template=check.template):
        checks_service.check_answer(check=check, question=question, value=2, by=user)
    return checks_service.check_complete(check=check, by=user)


def share_a(w) -> CheckShare:
    check = completed_a(w)
    return check.shares.first() or checks_service.check_share(check=check, by=w.users["member_a_x"], with_managers=True)


def u(name: str, *parts, network: str = "netz-x"):
    return lambda w: reverse(f"qualification:{name}", args=[network, *[part(w).pk for part in parts]])


def y(name: str, *parts):
    return u(name, *parts, network="netz-y")


def portal(name: str, *parts):
    return lambda w: reverse(f"qualification_portal:{name}", args=[part(w).pk for part in parts])


def get_refused(url) -> Target:
    return Target(url, POST_ONLY, htmx=False)


TEMPLATES_MATRIX: dict[str, Case] = {
    # --- managers ----------------------------------------------------------------------------
    "qualification:checks": Case([Target(u("checks"), X_ONLY), Target(y("checks"), Y_ONLY)]),
    "qualification:check_template": Case(
        [
            Target(u("check_template", lambda w: default()), X_ONLY),
            Target(u("check_template", own_x), X_ONLY),
            Target(u("check_template", own_y), NOBODY),  # Y's own template under X's address
            Target(y("check_template", own_y), Y_ONLY),
        ]
    ),
    "qualification:check_template_copy": Case(
        [
            Target(u("check_template_copy", lambda w: default()), X_WRITE, method="post", htmx=False),
            Target(u("check_template_copy", own_y), NOBODY, method="post", htmx=False),
            get_refused(u("check_template_copy", lambda w: default())),
        ]
    ),
    "qualification:check_template_revise": Case(
        [  # X's own copy is unanswered: refused with a message, nothing created
            Target(u("check_template_revise", own_x), X_WRITE, method="post", htmx=False),
            Target(u("check_template_revise", own_y), NOBODY, method="post", htmx=False),
            get_refused(u("check_template_revise", own_x)),
        ]
    ),
    "qualification:check_template_edit": Case(
        [
            Target(u("check_template_edit", own_x), X_ONLY),
            Target(u("check_template_edit", own_x), X_WRITE, method="post", data=lambda w: {"title": "Intensiv X", "description": ""}, htmx=False),
            Target(u("check_template_edit", own_y), NOBODY),
            Target(u("check_template_edit", own_y), NOBODY, method="post", data=lambda w: {"title": "Übernommen"}, htmx=False),
        ]
    ),
    "qualification:check_area_create": Case(
        [
            Target(u("check_area_create", own_x), X_ONLY),
            Target(u("check_area_create", own_y), NOBODY, method="post", data=lambda w: {"title": "Fremd", "position": 1}, htmx=False),
        ]
    ),
    "qualification:check_area_edit": Case(
        [
            Target(u("check_area_edit", spare_area(own_x)), X_ONLY),
            Target(u("check_area_edit", spare_area(own_y)), NOBODY),
            Target(y("check_area_edit", spare_area(own_y)), Y_ONLY),
        ]
    ),
    "qualification:check_area_delete": Case(
        [
            Target(u("check_area_delete", spare_area(own_y)), NOBODY, method="post", htmx=False),
            Target(u("check_area_delete", spare_area(own_x)), X_WRITE, method="post", htmx=False),
            get_refused(u("check_area_delete", spare_area(own_x))),
        ]
    ),
    "qualification:check_question_create": Case(
        [
            Target(u("check_question_create", spare_area(own_x)), X_ONLY),
            Target(u("check_question_create", spare_area(own_y)), NOBODY),
        ]
    ),
    "qualification:check_question_edit": Case(
        [
            Target(u("check_question_edit", spare_question(own_x)), X_ONLY),
            Target(
                u("check_question_edit", spare_question(own_y)), NOBODY, method="post", data=lambda w: {"text": "x", "weight": 1, "position": 1}, htmx=False
            ),
        ]
    ),
    "qualification:check_question_delete": Case(
        [
            Target(u("check_question_delete", spare_question(own_y)), NOBODY, method="post", htmx=False),
            Target(u("check_question_delete", spare_question(own_x)), X_WRITE, method="post", htmx=False),
            get_refused(u("check_question_delete", spare_question(own_x))),
        ]
    ),
    "qualification:check_round_start": Case(
        [
            Target(
                u("check_round_start"),
                X_WRITE,
                method="post",
                htmx=False,
                data=lambda w: {"organisation": w.org_b.pk, "template": current(w.network_x).pk, "consent": "on"},
            ),
            Target(
                y("check_round_start"),
                statuses(404, anonymous=302, manager_y=400, manager_xy=400),
                method="post",
                htmx=False,  # A is no member of Y
                data=lambda w: {"organisation": w.org_a.pk, "template": current(w.network_y).pk, "consent": "on"},
            ),
            get_refused(u("check_round_start")),
        ]
    ),
    "qualification:check_round": Case(
        [
            Target(u("check_round", visit_x), X_ONLY),
            Target(u("check_round", visit_y), NOBODY),  # Y's round under X's address
            Target(u("check_round", draft_a), NOBODY),  # A's own round, not shared
            Target(y("check_round", visit_y), Y_ONLY),
        ]
    ),
    "qualification:check_round_answer": Case(
        [
            Target(u("check_round_answer", visit_x), X_ONLY),
            Target(u("check_round_answer", visit_x), X_WRITE, method="post", htmx=False),
            Target(u("check_round_answer", visit_y), NOBODY, method="post", htmx=False),
            Target(u("check_round_answer", draft_a), NOBODY),
        ]
    ),
    # --- member portal -----------------------------------------------------------------------
    "qualification_portal:checks": Case([Target(portal("checks"), statuses(403, anonymous=302, members=200))]),
    "qualification_portal:check_start": Case(
        [
            Target(
                lambda w: reverse("qualification_portal:check_start", args=["netz-x", current(w.network_x).pk]),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=302, member_c_y=404),
                method="post",
                htmx=False,
            ),
            Target(
                lambda w: reverse("qualification_portal:check_start", args=["netz-y", own_x(w).pk]),
                statuses(403, anonymous=302, members=404),
                method="post",
                htmx=False,
            ),
            get_refused(lambda w: reverse("qualification_portal:check_start", args=["netz-x", current(w.network_x).pk])),
        ]
    ),
    "qualification_portal:check_round": Case(
        [
            Target(portal("check_round", completed_a), A_ONLY),
            Target(portal("check_round", visit_y), statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)),
        ]
    ),
    "qualification_portal:check_answer": Case(
        [
            Target(portal("check_answer", draft_a), A_ONLY),
            Target(portal("check_answer", draft_a), A_WRITE, method="post", data=lambda w: {"save": "1"}, htmx=False),
        ]
    ),
    "qualification_portal:check_share": Case(
        [
            Target(portal("check_share", completed_a), A_WRITE, method="post", data=lambda w: {"target": "managers"}, htmx=False),
            get_refused(portal("check_share", completed_a)),
        ]
    ),
    "qualification_portal:check_repeat": Case(
        [
            Target(portal("check_repeat", completed_a), A_WRITE, method="post", htmx=False),
            get_refused(portal("check_repeat", completed_a)),
        ]
    ),
    "qualification_portal:check_share_withdraw": Case(
        [
            Target(portal("check_share_withdraw", share_a), A_WRITE, method="post", htmx=False),
            get_refused(portal("check_share_withdraw", share_a)),
        ]
    ),
}
