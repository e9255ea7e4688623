from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qualification.models import (
    Attendance,
    CheckAnswer,
    CheckArea,
    CheckQuestion,
    CheckRound,
    CheckShare,
    CheckTemplate,
    Course,
    CourseFile,
    CourseSession,
    Enrolment,
    Need,
    Topic,
)
from verbund.admin import ReadOnlyAdmin


@admin.register(CheckTemplate)
class CheckTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "depth", "key", "version", "is_current"]
    list_filter = ["depth", "is_current"]


@admin.register(CheckArea, CheckQuestion)
class CheckPartAdmin(admin.ModelAdmin):
    pass


@admin.register(CheckRound, CheckAnswer, CheckShare)
class CheckRecordAdmin(ReadOnlyAdmin):
    """A company's check answers are its own: staff can see that they exist, the portal changes them."""


@admin.register(Topic, Need, Enrolment)
class QualificationAdmin(SimpleHistoryAdmin):
    pass


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "network", "year", "status", "seats"]
    list_filter = ["network", "status", "year"]


@admin.register(CourseSession, Attendance)
class CourseDetailAdmin(admin.ModelAdmin):
    pass


@admin.register(CourseFile)
class CourseFileAdmin(ReadOnlyAdmin):
    """Files go through the upload checks of the course's documentation page, never straight into the admin."""

    list_display = ["title", "course", "size", "uploaded_at"]
