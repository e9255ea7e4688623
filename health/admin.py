from django.contrib import admin

from health.models import AnnualReport, MemberReport, ReportPeriod, ReportRequest, Survey, SurveyInvitation, SurveyQuestion
from verbund.admin import ReadOnlyAdmin


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "year", "status"]
    list_filter = ["status", "year"]
    inlines = [SurveyQuestionInline]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    """Read only: setting `answered_at` back would open a used link for a second answer."""

    list_display = ["email", "survey", "sent_at", "answered_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["contact", "organisation"]


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "cadence", "active"]
    filter_horizontal = ["organisations"]


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    list_display = ["request", "year", "quarter", "due_on"]


@admin.register(MemberReport)
class MemberReportAdmin(admin.ModelAdmin):
    list_display = ["organisation", "period", "submitted_at"]
    raw_id_fields = ["organisation"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["network", "year", "status", "rendered_at"]
