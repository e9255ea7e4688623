from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from members.models import (
    Consent,
    Contact,
    ContactExit,
    DuplicateDismissal,
    EconomicActivity,
    ErasureTombstone,
    GovernancePosition,
    ImportMapping,
    Invitation,
    Membership,
    MembershipStatusChange,
    MergeRecord,
    Organisation,
    SavedFilter,
    Tag,
)
from members.privacy import person_erase
from verbund.admin import ReadOnlyAdmin


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["salutation", "title", "first_name", "last_name", "function", "email", "phone", "is_primary", "user"]
    autocomplete_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["network"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "municipality", "district", "employees", "activity", "archived_at"]
    list_filter = ["kind", "state", "district", "archived_at"]
    search_fields = ["name", "municipality", "postcode", "competencies", "activity__code"]
    inlines = [ContactInline, MembershipInline]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "organisation", "function", "email", "is_primary", "user"]
    list_filter = ["is_primary", "salutation"]
    search_fields = ["last_name", "first_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    list_select_related = ["organisation", "user"]
    actions = ["erase_persons"]

    @admin.action(description=gettext_lazy("Person löschen (DSGVO)"), permissions=["delete"])
    def erase_persons(self, request: HttpRequest, queryset: QuerySet[Contact]) -> HttpResponse | None:
        """Anonymise the selected people (members.privacy.person_erase) after a confirmation page.

        Only offered to users with delete permission on contacts; people whose
        login is staff can only be erased by a superuser.
        """
        if not (request.user.is_superuser or (request.user.is_staff and self.has_delete_permission(request))):
            raise PermissionDenied
        contacts = list(queryset.select_related("organisation", "user").order_by("organisation__name", "last_name", "pk"))
        protected = [c for c in contacts if c.user and (c.user.is_staff or c.user.is_superuser) and not request.user.is_superuser]
        if request.POST.get("post") == "yes":
            if protected:
                raise PermissionDenied
            for contact in contacts:
                person_erase(contact=contact, by=request.user)
                contact.refresh_from_db()  # log the anonymous name, never the old one
                self.log_change(request, contact, "DSGVO: Person gelöscht")
            self.message_user(
                request,
                ngettext("%(count)d Person wurde gelöscht (anonymisiert).", "%(count)d Personen wurden gelöscht (anonymisiert).", len(contacts))
                % {"count": len(contacts)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Personen löschen (DSGVO)"),
            "opts": self.model._meta,
            "contacts": contacts,
            "protected": protected,
            "action_name": "erase_persons",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "members/privacy/admin_erase_confirm.html", context)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "network", "role", "status", "joined_on", "left_on", "annual_fee"]
    list_filter = ["status", "role", "network"]
    search_fields = ["organisation__name", "network__name"]
    autocomplete_fields = ["organisation", "network"]
    list_select_related = ["organisation", "network"]


@admin.register(EconomicActivity)
class EconomicActivityAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "version", "level", "section"]
    list_filter = ["version", "level", "section"]
    search_fields = ["code", "title"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["contact", "network", "purpose", "granted_at", "source", "text_version", "withdrawn_at"]
    list_filter = ["purpose", "source", "network", "withdrawn_at"]
    search_fields = ["contact__last_name", "contact__email", "network__name"]
    list_select_related = ["contact", "network"]


@admin.register(MembershipStatusChange)
class MembershipStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["membership", "from_status", "to_status", "effective_on", "changed_by", "created_at"]
    list_filter = ["to_status", "membership__network"]
    search_fields = ["membership__organisation__name"]
    list_select_related = ["membership__organisation", "membership__network", "changed_by"]


@admin.register(GovernancePosition)
class GovernancePositionAdmin(SimpleHistoryAdmin):
    list_display = ["network", "function", "contact", "since", "until"]
    list_filter = ["function", "network"]
    search_fields = ["contact__last_name", "network__name"]
    autocomplete_fields = ["contact", "network"]
    list_select_related = ["network", "contact"]


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "network", "created_at"]
    list_filter = ["network"]
    search_fields = ["name", "user__email"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "contact", "network", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["network", "accepted_at"]
    search_fields = ["email", "contact__last_name"]
    exclude = ["token_hash"]


@admin.register(ErasureTombstone)
class ErasureTombstoneAdmin(ReadOnlyAdmin):
    list_display = ["email_hash", "erased_at", "erased_by"]


@admin.register(ContactExit)
class ContactExitAdmin(ReadOnlyAdmin):
    """A network ended its relation to a person of a shared company (docs/SHARED-COMPANIES.md); changed in the portal only."""

    list_display = ["contact", "network", "ended_at", "ended_by"]
    list_filter = ["network"]
    search_fields = ["contact__last_name", "network__name"]
    list_select_related = ["contact", "network", "ended_by"]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "header_row", "created_by", "created_at"]
    list_filter = ["network"]
    search_fields = ["name", "network__name"]


@admin.register(MergeRecord)
class MergeRecordAdmin(ReadOnlyAdmin):
    """The audit record of a merge: evidence, never edited."""

    list_display = ["merged_label", "kind", "kept_id", "merged_id", "network", "merged_by", "merged_at"]
    list_filter = ["kind", "network"]
    search_fields = ["merged_label"]


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(admin.ModelAdmin):
    """Pairs a network's office marked "keine Dublette"; deleting one lets the pair be proposed again."""

    list_display = ["kind", "low_id", "high_id", "network", "dismissed_by", "dismissed_at"]
    list_filter = ["kind", "network"]
