from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.models import Contact, Membership, Organisation


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


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "network", "role", "status", "joined_on", "left_on", "annual_fee"]
    list_filter = ["status", "role", "network"]
    search_fields = ["organisation__name", "network__name"]
    autocomplete_fields = ["organisation", "network"]
    list_select_related = ["organisation", "network"]
