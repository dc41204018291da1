"""Reading a deals file (CSV or XLSX) into rows of cells, and a row into the API's shape.

One row per deal; the header (line 1) names the columns, in any order (`COLUMNS`). Every
cell becomes what `deals.rules.deal_input_clean` takes: texts, decimal strings, ISO dates,
booleans. Nothing here writes; `services.imports.deals_import` does.

Numbers typed in a spreadsheet (XLSX) are binary floats. An amount is taken from a float only
when that is honest: the float's shortest decimal form (what Python's `repr` gives, which is
what the spreadsheet showed) has at most the field's decimal places and at most 15
significant digits, the precision a binary float keeps for any decimal (DBL_DIG). Anything
else ("0.30000000000000004", or 9007199254740993.25 which no float holds) is an error for
that row, never a silent rounding: type such amounts as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from smartexpo.deals.models import AMOUNT_PLACES, INPUT_COLUMNS, RATE_PLACES

PARTY_FIELDS = ("exhibitor", "name_en", "name_zh", "country", "region", "city")
PARTY_PREFIXES = ("party", "party2")  # the counterpart (position 0), then another party
COLUMNS = (
    *INPUT_COLUMNS,
    "status",
    "status_on",
    "evidence",
    *(f"{prefix}_{field}" for prefix in PARTY_PREFIXES for field in PARTY_FIELDS),
)
REQUIRED = ("ref", "title_en", "sector", "kind", "amount", "signed_on")
DECIMALS = {"amount": AMOUNT_PLACES, "rate": RATE_PLACES}
DATES = ("rate_on", "signed_on", "status_on")
FLAGS = ("amount_estimated", "amount_confidential", "at_expo")
TRUE = {"true", "yes", "y", "1", "是", "x"}
FALSE = {"false", "no", "n", "0", "否", ""}
FLOAT_DIGITS = 15  # decimal digits every binary double keeps exactly (DBL_DIG)
MAX_ROWS = 10_000
XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file as a whole cannot be read: `message` says why (nothing is imported)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def rows_read(*, file_name: str, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, {column: cell}) for every non-blank row after the header. CSV cells are
    strings; XLSX cells keep their types (str, int, float, bool, datetime)."""
    is_xlsx = file_name.lower().endswith(".xlsx") or data.startswith(XLSX_MAGIC)
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header: list[str] | None = None
    count = 0
    for line, cells in rows:
        if header is None:
            header = [str(c or "").strip().lower() for c in cells]
            _header_check(header)
            continue
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue  # a blank line is no deal
        if len(cells) > len(header) and any(str(c or "").strip() for c in cells[len(header) :]):
            yield line, {None: _("More cells than columns in the header.")}
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
        yield line, {name: cells[i] if i < len(cells) else None for i, name in enumerate(header)}
    if header is None:
        raise FileRefused(_("The file is empty: its first line names the columns."))


def _header_check(header: list[str]) -> None:
    problems = []
    unknown = [c for c in header if c and c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if missing:
        problems.append(_("missing columns: %(c)s") % {"c": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(c)s") % {"c": ", ".join(unknown)})
    if twice:
        problems.append(_("columns given twice: %(c)s") % {"c": ", ".join(twice)})
    if not any(c.startswith("party_") for c in header):
        problems.append(_("no party_ column (the counterpart)"))
    if problems:
        raise FileRefused(_("The header is not usable: %(p)s.") % {"p": "; ".join(problems)})


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("Not UTF-8 text (byte %(n)d).") % {"n": exc.start}) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise FileRefused(_("Line %(n)d: %(e)s.") % {"n": reader.line_num, "e": exc}) from None
        if cells is None:
            return
        # line_num is the record's last line; a quoted cell may span several lines before it.
        yield reader.line_num - sum(c.count("\n") for c in cells), cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(_("Not a readable XLSX file (%(e)s).") % {"e": exc}) from None
    try:
        sheet = book.worksheets[0]
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    finally:
        book.close()


# --- a row's cells in the API's shape -------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def decimal_cell(value: Any, *, places: int) -> str:
    """A decimal string from a cell. A float (a spreadsheet's number) must hold exactly the
    decimal it was typed as (see the module's docstring); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("A number, not true or false."))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("Not a number."))
        shown = Decimal(repr(value))
        exponent = shown.normalize().as_tuple().exponent
        digits = len(shown.normalize().as_tuple().digits)
        if (isinstance(exponent, int) and -exponent > places) or digits > FLOAT_DIGITS:
            raise ValueError(
                _(
                    "The cell holds the number %(v)s, which a spreadsheet cannot keep exactly "
                    "as an amount with at most %(n)d decimals: type it as text, e.g. 1250.50."
                )
                % {"v": repr(value), "n": places}
            )
        return f"{shown:f}"
    if isinstance(value, int):
        return str(value)
    return _text(value)


def date_cell(value: Any) -> str:
    """An ISO date from a cell: a date cell (at midnight) or text."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError(_("A date, not a time."))
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(_("A date cell or text YYYY-MM-DD, not a number."))
    return _text(value)


def flag_cell(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_("yes or no (true/false, 1/0)."))


def row_data(cells: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the API-shaped deal of one row, {column: message} for cells that cannot be read)."""
    problems: dict[str, str] = {}
    if None in cells:
        return {}, {"row": cells[None]}
    data: dict[str, Any] = {}

    def read(column: str, parse) -> Any:
        try:
            return parse(cells.get(column))
        except ValueError as exc:
            problems[column] = str(exc)
            return None

    data["ref"] = _text(cells.get("ref"))
    data["title"] = {"en": _text(cells.get("title_en")), "zh": _text(cells.get("title_zh"))}
    if "summary_en" in cells or "summary_zh" in cells:
        data["summary"] = {
            "en": _text(cells.get("summary_en")),
            "zh": _text(cells.get("summary_zh")),
        }
    for column in ("sector", "kind", "investment_form", "currency"):
        if column in cells and _text(cells[column]):
            data[column] = _text(cells[column])
    if "investment_form" in cells and "investment_form" not in data:
        data["investment_form"] = ""
    for column, places in DECIMALS.items():
        if column in cells and cells[column] not in (None, ""):
            data[column] = read(column, lambda v, p=places: decimal_cell(v, places=p))
    for column in DATES:
        if column in cells and cells[column] not in (None, ""):
            data[column] = read(column, date_cell)
    for column in FLAGS:
        if column in cells:
            data[column] = read(column, flag_cell)
    if "ceremony" in cells:
        data["ceremony"] = read("ceremony", _ceremony_cell)
    for column in ("status", "evidence"):
        if column in cells and _text(cells[column]):
            data[column] = _text(cells[column])
    parties = [p for p in (_party(cells, prefix) for prefix in PARTY_PREFIXES) if p]
    data["parties"] = parties
    if not data["ref"]:
        problems["ref"] = _("A reference is required: it recognises the deal on a new import.")
    return data, problems


def _ceremony_cell(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(_("The id of a signing-ceremony session (a number)."))
    return int(text)


def _party(cells: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    values = {field: _text(cells.get(f"{prefix}_{field}")) for field in PARTY_FIELDS}
    if not any(values.values()):
        return None
    party: dict[str, Any] = {}
    if values["exhibitor"]:
        party["exhibitor"] = values["exhibitor"]
    if values["name_en"] or values["name_zh"]:
        party["name"] = {"en": values["name_en"], "zh": values["name_zh"]}
    for field in ("country", "region", "city"):
        if values[field]:
            party[field] = values[field].upper() if field == "country" else values[field]
    return party


def column_of(field: str) -> str:
    """The column a rule's field name comes from (`parties[1].name` → `party2_name_en`)."""
    if field.startswith("parties[") and "]" in field:
        index = field[len("parties[") : field.index("]")]
        rest = field[field.index("]") + 1 :].lstrip(".") or "name"
        prefix = PARTY_PREFIXES[int(index)] if index.isdigit() and int(index) < 2 else "party"
        return f"{prefix}_{'name_en' if rest == 'name' else rest}"
    return {
        "title": "title_en",
        "summary": "summary_en",
        "parties": "party_name_en",
    }.get(field, field)
