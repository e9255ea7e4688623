from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from composition import search as search_views
from events.views import meetings as event_views
from verbund import views

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way: the admin's login redirects to allauth's
admin.site.site_header = "verbund – Administration"
admin.site.site_title = "verbund"

manage_patterns = (
    [
        path("<slug:network_slug>/profile/", views.network_profile, name="network_profile"),
        path("<slug:network_slug>/profile/funding/", views.funding_source_add, name="funding_source_add"),
        path("<slug:network_slug>/profile/funding/<int:pk>/delete/", views.funding_source_remove, name="funding_source_remove"),
        path("<slug:network_slug>/profile/documentation/", views.network_documentation, name="network_documentation"),
        path("<slug:network_slug>/profile/documentation/logos/", views.network_logo_upload, name="network_logo_add"),
        path("<slug:network_slug>/profile/documentation/logos/<int:pk>/delete/", views.network_logo_remove, name="network_logo_remove"),
    ],
    "verbund",
)

urlpatterns = [
    # First: load balancers ask it several times a second, and URL resolution tries the patterns in order.
    path("health/", views.health, name="health"),
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("styleguide/", views.styleguide, name="styleguide"),
    path("manage/", include("composition.urls")),
    path("manage/", include(manage_patterns)),
    path("manage/<slug:network_slug>/", include("members.urls.manage")),
    path("manage/<slug:network_slug>/io/", include("members.urls.io")),
    path("manage/<slug:network_slug>/", include("members.urls.lifecycle")),
    path("manage/<slug:network_slug>/duplicates/", include("members.urls.duplicates")),
    path("manage/<slug:network_slug>/meetings/", include("events.urls.manage")),
    path("manage/<slug:network_slug>/infobrief/", include("newsletters.urls.manage")),
    path("manage/<slug:network_slug>/qualification/", include("qualification.urls.manage")),
    path("manage/<slug:network_slug>/health/", include("health.urls.indicators")),
    path("manage/<slug:network_slug>/health/surveys/", include("health.urls.surveys")),
    path("manage/<slug:network_slug>/health/reports/", include("health.urls.reports")),
    path("manage/<slug:network_slug>/health/annual-report/", include("health.urls.annual")),
    path("manage/<slug:network_slug>/cooperation/", include("cooperation.urls.needs_manage")),
    path("manage/<slug:network_slug>/questions/", include("cooperation.urls.questions_manage")),
    path("manage/<slug:network_slug>/outreach/", include("cooperation.urls.outreach")),
    path("manage/<slug:network_slug>/projects/", include("cooperation.urls.projects")),
    path("portfolio/", include("health.urls.portfolio")),
    path("survey/", include("health.urls.survey_public")),
    path("portal/reports/", include("health.urls.reports_portal")),
    path("portal/privacy/", include("members.urls.privacy")),
    path("portal/meetings/", include("events.urls.portal")),
    path("portal/cooperation/", include("cooperation.urls.needs_portal")),
    path("portal/questions/", include("cooperation.urls.questions_portal")),
    path("portal/projects/", include("cooperation.urls.projects_portal")),
    path("portal/qualification/", include("qualification.urls.portal")),
    path("portal/", include("members.urls.portal")),
    path("n/<slug:network_slug>/meetings/", include("events.urls.public")),
    path("n/<slug:network_slug>/infobrief/", include("newsletters.urls.public")),
    path("feedback/", include("events.urls.feedback")),
    path("n/<slug:network_slug>/calendar/<str:token>.ics", event_views.network_calendar_feed, name="network_calendar"),
    path("legal/<slug:slug>/", views.legal_page, name="legal_page"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "verbund.views.server_error"
