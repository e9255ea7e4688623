from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from verbund.mail import mail_send_later


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's templates greet with current_site.name ("Hallo von …!"); without django.contrib.sites it is the portal.
        site = SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        message = self.render_mail(template_prefix, email, {"email": email, "current_site": site, **context})
        mail_send_later(message=message)
