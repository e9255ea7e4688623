"""Topic suggestions: members propose and support, the office takes them into a meeting, an Infobrief or a course."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cooperation import questions, suggestions
from cooperation.models import SuggestionSupport, TopicSuggestion
from events import services as event_services
from events.models import Meeting
from members.models import Contact
from newsletters.models import Infobrief
from qualification.models import Course, Topic


def contact(world, org: str) -> Contact:
    return Contact.objects.get(organisation=getattr(world, org))


def suggest(world, target=TopicSuggestion.Target.MEETING) -> TopicSuggestion:
    a = contact(world, "org_a")
    return suggestions.suggestion_make(contact=a, network=world.network_x, data={"title": "KI in der Fertigung", "text": "", "target": target}, by=a.user)


def meeting(network) -> Meeting:
    day = timezone.localdate() + timedelta(days=30)
    return Meeting.objects.create(
        network=network, title="Herbsttreffen", starts_at=event_services.meeting_at(day, 9), ends_at=event_services.meeting_at(day, 17)
    )


def test_one_support_per_person_and_it_can_be_withdrawn(world):
    suggestion = suggest(world)
    b = contact(world, "org_b")
    suggestions.suggestion_support(suggestion=suggestion, contact=b, by=b.user)
    suggestions.suggestion_support(suggestion=suggestion, contact=b, by=b.user)
    assert SuggestionSupport.objects.filter(suggestion=suggestion).count() == 1
    suggestions.suggestion_withdraw_support(suggestion=suggestion, contact=b, by=b.user)
    assert not SuggestionSupport.objects.filter(suggestion=suggestion).exists()


def test_members_of_other_networks_neither_propose_nor_support(world):
    c = contact(world, "org_c")
    with pytest.raises(ValidationError):
        suggestions.suggestion_make(contact=c, network=world.network_x, data={"title": "T"}, by=c.user)
    with pytest.raises(ValidationError):
        suggestions.suggestion_support(suggestion=suggest(world), contact=c, by=c.user)


def test_taking_into_a_meeting_adds_a_programme_item_and_the_proposer_sees_it(client, world):
    suggestion = suggest(world)
    autumn = meeting(world.network_x)
    suggestions.suggestion_take_into_meeting(suggestion=suggestion, meeting=autumn, by=world.users["manager_x"])
    item = autumn.agenda_items.get()
    assert item.title == "KI in der Fertigung"
    suggestion.refresh_from_db()
    assert suggestion.status == TopicSuggestion.Status.TAKEN and suggestion.agenda_item == item
    with pytest.raises(ValidationError):
        suggestions.suggestion_take_into_meeting(suggestion=suggestion, meeting=autumn, by=world.users["manager_x"])
    client.force_login(world.users["member_a_x"])
    page = client.get(reverse("portal_questions:suggestion_list")).content.decode()
    assert "ins Programm von „Herbsttreffen“" in page
    assert reverse("portal_events:meeting", args=[autumn.pk]) in page


def test_a_meeting_of_another_network_is_refused(world):
    with pytest.raises(ValidationError):
        suggestions.suggestion_take_into_meeting(suggestion=suggest(world), meeting=meeting(world.network_y), by=world.users["manager_x"])


def test_taking_into_a_draft_infobrief_and_into_a_course(world):
    infobrief = Infobrief.objects.create(network=world.network_x, subject="Infobrief 1")
    first = suggest(world, TopicSuggestion.Target.INFOBRIEF)
    suggestions.suggestion_take_into_infobrief(suggestion=first, infobrief=infobrief, by=world.users["manager_x"])
    assert infobrief.placements.get().entry.title == "KI in der Fertigung"
    second = suggest(world, TopicSuggestion.Target.COURSE)
    topic = Topic.objects.create(network=world.network_x, title="Digitalisierung")
    suggestions.suggestion_take_into_course(suggestion=second, topic=topic, year=2027, by=world.users["manager_x"])
    course = Course.objects.get(network=world.network_x)
    assert course.title == "KI in der Fertigung" and course.status == Course.Status.PROPOSED and list(course.topics.all()) == [topic]
    assert suggestions.outcome(second) == "als Weiterbildung „KI in der Fertigung“ vorgeschlagen"


def test_the_manager_takes_it_through_the_page_and_refused_input_stays_on_the_page(client, world):
    suggestion = suggest(world)
    autumn = meeting(world.network_x)
    client.force_login(world.users["manager_x"])
    url = reverse("questions:suggestion_take", args=["netz-x", suggestion.pk])
    assert client.post(url, {"target": "meeting"}).status_code == 200  # no meeting chosen
    assert client.post(url, {"target": "meeting", "meeting": autumn.pk}).status_code == 302
    assert autumn.agenda_items.count() == 1
    client.force_login(world.users["manager_y"])
    assert client.post(reverse("questions:suggestion_take", args=["netz-y", suggestion.pk]), {"target": "meeting"}).status_code == 404


def test_portal_support_and_withdraw(client, world):
    suggestion = suggest(world)
    client.force_login(world.users["member_b_x"])
    client.post(reverse("portal_questions:suggestion_support", args=[suggestion.pk]))
    assert suggestion.supports.count() == 1
    client.post(reverse("portal_questions:suggestion_withdraw", args=[suggestion.pk]))
    assert suggestion.supports.count() == 0
    client.force_login(world.users["member_c_y"])
    assert client.post(reverse("portal_questions:suggestion_support", args=[suggestion.pk])).status_code == 404


def test_indicators_count_suggestions_made_and_taken_up(world):
    suggest(world)
    taken = suggest(world)
    suggestions.suggestion_take_into_meeting(suggestion=taken, meeting=meeting(world.network_x), by=world.users["manager_x"])
    today = timezone.localdate()
    figures = questions.indicators(world.network_x, today, today)
    assert figures["suggestions_made"] == 2 and figures["suggestions_taken_up"] == 1
