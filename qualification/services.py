"""Writes of the Qualifizierungsverbund's catalogue: topics. Courses are in courses.py, checks in checks_service.py,
a cell of the matrix in matrix.need_save; each is an `<entity>_<action>` with its transaction and audit user."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from qualification.models import TOPIC_FIELDS, Topic
from verbund.models import Network, User
from verbund.services import save_audited


@transaction.atomic
def topic_create(*, network: Network, by: User, data: dict[str, Any]) -> Topic:
    """A new topic of the network's catalogue (TOPIC_FIELDS)."""
    topic = Topic(network=network, **TOPIC_FIELDS.take(data))
    save_audited(topic, by=by)
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, by: User, data: dict[str, Any]) -> Topic:
    """Change a topic's title, description or place in the list."""
    if changed := TOPIC_FIELDS.apply(topic, data):
        save_audited(topic, by=by, update_fields=changed)
    return topic


@transaction.atomic
def topic_archive(*, topic: Topic, by: User, archived: bool) -> Topic:
    """Archive a topic (its cells stay; it leaves the matrix and the alignment) or bring it back."""
    topic.archived_at = timezone.now() if archived else None
    save_audited(topic, by=by, update_fields=["archived_at"])
    return topic
