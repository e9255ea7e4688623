from collections.abc import Callable

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Paths a manager without a second factor may still reach: the account and
# 2FA pages (to set it up or log out), the legal pages, static files.
OPEN_PREFIXES = ("/accounts/", "/static/", "/legal/", "/i18n/", "/health/")


class RequireTwoFactorMiddleware:
    """Managers and staff without TOTP are sent to set it up before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MFA_REQUIRED_FOR_MANAGERS and self._must_set_up(request):
            messages.warning(
                request,
                _("Für Ihre Rolle ist die Zwei-Faktor-Authentisierung Pflicht. Bitte richten Sie sie jetzt ein."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return False
        # Signed in with a second factor in this session (allauth's record): it has one. Asked first, as it needs no
        # query: a manager's every page would otherwise ask the database for the role.
        if any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
            return False
        if not user.must_use_two_factor:
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def forget_second_factor(sender, request: HttpRequest | None = None, authenticator: Authenticator | None = None, **kwargs) -> None:
    """allauth's authenticator_removed: with its TOTP gone, this session no longer counts as signed in with a second
    factor, so RequireTwoFactorMiddleware asks the database again (and sends a manager to set up a new one)."""
    if request is None or authenticator is None or authenticator.type != Authenticator.Type.TOTP:
        return
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [record for record in records if record.get("method") != "mfa"]
