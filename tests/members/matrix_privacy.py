"""URL × persona expectations for the DSGVO URLs (members.urls.privacy).

These URLs carry no object id: a member user always gets their own
organisation. Users without a contact (managers, staff) get 403 from
`member_required`; anonymous users are sent to the login.
"""

from tests.matrix import Case, Target, rev, statuses

MEMBERS_ONLY = statuses(403, anonymous=302, members=200)

PRIVACY_MATRIX: dict[str, Case] = {
    "privacy:overview": Case([Target(rev("privacy:overview"), MEMBERS_ONLY)]),
    "privacy:export_json": Case([Target(rev("privacy:export_json"), MEMBERS_ONLY)]),
    "privacy:export_html": Case([Target(rev("privacy:export_html"), MEMBERS_ONLY)]),
    "privacy:export_pdf": Case([Target(rev("privacy:export_pdf"), MEMBERS_ONLY)]),
}
