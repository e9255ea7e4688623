import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import Client
from django.urls import get_resolver, reverse


def test_404_is_a_german_page_in_the_portal_look(client, db):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert 'href="/legal/impressum/"' in response.text


def test_403_explains_the_missing_role(client, world, member_a_x):
    client.force_login(member_a_x)
    response = client.get(reverse("manage:index"))
    assert response.status_code == 403
    assert "Diese Funktion steht Ihrer Rolle nicht zur Verfügung." in response.text


def test_expired_form_gets_a_clear_csrf_message(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Sitzung abgelaufen" in response.text


def test_error_pages_are_english_when_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/gibt-es-nicht/")
    assert "Page not found" in response.text


def _make_health_raise(monkeypatch, exc: Exception) -> None:
    """The /health/ URL pattern's view raises `exc` (as any view would when its query fails)."""

    def view(request):
        raise exc

    pattern = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "health")
    monkeypatch.setattr(pattern, "callback", view)


@pytest.mark.parametrize("exc", [OperationalError("server closed the connection unexpectedly"), InterfaceError("connection already closed")])
def test_a_database_that_is_away_gets_the_friendly_503_page(db, monkeypatch, exc):
    _make_health_raise(monkeypatch, exc)
    response = Client(raise_request_exception=False).get(reverse("health"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Das Portal ist gleich wieder da" in response.text and "Traceback" not in response.text


def test_an_error_in_our_own_sql_stays_a_logged_500(db, monkeypatch):
    _make_health_raise(monkeypatch, ProgrammingError("column does not exist"))
    response = Client(raise_request_exception=False).get(reverse("health"))
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.text


@pytest.mark.django_db(transaction=True)
def test_health_asks_the_database_once_and_survives_a_connection_that_died_between_requests(monkeypatch):
    """/health/ is polled by every load balancer: one round trip, not Django's health check plus its own query."""
    from django.db import connection

    client = Client()
    assert client.get(reverse("health")).status_code == 200
    checks: list[bool] = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(True) or True)
    # A reused persistent connection at the start of a request, with CONN_HEALTH_CHECKS on.
    connection.health_check_enabled, connection.health_check_done = True, False
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": True}
    assert checks == []
    monkeypatch.undo()
    if connection.vendor == "postgresql":
        # The server ended the connection behind Django's back (a restart, a proxy's idle timeout).
        connection.connection.pgconn.finish()
        response = client.get(reverse("health"))
        assert response.status_code == 200 and response.json()["database"] is True
