from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class GermanFirstMiddleware:
    """German unless the user chose otherwise: the browser's Accept-Language is not asked.

    A German public-sector portal speaks German to everyone by default; English is
    one click away (the language switch sets a cookie that LocaleMiddleware reads).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
