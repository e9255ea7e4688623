"""The one way into a network's pages: resolve the slug, check the role, 404 for outsiders.

Like Zulip's access helpers, "not found" and "not yours" look the same, so a
URL never tells an outsider whether a network exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from verbund.models import ManagerRole, Network

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from verbund.models import User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest behind `login_required`: the user is logged in. django-htmx's middleware sets `htmx` on every request."""

    user: User
    htmx: HtmxDetails


class NetworkRequest(AuthenticatedRequest):
    """An HttpRequest that went through `network_required`."""

    network: Network
    manager_role: ManagerRole


View = Callable[..., HttpResponseBase]


def network_required(*, can_manage: bool = False) -> Callable[[View], View]:
    """Decorate a manager view taking `network_slug`.

    Sets `request.network` and `request.manager_role`. Anonymous users are sent
    to the login page; a user without a role in this network gets 404; a user
    whose role may read but not change gets 403 on views with `can_manage=True`.
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, network_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = (
                ManagerRole.objects.select_related("network").filter(user=request.user, network__slug=network_slug, network__archived_at__isnull=True).first()
            )
            if role is None:
                raise Http404("No such network.")
            if can_manage and not role.role_enum.can_manage:
                raise PermissionDenied
            request.network = role.network  # type: ignore[attr-defined]  # here the request becomes a NetworkRequest
            request.manager_role = role  # type: ignore[attr-defined]  # here the request becomes a NetworkRequest
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def manager_required(view: View) -> View:
    """For pages about all of a user's networks: 403 for users who manage none."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.manager_roles.exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view: View) -> View:
    """For the member portal: 403 for logged-in users who are no member organisation's contact."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        contact = getattr(request.user, "contact", None)
        if contact is None or contact.archived_at is not None or contact.organisation.archived_at is not None:
            raise PermissionDenied
        request.contact = contact  # type: ignore[attr-defined]  # here the request becomes a members.access.MemberRequest
        return view(request, *args, **kwargs)

    return wrapper
