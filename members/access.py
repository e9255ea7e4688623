"""The request type of the member portal's views: what `verbund.access.member_required` adds to a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verbund.access import AuthenticatedRequest

if TYPE_CHECKING:
    from members.models import Contact


class MemberRequest(AuthenticatedRequest):
    """An HttpRequest that went through `member_required`: `contact` is the user's own, active contact."""

    contact: Contact
