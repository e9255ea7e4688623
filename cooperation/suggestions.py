"""Topic suggestions (Themenvorschläge): members propose, others support, the office takes a suggestion up into a
meeting's programme, a draft Infobrief or a course proposal — through the services of events, newsletters and
qualification."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import SuggestionSupport, TopicSuggestion
from cooperation.models.questions import SUGGESTION_FIELDS
from events import services as event_services
from events.models import AgendaItem, Meeting
from members.models import Contact
from newsletters import compose as newsletter_compose
from newsletters import services as newsletter_services
from newsletters.models import Infobrief
from qualification import courses as course_services
from qualification.models import Course, Topic
from verbund.models import Network, User
from verbund.services import save_audited


@transaction.atomic
def suggestion_make(*, contact: Contact, network: Network, data: dict[str, Any], by: User) -> TopicSuggestion:
    """A member proposes a topic in a network its organisation belongs to."""
    if not Network.objects.joined_by(contact.organisation).filter(pk=network.pk).exists():
        raise ValidationError(_("Ihre Organisation ist kein Mitglied dieses Verbunds."))
    suggestion = TopicSuggestion(network=network, organisation=contact.organisation, proposed_by=contact, **SUGGESTION_FIELDS.take(data))
    save_audited(suggestion, by=by)
    return suggestion


@transaction.atomic
def suggestion_support(*, suggestion: TopicSuggestion, contact: Contact, by: User) -> SuggestionSupport:
    """One support per person; supporting again changes nothing. Only people of the suggestion's network."""
    if not Network.objects.joined_by(contact.organisation).filter(pk=suggestion.network_id).exists():
        raise ValidationError(_("Ihre Organisation ist kein Mitglied dieses Verbunds."))
    found = SuggestionSupport.objects.filter(suggestion=suggestion, contact=contact).first()
    if found:
        return found
    support = SuggestionSupport(suggestion=suggestion, contact=contact)
    save_audited(support, by=by)
    return support


@transaction.atomic
def suggestion_withdraw_support(*, suggestion: TopicSuggestion, contact: Contact, by: User) -> None:
    for support in SuggestionSupport.objects.filter(suggestion=suggestion, contact=contact):
        support._history_user = by  # type: ignore[attr-defined]  # simple_history reads the author from the instance
        support.delete()


def _taken(suggestion: TopicSuggestion, by: User, **links: Any) -> TopicSuggestion:
    for name, value in links.items():
        setattr(suggestion, name, value)
    suggestion.status, suggestion.taken_at = TopicSuggestion.Status.TAKEN, timezone.now()
    save_audited(suggestion, by=by, update_fields=["status", "taken_at", *links])
    return suggestion


def _check_open(suggestion: TopicSuggestion) -> None:
    if suggestion.status != TopicSuggestion.Status.OPEN:
        raise ValidationError(_("Dieser Vorschlag wurde schon aufgenommen."))


@transaction.atomic
def suggestion_take_into_meeting(*, suggestion: TopicSuggestion, meeting: Meeting, by: User) -> TopicSuggestion:
    """Add the topic to the programme of a meeting of the same network (a discussion at the meeting's start time)."""
    _check_open(suggestion)
    if meeting.network_id != suggestion.network_id:
        raise ValidationError(_("Dieses Treffen gehört zu einem anderen Verbund."))
    item = event_services.agenda_item_save(
        meeting=meeting,
        by=by,
        data={"starts_at": timezone.localtime(meeting.starts_at).time(), "kind": AgendaItem.Kind.DISCUSSION, "title": suggestion.title, "parallel": True},
    )
    return _taken(suggestion, by, meeting=meeting, agenda_item=item)


@transaction.atomic
def suggestion_take_into_infobrief(*, suggestion: TopicSuggestion, infobrief: Infobrief, by: User) -> TopicSuggestion:
    """An entry in a draft Infobrief of the same network."""
    _check_open(suggestion)
    if infobrief.network_id != suggestion.network_id or infobrief.status != Infobrief.Status.DRAFT:
        raise ValidationError(_("Bitte einen Infobrief-Entwurf dieses Verbunds wählen."))
    entry = newsletter_compose.entry_save(network=suggestion.network, by=by, data={"title": suggestion.title, "body": suggestion.text or suggestion.title})
    newsletter_services.entry_place(infobrief=infobrief, entry=entry, by=by)
    return _taken(suggestion, by, entry=entry)


@transaction.atomic
def suggestion_take_into_course(*, suggestion: TopicSuggestion, topic: Topic, year: int, by: User) -> TopicSuggestion:
    """A course proposal (status "proposed") of the network with the suggestion's title, under a topic of the network's
    qualification catalogue (a course needs one)."""
    _check_open(suggestion)
    course = course_services.course_from_topics(
        network=suggestion.network, topic_ids=[topic.pk], by=by, year=year, title=suggestion.title, status=Course.Status.PROPOSED
    )
    return _taken(suggestion, by, course=course)


def outcome(suggestion: TopicSuggestion) -> str:
    """What became of a suggestion, in words for the proposer."""
    if suggestion.meeting_id and suggestion.meeting is not None:
        return _("ins Programm von „%(title)s“ am %(day)s aufgenommen") % {
            "title": suggestion.meeting.title,
            "day": f"{timezone.localtime(suggestion.meeting.starts_at):%d.%m.%Y}",
        }
    if suggestion.entry_id and suggestion.entry is not None:
        return _("in den Infobrief aufgenommen")
    if suggestion.course_id and suggestion.course is not None:
        return _("als Weiterbildung „%(title)s“ vorgeschlagen") % {"title": suggestion.course.title}
    return ""


def with_support_counts(suggestions: QuerySet[TopicSuggestion]) -> QuerySet[TopicSuggestion]:
    """Each suggestion with `support_count`, the most supported first."""
    return suggestions.annotate(support_count=Count("supports")).order_by("-support_count", "-created_at")
