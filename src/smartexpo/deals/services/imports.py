"""Importing deals from a CSV or XLSX file (docs/deals-entry.md): one row per deal, each
entered through `deal_create`, or `deal_update` when its `ref` is already a deal of the
edition, so that importing a corrected file again changes only what changed.

Every bad row is reported with its line and the messages of its fields, and the other rows
are kept; `atomic`: one bad row and nothing is kept; `dry_run`: every row is checked as it
would be entered, and nothing is kept.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.imports import FileRefused, column_of, row_data, rows_read
from smartexpo.deals.models import Deal
from smartexpo.deals.services.deals import deal_create, deal_update
from smartexpo.venue.models import Expo


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # {"line", "code", "message", "detail"}
    atomic: bool = False
    dry_run: bool = False
    kept: bool = True  # whether the valid rows were kept (not an atomic failure nor a dry run)
    deal_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Rollback(Exception):
    """Leaves the import's transaction so that nothing of it is kept."""


def _error(line: int, code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    detail = {"fields": fields} if fields else {}
    if fields:
        message = "; ".join(f"{name}: {text}" for name, text in fields.items())
    return {"line": line, "code": code, "message": message, "detail": detail}


def _refused(line: int, exc: SmartExpoError) -> dict:
    fields = (exc.detail or {}).get("fields")
    if fields:
        return _error(line, exc.code, exc.message, {column_of(k): v for k, v in fields.items()})
    return _error(line, exc.code, exc.message)


def _row_enter(expo: Expo, data: dict[str, Any], report: ImportReport) -> int:
    """Enter one row (in its own savepoint, so that a refused row leaves nothing behind)."""
    existing = Deal.objects.filter(expo=expo, ref=data["ref"]).first()
    with transaction.atomic():
        if existing is None:
            deal = deal_create(expo=expo, data=data)
            report.created += 1
            return deal.pk
        if data.get("status", existing.status) == existing.status:
            # The follow-up moves only forward: a status the deal already has is no move.
            for name in ("status", "status_on", "evidence"):
                data.pop(name, None)
        deal = deal_update(expo=expo, deal_id=existing.pk, data=data)
        if deal.version == existing.version:
            report.unchanged += 1
        else:
            report.updated += 1
        return deal.pk


def deals_import(
    *, expo: Expo, file_name: str, data: bytes, atomic: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import the deals of a CSV (UTF-8, with or without a byte-order mark) or XLSX file into
    `expo`; answers the report (`errors`: line, code, message, `detail.fields` by column).
    A file that cannot be read at all (not UTF-8, an unusable header, too many rows) raises
    `invalid` at `file` and nothing is imported."""
    report = ImportReport(atomic=atomic, dry_run=dry_run)
    try:
        # Read whole first: a file refused as a whole (too many rows) leaves nothing behind.
        rows = list(rows_read(file_name=file_name, data=data))
    except FileRefused as exc:
        raise SmartExpoError(
            "invalid", _("The file cannot be imported."), {"fields": {"file": exc.message}}
        ) from None
    # All or nothing holds one transaction (and the ledger's lock) for the whole file; a plain
    # import keeps each row as it goes, so other organisers' entries are not held up.
    whole = transaction.atomic() if atomic or dry_run else contextlib.nullcontext()
    try:
        with whole:
            _rows_enter(expo, rows, report)
            if dry_run or (atomic and report.errors):
                raise _Rollback
    except _Rollback:
        report.kept = False
        report.deal_ids = []
    return report


def _rows_enter(expo: Expo, rows: list, report: ImportReport) -> None:
    seen: dict[str, int] = {}
    for line, cells in rows:
        report.rows += 1
        values, problems = row_data(cells)
        ref = values.get("ref")
        if ref and ref in seen:
            problems["ref"] = _("The same reference as line %(n)d.") % {"n": seen[ref]}
        elif ref:
            seen[ref] = line
        if problems:
            report.errors.append(_error(line, "invalid", _("Some cells cannot be read."), problems))
            continue
        try:
            report.deal_ids.append(_row_enter(expo, values, report))
        except SmartExpoError as exc:
            report.errors.append(_refused(line, exc))
