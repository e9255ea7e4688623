"""URL × persona expectations for search everywhere (composition.search): managers of any network, nobody else."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import Case, Target, statuses

SEARCH_MATRIX: dict[str, Case] = {
    "search": Case(
        [
            Target(lambda w: reverse("search") + "?q=Alpha", statuses(403, anonymous=302, managers=200)),
            Target(lambda w: reverse("search"), statuses(403, anonymous=302, managers=200)),  # the empty form
        ]
    ),
}
