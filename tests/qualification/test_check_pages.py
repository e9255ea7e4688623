"""The company check pages: templates for managers (copy, edit while unanswered, new versions), the check during a visit,
and the member portal (start, draft, complete, result, sharing that can be withdrawn)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualification import checks_service
from qualification.models import (
    CheckAnswer,
    CheckArea,
    CheckQuestion,
    CheckRound,
    CheckShare,
    CheckTemplate,
)
from verbund.models import ManagerRole

pytestmark = pytest.mark.django_db


def basis() -> CheckTemplate:
    return CheckTemplate.objects.get(network=None, key="unternehmens-check-basis", version=1)


def intensiv() -> CheckTemplate:
    return CheckTemplate.objects.get(network=None, key="unternehmens-check-intensiv", version=1)


def questions(template: CheckTemplate) -> list[CheckQuestion]:
    return list(CheckQuestion.objects.filter(area__template=template).order_by("area__position", "position", "pk"))


def m(name: str, *args, network: str = "netz-x") -> str:
    return reverse(f"qualification:{name}", args=[network, *args])


def p(name: str, *args) -> str:
    return reverse(f"qualification_portal:{name}", args=list(args))


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def start(world, user, template=None, organisation=None, network=None) -> CheckRound:
    return checks_service.check_start(network=network or world.network_x, organisation=organisation or world.org_a, template=template or basis(), by=user)


def answer_all(check: CheckRound, user, values: dict[str, int] | None = None, default: int = 2) -> None:
    """Answer every question; `values` gives the value per area key."""
    for question in questions(check.template):
        value = (values or {}).get(question.area.key, default)
        checks_service.check_answer(check=check, question=question, value=value, by=user)


def completed(world, user, values=None, default=2, **kwargs) -> CheckRound:
    check = start(world, user, **kwargs)
    answer_all(check, user, values, default)
    return checks_service.check_complete(check=check, by=user)


def post_all(check: CheckRound, value: str = "3", **extra) -> dict:
    data = {f"value-{q.pk}": value for q in questions(check.template)}
    data.update(extra)
    return data


# --- manager: templates -----------------------------------------------------------------------


def test_checks_page_lists_the_defaults_and_all_versions_of_own_templates(client, world, manager_x, member_a_x):
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=manager_x)
    start(world, member_a_x, template=own)
    revised = checks_service.template_copy(template=own, network=world.network_x, by=manager_x, revise=True)
    client.force_login(manager_x)
    response = client.get(m("checks"))
    assert response.status_code == 200
    assert list(response.context["available"]) == [revised, intensiv()]  # own copy replaces the default of its key
    assert [(t.version, t.round_count) for t in response.context["own"]] == [(2, 0), (1, 1)]
    body = response.content.decode()
    assert "Unternehmens-Check: Intensiv" in body and "eingefroren" in body and "abgelöst" in body
    assert "Noch kein Check mit Ihnen geteilt" in body  # A's own draft is not shared


def test_template_detail_shows_areas_questions_weights_and_suggested_topics(client, world, manager_x):
    client.force_login(manager_x)
    response = client.get(m("check_template", basis().pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Führung und Zusammenarbeit" in body and "Führung für Meister:innen und Teamleitungen" in body
    assert questions(basis())[0].text in body
    assert "Mitgelieferte Fragebögen können nicht geändert werden" in body
    assert "Für diesen Verbund übernehmen" in body


def test_another_networks_template_is_a_404_everywhere(client, world, manager_x, manager_y):
    theirs = checks_service.template_copy(template=basis(), network=world.network_y, by=manager_y)
    area = theirs.areas.first()
    question = area.questions.first()
    client.force_login(manager_x)
    assert client.get(m("check_template", theirs.pk)).status_code == 404
    assert client.get(m("check_template_edit", theirs.pk)).status_code == 404
    assert client.post(m("check_template_edit", theirs.pk), {"title": "Übernommen"}).status_code == 404
    assert client.post(m("check_template_revise", theirs.pk)).status_code == 404
    assert client.post(m("check_template_copy", theirs.pk)).status_code == 404  # only defaults can be copied
    assert client.post(m("check_area_create", theirs.pk), {"title": "Fremd", "position": 1}).status_code == 404
    assert client.post(m("check_area_delete", area.pk)).status_code == 404
    assert client.post(m("check_question_edit", question.pk), {"text": "x", "weight": 1, "position": 1}).status_code == 404
    assert client.post(m("check_question_delete", question.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == basis().title and CheckQuestion.objects.filter(pk=question.pk).exists()


def test_a_manager_copies_a_default_and_edits_the_copy_while_nobody_answered_it(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(m("check_template_copy", basis().pk), follow=True)
    own = CheckTemplate.objects.get(network=world.network_x, key=basis().key)
    assert response.redirect_chain[-1][0] == m("check_template", own.pk)
    assert "Der Fragebogen gehört jetzt Ihrem Verbund" in " ".join(texts(response))
    assert client.post(m("check_template_copy", basis().pk), follow=True).status_code == 200
    assert CheckTemplate.objects.filter(network=world.network_x).count() == 1  # a second copy is refused

    assert client.post(m("check_template_edit", own.pk), {"title": "Unser Check", "description": "Für Netz X"}).status_code == 302
    own.refresh_from_db()
    assert (own.title, own.description) == ("Unser Check", "Für Netz X")

    response = client.post(
        m("check_area_create", own.pk),
        {
            "title": "Digitalisierung",
            "description": "",
            "position": 7,
            "topics": "Digitale Werkzeuge\n\n  KI im Betrieb  \nDigitale Werkzeuge",
        },
    )
    assert response.status_code == 302
    area = CheckArea.objects.get(template=own, title="Digitalisierung")
    assert area.key == "digitalisierung" and area.suggested_topics == ["Digitale Werkzeuge", "KI im Betrieb"]
    assert client.get(m("check_area_edit", area.pk)).content.decode().count("KI im Betrieb") == 1

    response = client.post(m("check_question_create", area.pk), {"text": "Wir nutzen digitale Werkzeuge.", "help_text": "", "weight": "5", "position": 1})
    assert response.status_code == 302
    question = CheckQuestion.objects.get(area=area)
    assert question.weight == 5
    assert client.post(m("check_question_edit", question.pk), {"text": "Neu", "help_text": "Hilfe", "weight": "2", "position": 1}).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.help_text, question.weight) == ("Neu", "Hilfe", 2)
    body = client.get(m("check_template", own.pk)).content.decode()
    assert "Digitalisierung" in body and "KI im Betrieb" in body and "Hilfe" in body

    assert client.post(m("check_question_delete", question.pk)).status_code == 302
    assert not CheckQuestion.objects.filter(pk=question.pk).exists()
    assert client.post(m("check_area_delete", area.pk)).status_code == 302
    assert not CheckArea.objects.filter(pk=area.pk).exists()


@pytest.mark.parametrize("weight", ["0", "6", "7", "x", ""])
def test_a_weight_outside_1_to_5_is_refused_and_nothing_changes(client, world, manager_x, weight):
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=manager_x)
    question = questions(own)[0]
    client.force_login(manager_x)
    response = client.post(m("check_question_edit", question.pk), {"text": "Geändert", "weight": weight, "position": 1})
    assert response.status_code == 400
    assert "Bitte prüfen Sie die markierten Angaben." in response.content.decode()
    question.refresh_from_db()
    assert (question.text, question.weight) == (questions(basis())[0].text, 1)


def test_an_area_needs_a_title(client, world, manager_x):
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=manager_x)
    client.force_login(manager_x)
    response = client.post(m("check_area_create", own.pk), {"title": "", "position": "x"})
    assert response.status_code == 400
    assert own.areas.count() == 6


def test_editing_a_frozen_template_is_refused_with_a_message_and_a_new_version_is_offered(client, world, manager_x, member_a_x):
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=manager_x)
    start(world, member_a_x, template=own)
    area, question = own.areas.first(), questions(own)[0]
    client.force_login(manager_x)
    body = client.get(m("check_template", own.pk)).content.decode()
    assert "kann nicht mehr geändert werden" in body and "Neue Fassung anlegen" in body
    assert "Handlungsfeld hinzufügen" not in body
    for url, data in [
        (m("check_template_edit", own.pk), {"title": "Geändert"}),
        (m("check_area_create", own.pk), {"title": "Neu", "position": 1}),
        (m("check_area_edit", area.pk), {"title": "Geändert", "position": 1}),
        (m("check_area_delete", area.pk), {}),
        (m("check_question_create", area.pk), {"text": "Neu", "weight": 1, "position": 1}),
        (m("check_question_edit", question.pk), {"text": "Geändert", "weight": 1, "position": 1}),
        (m("check_question_delete", question.pk), {}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0] == m("check_template", own.pk), url
        assert any("kann nicht mehr geändert werden" in text for text in texts(response)), url
    own.refresh_from_db()
    assert own.title == basis().title and own.areas.count() == 6 and len(questions(own)) == 18
    assert CheckArea.objects.get(pk=area.pk).title == area.title and CheckQuestion.objects.get(pk=question.pk).text == question.text

    response = client.post(m("check_template_revise", own.pk), follow=True)
    revised = CheckTemplate.objects.get(network=world.network_x, key=own.key, version=2)
    assert response.redirect_chain[-1][0] == m("check_template", revised.pk)
    assert "Fassung 2 angelegt" in " ".join(texts(response))
    assert revised.is_current and not CheckTemplate.objects.get(pk=own.pk).is_current and len(questions(revised)) == 18
    assert client.post(m("check_template_edit", revised.pk), {"title": "Fassung zwei"}).status_code == 302
    assert CheckTemplate.objects.get(pk=revised.pk).title == "Fassung zwei"


def test_a_shipped_default_cannot_be_edited(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(m("check_template_edit", basis().pk), {"title": "Gekapert"}, follow=True)
    assert any("Mitgelieferte Fragebögen können nicht geändert werden" in text for text in texts(response))
    assert basis().title == "Unternehmens-Check: Basis"
    assert client.post(m("check_template_revise", basis().pk)).status_code == 404


def test_an_observer_reads_but_gets_403_on_every_write(client, world, member_a_x):
    observer = world.users["manager_x"]
    ManagerRole.objects.filter(user=observer).update(role=ManagerRole.Role.OBSERVER)
    own = checks_service.template_copy(template=basis(), network=world.network_x, by=observer)
    check = start(world, member_a_x, template=own)
    checks_service.check_share(check=check, by=member_a_x, with_managers=True)
    client.force_login(observer)
    assert client.get(m("checks")).status_code == 200
    assert "Check beim Besuch" not in client.get(m("checks")).content.decode()
    assert client.get(m("check_template", own.pk)).status_code == 200
    assert client.get(m("check_round", check.pk)).status_code == 200
    for url in [
        m("check_template_copy", intensiv().pk),
        m("check_template_edit", own.pk),
        m("check_area_create", own.pk),
        m("check_round_start"),
        m("check_round_answer", check.pk),
        m("check_question_delete", questions(own)[0].pk),
    ]:
        assert client.post(url, {"title": "x"}).status_code == 403, url
    assert CheckTemplate.objects.filter(network=world.network_x).count() == 1 and CheckRound.objects.count() == 1


# --- manager: the check during a visit and the results ---------------------------------------


def test_a_check_during_a_visit_needs_the_companys_consent(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(m("check_round_start"), {"organisation": world.org_a.pk, "template": basis().pk})
    assert response.status_code == 400
    assert "Ohne Einverständnis des Unternehmens" in response.content.decode()
    assert not CheckRound.objects.exists()


def test_a_visit_check_is_only_for_current_members_of_the_network(client, world, manager_x):
    client.force_login(manager_x)
    response = client.post(m("check_round_start"), {"organisation": world.org_c.pk, "template": basis().pk, "consent": "on"})
    assert response.status_code == 400 and not CheckRound.objects.exists()
    theirs = checks_service.template_copy(template=basis(), network=world.network_y, by=world.users["manager_y"])
    response = client.post(m("check_round_start"), {"organisation": world.org_a.pk, "template": theirs.pk, "consent": "on"})
    assert response.status_code == 400 and not CheckRound.objects.exists()


def test_the_manager_fills_in_a_visit_check_and_the_company_can_withdraw_the_share(client, world, manager_x, member_a_x):
    client.force_login(manager_x)
    response = client.post(m("check_round_start"), {"organisation": world.org_a.pk, "template": basis().pk, "consent": "on"})
    check = CheckRound.objects.get()
    assert response.url == m("check_round_answer", check.pk)
    assert check.with_advisor and check.started_by == manager_x and check.organisation == world.org_a
    share = CheckShare.objects.get(round=check)
    assert share.with_managers and share.granted_by == manager_x and share.withdrawn_at is None

    assert client.get(m("check_round_answer", check.pk)).status_code == 200
    response = client.post(m("check_round_answer", check.pk), post_all(check, "4", complete="1"))
    assert response.url == m("check_round", check.pk)
    check.refresh_from_db()
    assert check.status == CheckRound.Status.COMPLETED and check.answers.count() == 18
    response = client.get(m("checks"))
    assert list(response.context["rounds"]) == [check] and "mit Beratung" in response.content.decode()
    result = client.get(m("check_round", check.pk)).content.decode()
    assert "100\xa0%" in result and "Führung und Zusammenarbeit (100\xa0%)" in result  # verbund.formatting: a no-break space before %

    client.force_login(member_a_x)
    body = client.get(p("check_round", check.pk)).content.decode()
    assert "Geschäftsstelle des Verbunds" in body and "Freigabe zurückziehen" in body
    assert client.post(p("check_share_withdraw", share.pk)).status_code == 302
    share.refresh_from_db()
    assert share.withdrawn_at is not None
    assert "zurückgezogen am" in client.get(p("check_round", check.pk)).content.decode()

    client.force_login(manager_x)
    assert client.get(m("check_round", check.pk)).status_code == 404
    assert client.post(m("check_round_answer", check.pk), {}).status_code == 404
    response = client.get(m("checks"))
    assert list(response.context["rounds"]) == [] and "Noch kein Check mit Ihnen geteilt" in response.content.decode()


def test_managers_do_not_fill_in_a_check_the_company_does_itself(client, world, manager_x, member_a_x):
    check = start(world, member_a_x)
    checks_service.check_share(check=check, by=member_a_x, with_managers=True)
    client.force_login(manager_x)
    assert client.get(m("check_round", check.pk)).status_code == 200
    assert client.post(m("check_round_answer", check.pk), post_all(check)).status_code == 404
    assert not CheckAnswer.objects.exists()


def test_rounds_are_invisible_to_other_networks_and_unshared_rounds_to_managers(client, world, manager_x, member_a_x):
    check = start(world, member_a_x)
    client.force_login(manager_x)
    assert client.get(m("check_round", check.pk)).status_code == 404  # not shared
    checks_service.check_share(check=check, by=member_a_x, with_managers=True)
    assert client.get(m("check_round", check.pk)).status_code == 200
    client.force_login(world.users["manager_xy"])
    assert client.get(m("check_round", check.pk, network="netz-y")).status_code == 404
    client.force_login(world.users["manager_y"])
    assert client.get(m("check_round", check.pk, network="netz-y")).status_code == 404


def test_a_named_advisor_sees_the_round_and_other_managers_do_not(client, world, manager_x, member_a_x):
    check = completed(world, member_a_x)
    advisor = world.users["manager_xy"]
    checks_service.check_share(check=check, by=member_a_x, advisor=advisor)
    client.force_login(advisor)
    assert client.get(m("check_round", check.pk)).status_code == 200
    client.force_login(manager_x)
    assert client.get(m("check_round", check.pk)).status_code == 404


def test_the_result_shows_strengths_needs_topics_and_progress_against_the_previous_round(client, world, manager_x, member_a_x):
    first = completed(world, member_a_x, values={"fuehrung": 1, "gesundheit": 4}, default=2)
    later = completed(world, member_a_x, values={"fuehrung": 3, "gesundheit": 4}, default=1)
    checks_service.check_share(check=later, by=member_a_x, with_managers=True)
    client.force_login(member_a_x)
    response = client.get(p("check_round", later.pk))
    assert response.context["previous"] == first
    rows = {row["score"].key: (row["score"].percent, row["change"]) for row in response.context["rows"]}
    assert rows["fuehrung"] == (75, 50) and rows["gesundheit"] == (100, 0) and rows["vielfalt"] == (25, -25)
    assert [s.key for s in response.context["strengths"]] == ["fuehrung", "gesundheit"]
    suggested = [title for title, _catalogue in response.context["topics"]]
    assert "Digitale Kompetenzen" in suggested and "Führung für Meister:innen und Teamleitungen" not in suggested
    body = response.content.decode()
    assert "+50" in body and "-25" in body and 'aria-label="Gesundheit: 100\xa0%"' in body and "<meter" in body
    # the manager sees the later round, but not the unshared earlier one: no comparison with it
    client.force_login(manager_x)
    response = client.get(m("check_round", later.pk))
    assert response.status_code == 200 and response.context["previous"] is None
    assert "Vielfalt und Chancengleichheit (25\xa0%)" in response.content.decode()


# --- member portal ---------------------------------------------------------------------------


def test_a_member_sees_the_templates_of_its_networks_and_only_its_own_rounds(client, world, member_a_x, member_b_x, manager_x):
    own = checks_service.template_copy(template=intensiv(), network=world.network_x, by=manager_x)
    mine = start(world, member_a_x)
    start(world, member_b_x, organisation=world.org_b)
    client.force_login(member_a_x)
    response = client.get(p("checks"))
    assert response.status_code == 200
    (section,) = response.context["sections"]
    assert section["network"] == world.network_x
    assert list(section["templates"]) == [basis(), own]
    assert list(section["rounds"]) == [mine]
    assert "Weiter ausfüllen" in response.content.decode()


def test_starting_a_check_creates_a_draft_of_the_organisation(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.post(p("check_start", "netz-x", basis().pk))
    check = CheckRound.objects.get()
    assert response.url == p("check_answer", check.pk)
    assert (check.organisation, check.network, check.status, check.with_advisor) == (world.org_a, world.network_x, "draft", False)
    assert client.get(p("check_start", "netz-x", basis().pk)).status_code == 405


def test_a_member_cannot_start_in_another_network_or_with_its_template(client, world, member_a_x, manager_y):
    theirs = checks_service.template_copy(template=basis(), network=world.network_y, by=manager_y)
    client.force_login(member_a_x)
    assert client.post(p("check_start", "netz-y", basis().pk)).status_code == 404
    assert client.post(p("check_start", "netz-x", theirs.pk)).status_code == 404
    own_x = checks_service.template_copy(template=basis(), network=world.network_x, by=world.users["manager_x"])
    assert client.post(p("check_start", "netz-x", basis().pk)).status_code == 404  # replaced by X's own copy
    assert client.post(p("check_start", "netz-x", own_x.pk)).status_code == 302
    assert CheckRound.objects.count() == 1


def test_the_answer_page_groups_questions_by_area_in_fieldsets(client, world, member_a_x):
    check = start(world, member_a_x)
    client.force_login(member_a_x)
    body = client.get(p("check_answer", check.pk)).content.decode()
    assert body.count("<fieldset") == 18 and body.count("<legend>") == 18
    assert body.count('type="radio"') == 18 * 5 and "4 – trifft voll zu" in body
    assert '<h2 id="sheet-area-' in body and "Führung und Zusammenarbeit" in body


def test_a_draft_keeps_what_is_answered_and_completing_names_the_missing_answers(client, world, member_a_x):
    check = start(world, member_a_x)
    qs = questions(basis())
    client.force_login(member_a_x)
    response = client.post(p("check_answer", check.pk), {f"value-{qs[0].pk}": "3", f"note-{qs[0].pk}": " Gespräche 1x im Jahr ", "save": "1"}, follow=True)
    assert "Entwurf gespeichert: 1 von 18 Aussagen bewertet." in texts(response)
    answer = CheckAnswer.objects.get(round=check)
    assert (answer.value, answer.note) == (3, "Gespräche 1x im Jahr")
    body = client.get(p("check_answer", check.pk)).content.decode()
    assert "Gespräche 1x im Jahr" in body and "checked" in body

    data = post_all(check, "2", complete="1")
    del data[f"value-{qs[-1].pk}"], data[f"value-{qs[-2].pk}"]
    response = client.post(p("check_answer", check.pk), data, follow=True)
    assert response.redirect_chain[-1][0] == p("check_answer", check.pk)
    assert any("Es fehlen noch 2 Antworten." in text and "gespeichert" in text for text in texts(response))
    check.refresh_from_db()
    assert check.status == CheckRound.Status.DRAFT and check.answers.count() == 16

    response = client.post(p("check_answer", check.pk), {f"value-{qs[-1].pk}": "4", f"value-{qs[-2].pk}": "0", "complete": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == p("check_round", check.pk)
    assert "Der Check ist abgeschlossen." in texts(response)
    check.refresh_from_db()
    assert check.status == CheckRound.Status.COMPLETED and check.completed_at is not None and check.answers.count() == 18


@pytest.mark.parametrize("bad", ["7", "x", "-1", "4.0"])
def test_a_value_off_the_scale_is_refused_with_a_message_and_nothing_is_saved(client, world, member_a_x, bad):
    check = start(world, member_a_x)
    qs = questions(basis())
    checks_service.check_answer(check=check, question=qs[1], value=1, by=member_a_x)
    client.force_login(member_a_x)
    response = client.post(p("check_answer", check.pk), {f"value-{qs[0].pk}": bad, f"value-{qs[1].pk}": "4", "save": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bitte eine Bewertung von 0 bis 4 wählen." in body and "es wurde nichts gespeichert" in body
    assert [(a.question_id, a.value) for a in CheckAnswer.objects.filter(round=check)] == [(qs[1].pk, 1)]


def test_a_note_without_a_rating_is_refused(client, world, member_a_x):
    check = start(world, member_a_x)
    q = questions(basis())[0]
    client.force_login(member_a_x)
    response = client.post(p("check_answer", check.pk), {f"note-{q.pk}": "Nur eine Notiz"})
    assert response.status_code == 400 and "Zu einer Notiz gehört eine Bewertung." in response.content.decode()
    assert not CheckAnswer.objects.exists()


def test_a_forged_question_of_another_template_is_refused(client, world, member_a_x):
    check = start(world, member_a_x)
    foreign = questions(intensiv())[0]
    own = questions(basis())[0]
    client.force_login(member_a_x)
    response = client.post(p("check_answer", check.pk), {f"value-{own.pk}": "3", f"value-{foreign.pk}": "2"})
    assert response.status_code == 400
    assert "Diese Frage gehört zu einem anderen Fragebogen." in response.content.decode()
    assert not CheckAnswer.objects.exists()
    response = client.post(p("check_answer", check.pk), {f"value-{own.pk}": "3", "value-999999": "2"})
    assert response.status_code == 400 and not CheckAnswer.objects.exists()


def test_a_completed_round_is_read_only_and_can_be_repeated(client, world, member_a_x):
    check = completed(world, member_a_x, default=1)
    q = questions(basis())[0]
    client.force_login(member_a_x)
    response = client.post(p("check_answer", check.pk), {f"value-{q.pk}": "4", "save": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == p("check_round", check.pk)
    assert any("abgeschlossener Check kann nicht mehr geändert werden" in text for text in texts(response))
    assert CheckAnswer.objects.get(round=check, question=q).value == 1
    assert client.get(p("check_answer", check.pk)).url == p("check_round", check.pk)
    body = client.get(p("check_round", check.pk)).content.decode()
    assert "Check wiederholen" in body and "Weiter ausfüllen" not in body

    response = client.post(p("check_repeat", check.pk))
    new = CheckRound.objects.exclude(pk=check.pk).get()
    assert response.url == p("check_answer", new.pk)
    assert (new.template, new.organisation, new.status) == (basis(), world.org_a, "draft")


def test_another_companys_round_is_a_404(client, world, member_a_x, member_b_x):
    theirs = completed(world, member_b_x, organisation=world.org_b)
    share = checks_service.check_share(check=theirs, by=member_b_x, with_managers=True)
    client.force_login(member_a_x)
    for url in [p("check_round", theirs.pk), p("check_answer", theirs.pk)]:
        assert client.get(url).status_code == 404
    for url in [p("check_answer", theirs.pk), p("check_share", theirs.pk), p("check_repeat", theirs.pk), p("check_share_withdraw", share.pk)]:
        assert client.post(url, {"target": "managers"}).status_code == 404
    share.refresh_from_db()
    assert share.withdrawn_at is None and CheckRound.objects.count() == 1 and theirs.shares.count() == 1


def test_a_round_of_a_network_the_company_is_not_a_member_of_is_a_404(client, world, member_a_x):
    check = completed(world, member_a_x)
    world.org_a.memberships.update(status="ended")
    client.force_login(member_a_x)
    assert client.get(p("check_round", check.pk)).status_code == 404
    assert client.get(p("checks")).context["sections"] == []


def test_sharing_with_the_managers_or_a_named_advisor_and_withdrawing(client, world, member_a_x, manager_x):
    check = completed(world, member_a_x)
    client.force_login(member_a_x)
    body = client.get(p("check_round", check.pk)).content.decode()
    assert "Mit der Geschäftsstelle teilen" in body and "manager_x@example.org" in body and "manager_y@example.org" not in body

    response = client.post(p("check_share", check.pk), {"target": "managers"}, follow=True)
    assert "Die Ergebnisse sind jetzt mit der Geschäftsstelle geteilt." in texts(response)
    client.post(p("check_share", check.pk), {"target": "managers"})  # twice: still one active share
    assert CheckShare.objects.filter(round=check, with_managers=True, withdrawn_at__isnull=True).count() == 1

    response = client.post(p("check_share", check.pk), {"target": "advisor"}, follow=True)
    assert any("Bitte wählen Sie eine Person aus." in text for text in texts(response))
    outsider = world.users["manager_y"]  # not a manager of X: not offered, refused
    client.post(p("check_share", check.pk), {"target": "advisor", "advisor": outsider.pk})
    assert not CheckShare.objects.filter(advisor=outsider).exists()
    advisor = world.users["manager_xy"]
    assert client.post(p("check_share", check.pk), {"target": "advisor", "advisor": advisor.pk}).status_code == 302
    share = CheckShare.objects.get(round=check, advisor=advisor)
    assert share.granted_by == member_a_x and share.withdrawn_at is None

    assert client.post(p("check_share_withdraw", share.pk)).status_code == 302
    share.refresh_from_db()
    assert share.withdrawn_at is not None
    response = client.post(p("check_share_withdraw", share.pk), follow=True)
    assert "Diese Freigabe war bereits zurückgezogen." in texts(response)
    assert client.get(p("check_share_withdraw", share.pk)).status_code == 405
