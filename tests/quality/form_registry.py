"""Every form of the project's apps, and the real view that receives it (S-2 of QUALITY.md).

`REGISTRY` maps a form class (dotted path) to the submissions that reach it: the URL name of the view, taken from
the URL × persona matrix (tests/test_url_persona_matrix.py, which builds the objects of the seeded world), and the
persona that may post there. `EXEMPT` lists the forms that no view of ours receives on its own, with the reason.
`discovered_forms()` walks the subclasses of `django.forms.BaseForm` defined in the project's apps: a form that is in
neither table fails `test_every_form_is_registered_or_exempt`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World

APPS = ("verbund", "members", "events", "newsletters", "qualification", "cooperation", "health", "composition")


@dataclass(frozen=True)
class Post:
    """One way into a form: the view's URL name (a key of the persona matrix) as `persona`.

    The URL is the matrix's first target of that key that the persona may use; `url` builds it instead where the
    matrix has none (a token only the test can make). `method="get"` for filter forms that read the query string.
    `fixed` is sent with every example (the switch a view uses to pick the form, e.g. `guest=1`).
    """

    key: str
    persona: str = "manager_x"
    method: str = "post"
    url: Callable[[World], str] | None = None
    fixed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    posts: tuple[Post, ...]
    notes: str = ""


def _entry(*posts: Post | str, notes: str = "") -> Entry:
    return Entry(tuple(p if isinstance(p, Post) else Post(p) for p in posts), notes)


def _member(key: str, **kwargs) -> Post:
    return Post(key, persona="member_a_x", **kwargs)


def _public(key: str, **kwargs) -> Post:
    return Post(key, persona="anonymous", **kwargs)


def _get(key: str, persona: str = "manager_x") -> Post:
    return Post(key, persona=persona, method="get")


def invitation_url(world: World) -> str:
    """An open invitation of a new contact of A into X, with a token the test knows (only its hash is stored)."""
    from members.models import Contact, Invitation
    from members.services import _token_hash

    token = "s2-einladung-" + "x" * 20
    contact = Contact.objects.create(organisation=world.org_a, first_name="Ina", last_name="Eingeladen", email="ina@example.org")
    Invitation.objects.create(
        contact=contact,
        network=world.network_x,
        email=contact.email,
        token_hash=_token_hash(token),
        invited_by=world.users["manager_x"],
        expires_at=timezone.now() + timedelta(days=7),
    )
    return reverse("members:invitation", kwargs={"token": token})


REGISTRY: dict[str, Entry] = {
    # --- verbund ------------------------------------------------------------
    "verbund.forms.NetworkProfileForm": _entry("verbund:network_profile"),
    "verbund.forms.FundingSourceForm": _entry("verbund:funding_source_add"),
    "verbund.forms.NetworkImprintForm": _entry("verbund:network_documentation"),
    "verbund.forms.LogoForm": _entry("verbund:network_logo_add", "events:meeting_logo_add", notes="hostile files are S-7's"),
    "verbund.forms.StyleguideForm": _entry(_get("styleguide", "staff"), notes="the design system's demo form, bound from GET"),
    # --- members ------------------------------------------------------------
    "members.forms.organisations.OrganisationForm": _entry(
        "directory:organisation_create", "directory:organisation_edit", _member("members:portal_profile_edit")
    ),
    "members.forms.organisations.NewMembershipForm": _entry("directory:organisation_create"),
    "members.forms.organisations.MembershipForm": _entry("directory:membership_edit"),
    "members.forms.organisations.StatusChangeForm": _entry("directory:membership_edit"),
    "members.forms.organisations.ContactForm": _entry(
        "directory:contact_create", "directory:contact_edit", _member("members:portal_contact_create"), _member("members:portal_contact_edit")
    ),
    "members.forms.organisations.DirectoryFilterForm": _entry(_get("directory:directory")),
    "members.forms.organisations.SavedFilterForm": _entry("directory:saved_filter_create"),
    "members.forms.organisations.BulkActionForm": _entry("directory:bulk_action"),
    "members.forms.organisations.GovernanceForm": _entry("directory:governance"),
    "members.forms.organisations.AcceptInvitationForm": _entry(_public("members:invitation", url=invitation_url)),
    "members.forms.organisations.ConsentsForm": _entry(_member("members:portal_consents"), notes="one field per consent topic"),
    "members.forms.duplicates.MergeForm": _entry("duplicates:contact_merge", "duplicates:organisation_merge"),
    "members.forms.io.UploadForm": _entry("io:import_upload", notes="hostile files are S-7's"),
    "members.forms.io.MappingForm": _entry("io:import_mapping"),
    "members.forms.io.HeaderRowForm": _entry("io:import_mapping"),
    "members.forms.io.SavedMappingForm": _entry("io:import_mapping"),
    "members.forms.io.ConfirmForm": _entry("io:import_confirm"),
    "members.forms.io.ExportForm": _entry(_get("io:export")),
    # --- events -------------------------------------------------------------
    "events.forms.meetings.MeetingForm": _entry("events:meeting_create", "events:meeting_edit", "events:series_next"),
    "events.forms.meetings.AgendaItemForm": _entry("events:agenda_add", "events:agenda_edit"),
    "events.forms.meetings.ConsentForm": _entry("events:registration_consent"),
    "events.forms.meetings.RegisterContactForm": _entry("events:registration_add", "events:walk_in"),
    "events.forms.meetings.GuestForm": _entry(
        Post("events:registration_add", fixed={"guest": "1"}), Post("events:walk_in", fixed={"guest": "1"}), notes="`guest=1` picks it"
    ),
    "events.forms.meetings.MinuteForm": _entry("events:minute_add", "events:minute_edit"),
    "events.forms.meetings.ActionItemForm": _entry("events:action_item_add", "events:action_item_edit"),
    "events.forms.meetings.PortalRegistrationForm": _entry(_member("portal_events:register")),
    "events.forms.meetings.ParticipantsBulkForm": _entry("events:registrations_bulk"),
    "events.forms.attachments.AttachmentUploadForm": _entry("events:attachments", notes="hostile files are S-7's"),
    "events.forms.attachments.AttachmentEditForm": _entry("events:attachment_edit"),
    "events.forms.attachments.SummaryForm": _entry("events:agenda_summary"),
    "events.forms.attachments.DocumentationSettingsForm": _entry("events:documentation_settings"),
    "events.forms.feedback.FeedbackForm": _entry(_public("feedback:answer")),
    "events.forms.invitations.InvitationForm": _entry("events:invite"),
    "events.forms.invitations.ConsentsForm": _entry(_public("public_events:reply")),
    "events.forms.invitations.PublicSignupForm": _entry(_public("public_events:meeting")),
    "events.forms.messaging.MeetingMessageForm": _entry("events:message_send"),
    "events.views.calendar.SeriesForm": _entry("events:series_create", "events:series_edit"),
    # --- newsletters --------------------------------------------------------
    "newsletters.forms.manage.EntryForm": _entry("newsletters:entry_create", "newsletters:entry_edit"),
    "newsletters.forms.manage.InfobriefForm": _entry("newsletters:create", "newsletters:content"),
    "newsletters.forms.manage.AudienceForm": _entry("newsletters:audience"),
    "newsletters.forms.manage.PlaceEntryForm": _entry("newsletters:place"),
    "newsletters.forms.manage.ScheduleForm": _entry("newsletters:send"),
    "newsletters.forms.manage.SettingsForm": _entry("newsletters:settings"),
    "newsletters.forms.public.SubscribeForm": _entry(_public("newsletter_public:subscribe")),
    # --- qualification ------------------------------------------------------
    "qualification.forms.checks.TemplateForm": _entry("qualification:check_template_edit"),
    "qualification.forms.checks.AreaForm": _entry("qualification:check_area_create", "qualification:check_area_edit"),
    "qualification.forms.checks.QuestionForm": _entry("qualification:check_question_create", "qualification:check_question_edit"),
    "qualification.forms.checks.VisitStartForm": _entry("qualification:check_round_start"),
    "qualification.forms.checks.AnswerForm": _entry(_member("qualification_portal:check_answer"), notes="one field per question"),
    "qualification.forms.checks.ShareForm": _entry(_member("qualification_portal:check_share")),
    "qualification.forms.programme.TopicForm": _entry("qualification:topics", "qualification:topic_edit"),
    "qualification.forms.programme.NeedForm": _entry("qualification:cell", _member("qualification_portal:need_edit")),
    "qualification.forms.programme.MatrixFilterForm": _entry(_get("qualification:matrix")),
    "qualification.forms.programme.CourseForm": _entry("qualification:course_create", "qualification:course_edit"),
    "qualification.forms.programme.ProposalForm": _entry("qualification:proposal"),
    "qualification.forms.programme.SessionForm": _entry("qualification:session_add"),
    "qualification.forms.programme.EnrolForm": _entry("qualification:course_enrol", _member("qualification_portal:enrol")),
    "qualification.forms.programme.DocumentationForm": _entry("qualification:documentation"),
    "qualification.forms.programme.CourseFileForm": _entry("qualification:file_add", notes="hostile files are S-7's"),
    # --- cooperation: needs and offers ---------------------------------------
    "cooperation.forms.needs.ManagerNeedOfferForm": _entry("needs:create", "needs:edit"),
    "cooperation.forms.needs.PortalNeedOfferForm": _entry(_member("portal_needs:create"), _member("portal_needs:edit")),
    "cooperation.forms.needs.EntryFilterForm": _entry(_get("needs:list"), _get("portal_needs:list", "member_a_x")),
    "cooperation.forms.needs.StatusForm": _entry("needs:status"),
    "cooperation.forms.needs.RoundTableForm": _entry("needs:round_table"),
    # --- cooperation: projects ---------------------------------------------
    "cooperation.forms.projects.ProjectStartForm": _entry("projects:start"),
    "cooperation.forms.projects.ProjectForm": _entry("projects:edit"),
    "cooperation.forms.projects.ProjectLinkForm": _entry("projects:link_add", notes="hostile files are S-7's"),
    "cooperation.forms.projects.ParticipantAddForm": _entry("projects:participant_add"),
    "cooperation.forms.projects.ParticipantRoleForm": _entry("projects:participant_role"),
    "cooperation.forms.projects.DecisionPaperForm": _entry("projects:paper_create", "projects:paper_edit", notes="up to four option slots"),
    "cooperation.forms.projects.DecisionForm": _entry("projects:paper_decide"),
    # --- health -------------------------------------------------------------
    "health.forms.annual.ForewordForm": _entry("health_annual:report"),
    "health.forms.indicators.YearForm": _entry(_get("health:index"), _get("portfolio:index")),
    "health.forms.surveys.SurveyCreateForm": _entry("health_surveys:create"),
    "health.forms.surveys.SurveySettingsForm": _entry("health_surveys:update"),
    "health.forms.surveys.QuestionForm": _entry("health_surveys:question_add", "health_surveys:question_edit"),
    "health.forms.surveys.AnswerForm": _entry(_public("survey_public:answer"), notes="one field per question"),
    "health.forms_reports.ReportRequestForm": _entry("health_reports:request_create", "health_reports:request_edit"),
    "health.forms_reports.OpenPeriodForm": _entry("health_reports:period_open"),
    "health.forms_reports.MemberReportForm": _entry(_member("reports_portal:report"), notes="one field per prompt"),
    # --- cooperation: outreach (contact log and acquisition) --------------------
    "cooperation.forms.outreach.ContactLogForm": _entry("outreach:log_create"),
    "cooperation.forms.outreach.ContactLogFilterForm": _entry(_get("outreach:log")),
    "cooperation.forms.outreach.ProspectForm": _entry("outreach:prospect_start"),
    "cooperation.forms.outreach.ProspectMoveForm": _entry("outreach:prospect_move"),
    # --- cooperation: questions and suggestions --------------------------------
    "cooperation.forms.questions.QuestionForm": _entry(_member("portal_questions:create")),
    "cooperation.forms.questions.AnswerForm": _entry(_member("portal_questions:answer"), notes="A asked the question: the form is parsed, the service refuses"),
    "cooperation.forms.questions.RouteForm": _entry("questions:route"),
    "cooperation.forms.questions.PublishForm": _entry("questions:publish"),
    "cooperation.forms.questions.SearchForm": _entry(_get("questions:knowledge_list"), _get("portal_questions:knowledge_list", "member_a_x")),
    "cooperation.forms.questions.SuggestionForm": _entry(_member("portal_questions:suggestion_create")),
    "cooperation.forms.questions.TakeForm": _entry("questions:suggestion_take"),
}

EXEMPT: dict[str, str] = {
    "events.forms.meetings.ConsentFields": "the consent fields shared by ConsentForm, RegisterContactForm and GuestForm; no view binds it alone",
    "cooperation.forms.needs.NeedOfferForm": "the base of ManagerNeedOfferForm and PortalNeedOfferForm; no view binds it alone",
}


def discovered_forms() -> list[type[forms.BaseForm]]:
    """Every form class defined in the project's apps (admin and allauth forms live elsewhere), after importing all
    their modules so that forms defined beside a view count too."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    stack = list(forms.BaseForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in APPS and cls not in found:
            found.append(cls)
    return sorted(found, key=dotted)


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def form_class(path: str) -> type[forms.BaseForm]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)
