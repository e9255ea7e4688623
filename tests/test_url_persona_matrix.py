"""Every URL pattern of the project × every persona: the expected status, and nothing missing.

The table grows with every issue. A pattern the resolver knows but the table
does not fails `test_every_url_pattern_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.audit import audit_watch, protected_models
from tests.composition.matrix_search import SEARCH_MATRIX
from tests.conftest import PERSONAS, World
from tests.cooperation.matrix_needs import NEEDS_MATRIX
from tests.cooperation.matrix_outreach import OUTREACH_MATRIX
from tests.cooperation.matrix_projects import PROJECTS_MATRIX
from tests.cooperation.matrix_questions import QUESTIONS_MATRIX
from tests.events.matrix_attachments import ATTACHMENTS_MATRIX
from tests.events.matrix_calendar import CALENDAR_MATRIX
from tests.events.matrix_events import EVENTS_MATRIX
from tests.events.matrix_feedback import FEEDBACK_MATRIX
from tests.events.matrix_invitations import INVITATIONS_MATRIX
from tests.events.matrix_messaging import MESSAGING_MATRIX
from tests.events.matrix_public import PUBLIC_MATRIX
from tests.health.matrix_annual import HEALTH_ANNUAL_MATRIX
from tests.health.matrix_indicators import HEALTH_INDICATORS_MATRIX
from tests.health.matrix_portfolio import HEALTH_PORTFOLIO_MATRIX
from tests.health.matrix_reports import HEALTH_REPORTS_MATRIX
from tests.health.matrix_surveys import HEALTH_SURVEYS_MATRIX
from tests.matrix import Case, Target, rev, statuses
from tests.members.matrix_directory import DIRECTORY_MATRIX
from tests.members.matrix_duplicates import DUPLICATES_MATRIX
from tests.members.matrix_import_batches import IMPORT_BATCHES_MATRIX
from tests.members.matrix_io import IO_MATRIX
from tests.members.matrix_lifecycle import LIFECYCLE_MATRIX
from tests.members.matrix_privacy import PRIVACY_MATRIX
from tests.newsletters.matrix_manage import NEWSLETTER_MANAGE_MATRIX
from tests.newsletters.matrix_public import NEWSLETTER_PUBLIC_MATRIX
from tests.qualification.matrix_export import EXPORT_MATRIX
from tests.qualification.matrix_qualification import QUALIFICATION_MATRIX
from tests.qualification.matrix_templates import TEMPLATES_MATRIX
from verbund.admin import ReadOnlyAdmin

LOGGED_IN_ONLY = statuses(200, anonymous=302)
ANONYMOUS_ONLY = statuses(302, anonymous=200)  # allauth sends logged-in users away from login/signup

MATRIX: dict[str, Case] = {
    # --- start pages and the tenant ---------------------------------------
    "home": Case([Target(rev("home"), statuses(302, anonymous=302, staff=200))]),
    # the design system's style page: staff only (others are sent to the admin's login)
    "styleguide": Case([Target(rev("styleguide"), statuses(302, staff=200))]),
    "manage:index": Case([Target(rev("manage:index"), statuses(403, anonymous=302, managers=200))]),
    "manage:network_home": Case(
        [
            Target(rev("manage:network_home", network_slug="netz-x"), statuses(404, anonymous=302, manager_x=200, manager_xy=200)),
            Target(rev("manage:network_home", network_slug="netz-y"), statuses(404, anonymous=302, manager_y=200, manager_xy=200)),
            Target(rev("manage:network_home", network_slug="gibt-es-nicht"), statuses(404, anonymous=302)),
        ]
    ),
    # --- member portal ----------------------------------------------------
    "members:portal_home": Case([Target(rev("members:portal_home"), statuses(403, anonymous=302, members=200))]),
    "members:portal_network": Case(
        [
            Target(rev("members:portal_network", network_slug="netz-x"), statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)),
            Target(rev("members:portal_network", network_slug="netz-y"), statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)),
        ]
    ),
    "members:portal_profile_edit": Case([Target(rev("members:portal_profile_edit"), statuses(403, anonymous=302, members=200))]),
    "members:portal_contact_create": Case([Target(rev("members:portal_contact_create"), statuses(403, anonymous=302, members=200))]),
    "members:portal_consents": Case([Target(rev("members:portal_consents"), statuses(403, anonymous=302, members=200))]),
    "members:portal_contact_edit": Case(
        [
            Target(
                lambda w: reverse("members:portal_contact_edit", args=[w.org_a.contacts.get().pk]),
                statuses(403, anonymous=302, member_a_x=200, member_b_x=404, member_c_y=404),
            )
        ]
    ),
    "members:portal_contact_remove": Case(
        [
            Target(  # A's only contact is the user herself: refused with a message, nothing removed
                lambda w: reverse("members:portal_contact_remove", args=[w.org_a.contacts.get().pk]),
                statuses(403, anonymous=302, member_a_x=302, member_b_x=404, member_c_y=404),
                method="post",
                htmx=False,
            ),
            Target(lambda w: reverse("members:portal_contact_remove", args=[w.org_a.contacts.get().pk]), statuses(405), htmx=False),
        ]
    ),
    "members:portal_member_directory": Case(
        [
            Target(rev("members:portal_member_directory", network_slug="netz-x"), statuses(403, anonymous=302, member_a_x=200, member_b_x=200, member_c_y=404)),
            Target(rev("members:portal_member_directory", network_slug="netz-y"), statuses(403, anonymous=302, member_a_x=404, member_b_x=404, member_c_y=200)),
        ]
    ),
    "members:invitation": Case([Target(rev("members:invitation", token="unbekannt"), statuses(404), htmx=False)]),
    # --- public -----------------------------------------------------------
    "legal_page": Case(
        [
            Target(rev("legal_page", slug="impressum"), statuses(200)),
            Target(rev("legal_page", slug="datenschutz"), statuses(200)),
            Target(rev("legal_page", slug="barrierefreiheit"), statuses(200)),
            Target(rev("legal_page", slug="unbekannt"), statuses(404)),
        ]
    ),
    "health": Case([Target(rev("health"), statuses(200))]),
    "set_language": Case([Target(rev("set_language"), statuses(302), htmx=False)]),  # GET changes nothing, redirects back
    # --- accounts (allauth) -----------------------------------------------
    "account_login": Case([Target(rev("account_login"), ANONYMOUS_ONLY, htmx=False)]),
    "account_logout": Case([Target(rev("account_logout"), statuses(200, anonymous=302), htmx=False)]),
    "account_inactive": Case([Target(rev("account_inactive"), statuses(200), htmx=False)]),
    "account_signup": Case([Target(rev("account_signup"), ANONYMOUS_ONLY, htmx=False)]),  # closed: a "signup closed" page
    "account_reauthenticate": Case([Target(rev("account_reauthenticate"), LOGGED_IN_ONLY, htmx=False)]),
    "account_email": Case([Target(rev("account_email"), LOGGED_IN_ONLY, htmx=False)]),
    "account_email_verification_sent": Case([Target(rev("account_email_verification_sent"), statuses(200), htmx=False)]),
    "account_change_password": Case([Target(rev("account_change_password"), LOGGED_IN_ONLY, htmx=False)]),
    "account_set_password": Case([Target(rev("account_set_password"), statuses(302), htmx=False)]),  # users have passwords
    "account_reset_password": Case([Target(rev("account_reset_password"), statuses(200), htmx=False)]),
    "account_reset_password_done": Case([Target(rev("account_reset_password_done"), statuses(200), htmx=False)]),
    "account_reset_password_from_key": Case(
        [Target(rev("account_reset_password_from_key", uidb36="1", key="invalid-key"), statuses(200), htmx=False)]  # "bad token" page
    ),
    "account_reset_password_from_key_done": Case([Target(rev("account_reset_password_from_key_done"), statuses(200), htmx=False)]),
    "account_confirm_email": Case([Target(rev("account_confirm_email", key="invalid"), statuses(200), htmx=False)]),  # "link expired" page
    "account_request_login_code": Case([Target(rev("account_request_login_code"), ANONYMOUS_ONLY, htmx=False)]),
    "account_confirm_login_code": Case([Target(rev("account_confirm_login_code"), statuses(302), htmx=False)]),  # no pending code
    "mfa_index": Case([Target(rev("mfa_index"), LOGGED_IN_ONLY, htmx=False)]),
    "mfa_authenticate": Case([Target(rev("mfa_authenticate"), statuses(302), htmx=False)]),  # no pending login
    "mfa_reauthenticate": Case([Target(rev("mfa_reauthenticate"), statuses(302), htmx=False)]),  # nobody has 2FA yet
    "mfa_activate_totp": Case([Target(rev("mfa_activate_totp"), statuses(302), htmx=False)]),  # asks to reauthenticate first
    "mfa_deactivate_totp": Case([Target(rev("mfa_deactivate_totp"), statuses(404, anonymous=302), htmx=False)]),
    "mfa_view_recovery_codes": Case([Target(rev("mfa_view_recovery_codes"), statuses(404, anonymous=302), htmx=False)]),
    "mfa_generate_recovery_codes": Case([Target(rev("mfa_generate_recovery_codes"), statuses(302), htmx=False)]),  # reauthenticate first
    "mfa_download_recovery_codes": Case([Target(rev("mfa_download_recovery_codes"), statuses(404, anonymous=302), htmx=False)]),
}

# --- the Django admin: staff only; the login goes through allauth ----------
# Non-staff are sent to the admin login, which (allauth's secure_admin_login) refuses them with 403.
ADMIN_PAGE = statuses(302, staff=200)


def _admin_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {
        "admin:index": Case([Target(rev("admin:index"), ADMIN_PAGE, htmx=False)]),
        "admin:login": Case([Target(rev("admin:login"), statuses(403, anonymous=302, staff=302), htmx=False)]),
        "admin:logout": Case([Target(rev("admin:logout"), statuses(302, staff=405), htmx=False)]),  # POST only
        "admin:password_change": Case([Target(rev("admin:password_change"), ADMIN_PAGE, htmx=False)]),
        "admin:password_change_done": Case([Target(rev("admin:password_change_done"), ADMIN_PAGE, htmx=False)]),
        "admin:jsi18n": Case([Target(rev("admin:jsi18n"), ADMIN_PAGE, htmx=False)]),
        "admin:autocomplete": Case([Target(rev("admin:autocomplete"), statuses(302, staff=403), htmx=False)]),  # 403 without params
        "admin:view_on_site": Case([Target(lambda w: reverse("admin:view_on_site", args=[1, 1]), statuses(302, staff=404), htmx=False)]),
        "admin/(?P<url>.*)$": Case([Target(lambda w: "/admin/gibt-es-nicht/", statuses(302, staff=404), htmx=False)]),
    }
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    cases["admin:app_list"] = Case([Target(rev("admin:app_list", app_label=label), ADMIN_PAGE, htmx=False) for label in app_labels])
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"

        def first_pk(world: World, model=model) -> str:
            obj = model._default_manager.order_by("pk").first()
            return str(obj.pk) if obj else "999999"

        has_objects = model._meta.label in EXISTING_OBJECTS
        object_page = ADMIN_PAGE if has_objects else statuses(302)  # missing → back to the index
        cases[f"admin:{info}_changelist"] = Case([Target(rev(f"admin:{info}_changelist"), ADMIN_PAGE, htmx=False)])
        read_only = isinstance(admin.site._registry[model], ReadOnlyAdmin)  # evidence and reference data
        cases[f"admin:{info}_add"] = Case([Target(rev(f"admin:{info}_add"), statuses(302, staff=403) if read_only else ADMIN_PAGE, htmx=False)])
        for action in ("change", "history", "delete"):
            expected = object_page
            if action == "history" and not has_objects and _has_simple_history(model):
                expected = statuses(302, staff=404)  # simple_history's history view answers 404 for a missing object
            if action == "delete" and read_only:
                expected = statuses(302, staff=403)
            cases[f"admin:{info}_{action}"] = Case(
                [Target(lambda w, info=info, action=action, pk=first_pk: reverse(f"admin:{info}_{action}", args=[pk(w)]), expected, htmx=False)]
            )
        cases[f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = Case(
            [Target(lambda w, m=model, pk=first_pk: f"/admin/{m._meta.app_label}/{m._meta.model_name}/{pk(w)}/", statuses(302), htmx=False)]
        )
        if _has_simple_history(model):
            cases[f"admin:{info}_simple_history"] = Case(
                [
                    Target(
                        lambda w, m=model, pk=first_pk: f"/admin/{m._meta.app_label}/{m._meta.model_name}/{pk(w)}/history/999999/",
                        statuses(302, staff=404),
                        htmx=False,
                    )
                ]
            )
    cases["admin:auth_user_password_change"] = Case(  # Django names it after auth's UserAdmin
        [Target(lambda w: reverse("admin:auth_user_password_change", args=[w.users["staff"].pk]), ADMIN_PAGE, htmx=False)]
    )
    return cases


def _has_simple_history(model) -> bool:
    from simple_history.admin import SimpleHistoryAdmin

    return isinstance(admin.site._registry[model], SimpleHistoryAdmin)


# Models the `world` fixture gives at least one row to.
EXISTING_OBJECTS = {
    "qualification.CheckTemplate",  # the default check, installed by a migration
    "qualification.CheckArea",
    "qualification.CheckQuestion",
    "verbund.User",
    "verbund.Network",
    "verbund.ManagerRole",
    "members.Organisation",
    "members.Contact",
    "members.Membership",
    "account.EmailAddress",
    "members.EconomicActivity",  # loaded by a migration
}

MATRIX.update(_admin_cases())
MATRIX.update(IO_MATRIX)
MATRIX.update(IMPORT_BATCHES_MATRIX)
MATRIX.update(DIRECTORY_MATRIX)
MATRIX.update(DUPLICATES_MATRIX)
MATRIX.update(PRIVACY_MATRIX)
MATRIX.update(LIFECYCLE_MATRIX)
MATRIX.update(EVENTS_MATRIX)
for _events_part in (
    ATTACHMENTS_MATRIX,
    CALENDAR_MATRIX,
    FEEDBACK_MATRIX,
    INVITATIONS_MATRIX,
    MESSAGING_MATRIX,
    PUBLIC_MATRIX,
    NEWSLETTER_MANAGE_MATRIX,
    NEWSLETTER_PUBLIC_MATRIX,
    QUALIFICATION_MATRIX,
    TEMPLATES_MATRIX,
    EXPORT_MATRIX,
    SEARCH_MATRIX,
    HEALTH_INDICATORS_MATRIX,
    HEALTH_SURVEYS_MATRIX,
    HEALTH_REPORTS_MATRIX,
    HEALTH_ANNUAL_MATRIX,
    HEALTH_PORTFOLIO_MATRIX,
    NEEDS_MATRIX,
    OUTREACH_MATRIX,
    PROJECTS_MATRIX,
    QUESTIONS_MATRIX,
):
    assert not set(_events_part) & set(MATRIX), "a URL name is in two matrix files"
    MATRIX.update(_events_part)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def all_url_keys() -> list[str]:
    return [key for key, _ in _walk(get_resolver())]


@pytest.mark.anchor("S-1")
def test_every_url_pattern_is_in_the_matrix(anchor):
    missing = sorted(set(all_url_keys()) - set(MATRIX))
    assert not missing, f"URL patterns without expectations in the persona matrix: {missing}"
    anchor(patterns=len(MATRIX), missing_patterns=len(missing))


def test_the_matrix_names_no_pattern_that_does_not_exist():
    stale = sorted(set(MATRIX) - set(all_url_keys()))
    assert not stale, f"Matrix entries for patterns that no longer exist: {stale}"


@pytest.mark.anchor("S-1")
@pytest.mark.anchor("D-3")
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_status_everywhere(client, world, persona, anchor):
    """S-1, and D-3 on the way: every write a request makes to a protected model leaves a history entry naming the
    logged-in user (tests/audit.py watches each request, not the set-up the targets do)."""
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    wrong = []
    checked = htmx = writes = 0
    unaudited: list[str] = []
    without_user: list[str] = []
    models: set[str] = set()
    for key, case in MATRIX.items():
        for target in case.targets:
            url = target.url(world)
            header_sets = [{}, {"HTTP_HX_REQUEST": "true"}] if target.htmx else [{}]
            for headers in header_sets:
                data = (target.data(world) if target.data else {}) if target.method == "post" else None
                with audit_watch(user.pk if user is not None else None) as watch:
                    if target.method == "post":
                        response = client.post(url, data, **headers)
                    else:
                        response = client.get(url, **headers)
                writes += watch.write_count
                models |= watch.models
                unaudited += [f"{key} {url}: {w}" for w in watch.unaudited()]
                without_user += [f"{key} {url}: {w}" for w in watch.without_user]
                checked += 1
                htmx += bool(headers)
                if response.status_code != target.expected[persona]:
                    wrong.append(f"{key} {url} {'(htmx) ' if headers else ''}→ {response.status_code}, expected {target.expected[persona]}")
    anchor(of="D-3", writes=writes, max_models=len(protected_models()), unaudited=len(unaudited), without_user=len(without_user))
    assert checked >= len(MATRIX)
    assert not wrong, "\n".join(wrong)
    anchor(of="S-1", personas=1, requests=checked, htmx_requests=htmx, unexpected=len(wrong))
    assert not unaudited, f"{len(unaudited)} writes without a history entry:\n" + "\n".join(unaudited[:40])
    assert not without_user, f"{len(without_user)} history entries without the acting user:\n" + "\n".join(without_user[:40])


@pytest.mark.anchor("S-1")
def test_canaries_of_network_x_never_reach_outsiders(client, world, anchor):
    """No page an outsider can open shows network X's private text."""
    documents = 0
    for persona in ("manager_y", "member_c_y", "anonymous", "staff"):
        client.logout()
        if world.users[persona]:
            client.force_login(world.users[persona])
        for key, case in MATRIX.items():
            if key.startswith("admin"):
                continue
            for target in case.targets:
                if target.method != "get":
                    continue
                response = client.get(target.url(world))
                body = b"".join(response.streaming_content) if response.streaming else response.content  # downloads stream
                assert b"X-CANARY" not in body, f"{persona} saw X's canary at {key}"
                documents += 1
    anchor(documents=documents, canary_hits=0)
