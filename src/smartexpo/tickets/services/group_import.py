"""Group registration from a CSV file: every valid row registered, every bad row explained.

Columns (header names, any order): `ticket_type`, `days` (dates separated by `;` or spaces),
`name`, `email`, `id_type`, `id_number`, `interests` (`;`-separated tag codes), `language`,
and the networking profile: `phone`, `company`, `title`, `sectors`, `intents` and `share`
(`;`-separated codes; `share` within the edition's `lead_fields`).
UTF-8 with or without a byte-order mark. Line numbers are the file's own (the header is line 1;
a quoted field spanning lines counts every line).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.venue.models import Expo

COLUMNS = (
    "ticket_type",
    "days",
    "name",
    "email",
    "id_type",
    "id_number",
    "interests",
    "language",
    # The networking profile (optional): lists as the days are, separated by ; , or spaces.
    "phone",
    "company",
    "title",
    "sectors",
    "intents",
    "share",
)
LIST_COLUMNS = ("days", "interests", "sectors", "intents", "share")
REQUIRED = ("ticket_type", "days", "name", "email")
MAX_ROWS = 100_000
_SPLIT = re.compile(r"[;\s,]+")


@dataclass
class ImportReport:
    created: int = 0
    registration_ids: list[int] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"line", "code", "message", "detail"}


MESSAGES = {
    "duplicate": "This ID number already holds a ticket for {days}.",
    "sold_out": "No places left on {days}.",
}


def _message(code: str, detail: dict) -> str:
    if code == "invalid":
        return "; ".join(f"{k}: {v}" for k, v in detail.get("fields", {}).items())
    return MESSAGES.get(code, code).format(days=", ".join(detail.get("days", [])))


def registrations_import_csv(*, expo: Expo, data: bytes, source: str = "import") -> ImportReport:
    """Register the people listed in a CSV file (organisers' group registration)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid(
            {"file": f"Not UTF-8 text (byte {exc.start})."}, "The file is not UTF-8."
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    with _unreadable_refused(reader):
        header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        raise invalid({"file": "; ".join(problems) + "."}, "The CSV header is not usable.")
    rows: list[dict] = []
    lines: list[int] = []
    report = ImportReport()
    for record in _records(reader):
        # line_num is the record's last line; a quoted cell may span several lines before it.
        cells = [v for v in record.values() if isinstance(v, str)]
        cells += [v for v in record.get(None) or [] if isinstance(v, str)]
        line = reader.line_num - sum(v.count("\n") for v in cells)
        if None in record:  # more cells than header columns
            report.errors.append(_error(line, "invalid", {"fields": {"row": "Too many cells."}}))
            continue
        if not any((v or "").strip() for v in record.values()):
            continue  # a blank line is not a person
        row = {k: (v or "").strip() for k, v in record.items()}
        for column in LIST_COLUMNS:
            if column in row or column in ("days", "interests"):
                row[column] = [v for v in _SPLIT.split(row.get(column, "")) if v]
        for optional in ("id_type", "id_number", "language"):
            if not row.get(optional):
                row.pop(optional, None)
        rows.append(row)
        lines.append(line)
        if len(rows) > MAX_ROWS:
            raise SmartExpoError(
                "invalid", f"At most {MAX_ROWS:,} rows per file.", {"fields": {"file": "Too long."}}
            )
    result = registrations_bulk_create(expo=expo, rows=rows, source=source)
    report.created = len(result.created)
    report.registration_ids = [pk for _i, pk in result.created]
    report.errors += [_error(lines[i], code, detail) for i, code, detail in result.errors]
    report.errors.sort(key=lambda e: e["line"])
    return report


@contextlib.contextmanager
def _unreadable_refused(reader: csv.DictReader):
    """A file the csv module cannot read on (a cell over its 131,072-character limit) is
    refused whole with the line where reading stopped, as an unusable header is."""
    try:
        yield
    except csv.Error as exc:
        raise invalid(
            {"file": f"Line {reader.line_num}: {exc}."}, "The CSV file cannot be read."
        ) from None


def _records(reader: csv.DictReader):
    while True:
        with _unreadable_refused(reader):
            record = next(reader, None)
        if record is None:
            return
        yield record


def _error(line: int, code: str, detail: dict) -> dict:
    return {"line": line, "code": code, "message": _message(code, detail), "detail": detail}
