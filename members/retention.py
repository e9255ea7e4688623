"""What the portal keeps how long: the rows of a network's "Aufbewahrung" page.

Every number is read from the code or setting that enforces it (the purge's TRASH_DAYS, the import's DRAFT_HOURS,
the export task's EXPORT_FILE_DAYS, the beat schedule, the session age), so the page cannot promise what the code
does not do. A read model: it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members import services
from members.imports import DRAFT_HOURS
from members.privacy import MAIL_BACKEND
from members.tasks import EXPORT_FILE_DAYS


@dataclass(frozen=True)
class Retention:
    what: str
    how_long: str
    then: str


def mail_is_stored() -> bool:
    """Whether a mailer writes .eml files (the embedded default) instead of handing mail to an SMTP relay."""
    return any(mailer.get("BACKEND") == MAIL_BACKEND for mailer in getattr(settings, "MAILERS", {}).values())


def _days(days: int) -> str:
    return ngettext("%(n)d Tag", "%(n)d Tage", days) % {"n": days}


def _hours(hours: int) -> str:
    return ngettext("%(n)d Stunde", "%(n)d Stunden", hours) % {"n": hours}


def _duration(seconds: float) -> str:
    delta = timedelta(seconds=seconds)
    if delta.days and not delta.seconds:
        return _days(delta.days)
    if delta >= timedelta(hours=1):
        return _hours(int(delta.total_seconds() // 3600))
    return ngettext("%(n)d Minute", "%(n)d Minuten", int(delta.total_seconds() // 60)) % {"n": int(delta.total_seconds() // 60)}


def _every(task_name: str) -> str:
    """How often beat runs a task, from CELERY_BEAT_SCHEDULE."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry.get("task") == task_name and isinstance(entry.get("schedule"), int | float):
            return {3600: _("stündlich"), 86400: _("täglich")}.get(int(entry["schedule"])) or _("alle %(interval)s") % {
                "interval": _duration(entry["schedule"])
            }
    return _("regelmäßig")


def retention_rows() -> list[Retention]:
    """One row per kind of data: what, how long, and what happens then."""
    until_erased = _("bis die Person gelöscht wird (Art. 17) oder ihr Eintrag aus dem Papierkorb endgültig gelöscht ist")
    rows = [
        Retention(
            _("Papierkorb (Organisationen, Mitgliedschaften, Kontakte)"),
            _days(services.TRASH_DAYS),
            _(
                "Danach endgültig gelöscht (geprüft %(every)s): Personen werden anonymisiert und gelöscht; verweisen noch "
                "Anmeldungen, Kursanmeldungen oder Verabredungen auf sie, bleibt ein anonymer Eintrag „Gelöschte Person“. "
                "Eine Organisation, die kein Verbund mehr hält, wird mit ihren Personen und ihrem Verlauf gelöscht. "
                "Ein Löschvermerk entsteht dabei nicht: die Person kann wieder aufgenommen werden."
            )
            % {"every": _every("members.tasks.purge_trash")},
        ),
        Retention(
            _("Aus Treffen entfernte Programmpunkte, Protokolleinträge und Verabredungen"),
            # The same setting as the trash (TRASH_RETENTION_DAYS); events.services.meeting_content_purge enforces it.
            _days(services.TRASH_DAYS),
            _("Bis dahin holt „Rückgängig“ sie zurück; danach endgültig gelöscht (geprüft %(every)s).")
            % {"every": _every("events.tasks.purge_deleted_meeting_content")},
        ),
        Retention(
            _("Importentwürfe (hochgeladene, nicht bestätigte Dateien)"),
            _hours(DRAFT_HOURS),
            _("Danach gelöscht (geprüft %(every)s), spätestens beim nächsten Hochladen derselben Person.")
            % {"every": _every("members.tasks.discard_stale_import_drafts")},
        ),
        Retention(
            _("Exportdateien"),
            _days(EXPORT_FILE_DAYS),
            _("Danach wird die Datei gelöscht (geprüft %(every)s); der Auftrag bleibt ohne Datei.")
            % {"every": _every("members.tasks.delete_old_export_files")},
        ),
        Retention(
            _("Einladungen zum Portal"),
            _days(services.INVITATION_DAYS),
            _("Danach ungültig; der Eintrag bleibt, %(until)s.") % {"until": until_erased},
        ),
        Retention(
            _("Einwilligungen mit Nachweis"),
            _("solange sie gelten; nach einem Widerruf %(years)s Jahre als Nachweis") % {"years": settings.CONSENT_PROOF_YEARS},
            _("Dann wird der Nachweis gelöscht (geprüft %(every)s); Zweck, Verbund und Daten bleiben ohne Nachweis für die Statistik.")
            % {"every": _every("members.tasks.expire_consent_proofs")},
        ),
        Retention(
            _("Infobrief-Abonnements von Externen (mit Nachweis der Bestätigung)"),
            _("solange sie bestehen; nach der Abmeldung %(years)s Jahre") % {"years": settings.CONSENT_PROOF_YEARS},
            _("Dann wird der Eintrag mit seinem Verlauf gelöscht (geprüft %(every)s); nie bestätigte Anmeldungen ebenso.")
            % {"every": _every("newsletters.tasks.expire_delivery_logs_and_subscriptions")},
        ),
        Retention(
            _("Versandprotokoll der Infobriefe (wer welchen Infobrief bekam)"),
            _days(settings.DELIVERY_LOG_DAYS),
            _(
                "Dann wird die Adresse durch einen Prüfwert ersetzt (die Zahlen der Kennzahlen bleiben); Rückläufer-Meldungen werden gelöscht (geprüft %(every)s)."
            )
            % {"every": _every("newsletters.tasks.expire_delivery_logs_and_subscriptions")},
        ),
        Retention(
            _("Verlauf (wer hat was wann geändert)"),
            until_erased,
            _("Die Verlaufseinträge der Person werden mit ihr entfernt; der Verlauf einer endgültig gelöschten Organisation mit ihr."),
        ),
        Retention(
            _("Anmeldesitzungen"),
            _duration(settings.SESSION_COOKIE_AGE),
            _("Danach abgelaufen; abgelaufene Sitzungen werden %(every)s gelöscht.") % {"every": _every("verbund.tasks.clear_expired_sessions")},
        ),
    ]
    if mail_is_stored():
        rows.append(
            Retention(
                _("E-Mails (als Dateien gespeichert, var/mail/)"),
                until_erased,
                _("Diese Installation versendet keine E-Mails, sie legt sie als Dateien ab. Mit einer Person werden die E-Mails an oder über sie gelöscht."),
            )
        )
    else:
        rows.append(Retention(_("E-Mails"), _("nicht gespeichert"), _("Sie gehen an den Mailserver und werden im Portal nicht aufbewahrt.")))
    rows.append(
        Retention(
            _("Löschvermerke (nach einer Löschung nach Art. 17)"),
            _("dauerhaft"),
            _("Nur ein Prüfwert (HMAC) der E-Mail-Adresse, kein Name: er verhindert, dass ein Import die gelöschte Person zurückholt."),
        )
    )
    return rows
