from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from verbund.models import BackgroundJob, DeferredTask, FundingSource, LegalPage, MailFailure, ManagerRole, Network, NetworkImprint, NetworkLogo, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence or reference data: visible to staff, changed only through services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (_("Berechtigungen"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Daten"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class ManagerRoleInline(admin.TabularInline):
    model = ManagerRole
    extra = 0
    autocomplete_fields = ["user"]


class FundingSourceInline(admin.TabularInline):
    model = FundingSource
    extra = 0


class NetworkImprintInline(admin.StackedInline):
    model = NetworkImprint
    extra = 0


class NetworkLogoInline(admin.TabularInline):
    """Logos are uploaded on the network's documentation page (re-encoded there); here they are only named or ordered."""

    model = NetworkLogo
    extra = 0
    readonly_fields = ["logo"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Network)
class NetworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "region", "stage", "parent", "archived_at"]
    list_filter = ["kind", "stage", "cluster_type", "archived_at"]
    search_fields = ["name", "slug", "region", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [ManagerRoleInline, FundingSourceInline, NetworkImprintInline, NetworkLogoInline]


@admin.register(ManagerRole)
class ManagerRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "network", "role", "created_at"]
    list_filter = ["role", "network"]
    search_fields = ["user__email", "user__last_name", "network__name"]
    autocomplete_fields = ["user", "network"]
    list_select_related = ["user", "network"]


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ["network", "year", "kind", "name", "funder", "amount"]
    list_filter = ["kind", "year", "network"]
    search_fields = ["name", "funder", "network__name"]
    list_select_related = ["network"]


@admin.register(LegalPage)
class LegalPageAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "updated_at"]


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "network", "user", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status", "network"]
    search_fields = ["title", "user__email", "network__name"]
    list_select_related = ["network", "user"]
    readonly_fields = ["created_at", "finished_at"]


@admin.register(DeferredTask)
class DeferredTaskAdmin(ReadOnlyAdmin):
    """What waits for the broker; the sweeper empties it."""

    list_display = ["task", "args", "attempts", "created_at", "tried_at", "last_error"]


@admin.register(MailFailure)
class MailFailureAdmin(admin.ModelAdmin):
    """Mails the server refused for good or that failed after every retry (verbund.tasks.send_mail_task)."""

    list_display = ["created_at", "recipients", "subject", "code", "permanent", "mailer"]
    list_filter = ["permanent", "mailer", "code"]
    search_fields = ["recipients", "subject"]
    readonly_fields = ["recipients", "subject", "mailer", "code", "error", "permanent", "created_at"]
