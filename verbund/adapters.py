from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest

from verbund.mail import mail_send_later, refusal_message, refusals_noted


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's templates greet with current_site.name ("Hallo von …!"); without django.contrib.sites it is the portal.
        site = SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        message = self.render_mail(template_prefix, email, {"email": email, "current_site": site, **context})
        with refusals_noted() as refused:
            mail_send_later(message=message)
        if refused and self.request is not None:
            # Without a worker the server's 550 is known now: say so on the page (a worker records it for later).
            # Password reset and login code send a mail whether or not the account exists (ACCOUNT_PREVENT_ENUMERATION),
            # so this message is the same for both and reveals nothing (S-6).
            messages.warning(self.request, refusal_message(refused))
