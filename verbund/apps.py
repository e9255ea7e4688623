from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerbundConfig(AppConfig):
    name = "verbund"
    verbose_name = _("Verbünde")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_removed

        from verbund.middleware import forget_second_factor

        authenticator_removed.connect(forget_second_factor, dispatch_uid="verbund-forget-second-factor")
