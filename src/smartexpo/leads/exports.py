"""An exhibitor's leads as files: CSV, an Excel workbook (openpyxl) and vCards (vobject, one
card per lead).

Every value of the visitor comes from `selectors.visitor_fields`, so a file holds only what
the visitor shares now; the columns are the edition's shareable fields, a cell left empty
where the visitor shares nothing. A spreadsheet would run a cell that starts with `=`, `+`,
`-` or `@` as a formula: such text is written with a leading `'` (CSV and XLSX alike).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import vobject
from django.http import HttpResponse
from openpyxl import Workbook

from smartexpo.exhibitors.models import Exhibitor
from smartexpo.leads import selectors
from smartexpo.leads.models import Lead
from smartexpo.venue.models import SHAREABLE_FIELDS, Expo

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED = ("serial", "holder")
OWN = ("note", "rating", "tags", "captured_at", "device", "withdrawn")


def safe(value) -> str:
    """A cell's text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def columns(expo: Expo) -> list[str]:
    """The header: serial and masked name, the fields the edition lets visitors share, then
    the exhibitor's own."""
    allowed = expo.lead_fields if isinstance(expo.lead_fields, list) else []
    return [*FIXED, *(f for f in SHAREABLE_FIELDS if f in allowed), *OWN]


def rows(leads: Iterable[Lead], expo: Expo) -> Iterable[list[str]]:
    """Each lead as the text of its cells, in `columns` order, formula-safe."""
    names = columns(expo)
    for lead in leads:
        shared = selectors.visitor_fields(lead, expo)
        values = {
            "serial": lead.serial,
            "holder": selectors.holder(lead) or "",
            **shared,
            "note": lead.note,
            "rating": "" if lead.rating is None else lead.rating,
            "tags": ", ".join(lead.tags),
            "captured_at": lead.captured_at.astimezone(expo.tz).isoformat(timespec="seconds"),
            "device": lead.device.name if lead.device_id and lead.device else "",
            "withdrawn": "yes" if lead.withdrawn else "",
        }
        yield [safe(values.get(name, "")) for name in names]


def leads_csv(leads: Iterable[Lead], expo: Expo) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel reads Chinese names right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns(expo))
    writer.writerows(rows(leads, expo))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def leads_xlsx(leads: Iterable[Lead], expo: Expo) -> bytes:
    """One sheet, every cell written as text (never a formula)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(columns(expo))
    for row in rows(leads, expo):
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"  # text as given: a leading "=" stays text, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def leads_vcf(leads: Iterable[Lead], expo: Expo) -> bytes:
    """vCard 3.0, one card per lead: the visitor's shared fields, the serial, and the
    exhibitor's note, rating and tags in NOTE."""
    cards = []
    for lead in leads:
        shared = selectors.visitor_fields(lead, expo)
        card = vobject.vCard()
        full = shared.get("name") or selectors.holder(lead) or f"Ticket {lead.serial}"
        card.add("fn").value = full
        card.add("n").value = vobject.vcard.Name(family="", given=full)
        if "email" in shared:
            card.add("email").value = shared["email"]
        if "phone" in shared:
            card.add("tel").value = shared["phone"]
        if "company" in shared:
            card.add("org").value = [shared["company"]]
        if "title" in shared:
            card.add("title").value = shared["title"]
        note = [f"Ticket {lead.serial}"]
        if lead.rating is not None:
            note.append(f"Rating {lead.rating}/5")
        if lead.tags:
            note.append("Tags: " + ", ".join(lead.tags))
        if lead.note:
            note.append(lead.note)
        card.add("note").value = "\n".join(note)
        card.add("uid").value = f"smartexpo-lead-{expo.slug}-{lead.pk}"
        cards.append(card.serialize())
    return "".join(cards).encode("utf-8")


KINDS = {
    "csv": (leads_csv, "text/csv; charset=utf-8"),
    "xlsx": (leads_xlsx, XLSX),
    "vcf": (leads_vcf, "text/vcard; charset=utf-8"),
}


def response(kind: str, leads: Iterable[Lead], *, expo: Expo, exhibitor: Exhibitor) -> HttpResponse:
    """The leads as a download of `kind` (csv, xlsx or vcf)."""
    make, media_type = KINDS[kind]
    answer = HttpResponse(make(leads, expo), content_type=media_type)
    name = f"leads-{expo.slug}-{exhibitor.slug}.{kind}"
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer
