"""Helpers shared by the import and export tests (no tests here): building spreadsheets, walking the import pages."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from verbund.models import BackgroundJob

HEADER = ["Firma", "Straße", "PLZ", "Ort", "Vorname", "Nachname", "E-Mail", "Telefon", "Rolle", "Status", "Beitrag"]


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def member_row(
    name: str,
    postcode: str = "48431",
    *,
    first: str = "Erika",
    last: str = "Muster",
    email: str = "",
    phone: str = "05971 123456",
    role: str = "Hersteller",
    status: str = "Aktiv",
    fee: str = "1.200,50",
    street: str = "Hauptstraße 1",
    place: str = "Rheine",
) -> list[str]:
    email = email or f"{last.lower()}@{name.split()[0].lower()}.example"
    return [name, street, postcode, place, first, last, email, phone, role, status, fee]


def io_url(name: str, **kwargs: Any) -> str:
    return reverse(f"io:{name}", kwargs={"network_slug": "netz-x", **kwargs})


def upload(client, content: bytes, name: str = "mitglieder.csv"):
    return client.post(io_url("import_upload"), {"file": SimpleUploadedFile(name, content)})


def upload_to_preview(client, content: bytes, name: str = "mitglieder.csv") -> BackgroundJob:
    """Upload a file and accept the suggested mapping; returns the draft job."""
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BackgroundJob.objects.latest("pk")
    mapping = {f"col_{index}": key for key, index in job.params["mapping"].items()}
    response = client.post(io_url("import_mapping", pk=job.pk), mapping)
    assert response.status_code == 302, response.content.decode()[:2000]
    job.refresh_from_db()
    return job
