from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from verbund.models import Network


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the header needs: which areas this user has. Lazy, so pages that don't ask cost nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"operator_name": settings.OPERATOR_NAME}

    @cache
    def managed_networks() -> list[Network]:
        return list(Network.objects.active().managed_by(user).only("name", "slug"))

    return {
        "operator_name": settings.OPERATOR_NAME,
        "nav_managed_networks": managed_networks,
        "nav_is_member": cache(lambda: getattr(user, "contact", None) is not None),
    }
