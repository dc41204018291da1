"""E-ticket rendering: the QR code of a signed secret as SVG or PNG, and a printable PDF ticket.

Pure functions of their arguments: no database, no request, no clock, nothing fetched. The PDF
is A4 portrait and bilingual (English and Simplified Chinese, whichever leads). Chinese is set
in WenQuanYi Zen Hei, a TrueType font from Debian's `fonts-wqy-zenhei` package (`make
system-deps`), embedded in the PDF as a subset of the glyphs used: a font the PDF only named
(reportlab's STSong-Light, before) is left to the viewer, and some showed blanks. Nothing is
downloaded; a missing font is a clear `CjkFontMissing`, and `manage.py check` says so first.
The QR code is drawn as vector rectangles from segno's matrix, so it prints crisp at any size
and costs a few kilobytes. A ticket that is no longer valid gets no QR code at all: a struck-
through code still scans, so the code's place carries the bilingual CANCELLED notice instead.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

MAX_SECRET_LENGTH = 512
QR_ERROR = "m"
QR_BORDER = 4  # the quiet zone the QR standard requires, in modules

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK = "WenQuanYiZenHei"
# Where Debian's fonts-wqy-zenhei puts it (a TrueType collection; the first face is Zen Hei).
CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
CJK_FONT_PACKAGE = "fonts-wqy-zenhei"

WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

INSTRUCTIONS = (
    ("Show this code at the gate.", "入场时请出示此二维码。"),
    (
        "This ticket is personal and valid only on the days shown.",
        "本票实名制，仅限所列日期使用。",
    ),
)

VOID_MARK = ("CANCELLED", "已取消")
VOID_NOTICE = (
    ("This ticket is cancelled and admits no one.", "此票已取消，不能入场。"),
    ("It has no entry code.", "此票没有入场二维码。"),
)


class CjkFontMissing(RuntimeError):
    """The TrueType CJK font the PDF embeds is not installed."""


def cjk_font_problem() -> str | None:
    """Why the CJK font cannot be used, or None when it can (for `manage.py check`)."""
    path = CJK_FONT_FILE
    if not path.is_file():
        return (
            f"The CJK font for PDF tickets is missing: {path} (install Debian's "
            f"{CJK_FONT_PACKAGE} package, e.g. with `make system-deps`)."
        )
    return None


def _register_cjk() -> str:
    """Register the CJK font with reportlab on first use and return its name.

    Not at import: the QR code and the rest of the app work without the font, and a missing
    font must be a clear error where a PDF is asked for, not an import failure.
    """
    global _cjk_registered
    if not _cjk_registered:
        if problem := cjk_font_problem():
            raise CjkFontMissing(problem)
        # A TrueType font registered this way is always embedded, as a subset of the glyphs
        # used (PDF FontFile2): the document shows the same everywhere.
        pdfmetrics.registerFont(TTFont(CJK, str(CJK_FONT_FILE), subfontIndex=0))
        _cjk_registered = True
    return CJK


_cjk_registered = False


@dataclass(frozen=True)
class TicketPdfData:
    """Everything printed on one ticket; the caller masks personal data before it gets here."""

    expo_name_en: str
    expo_name_zh: str
    venue_en: str
    venue_zh: str
    ticket_type_en: str
    ticket_type_zh: str
    holder_masked: str
    id_masked: str
    serial: int
    days: tuple[datetime.date, ...]
    secret: str
    opens_at: str
    closes_at: str
    language: str = "en"
    # A cancelled (revoked) ticket: marked CANCELLED / 已取消, printed without its QR code, and
    # `secret` is not needed.
    void: bool = False


def _qr(secret: str) -> segno.QRCode:
    if not isinstance(secret, str):
        raise TypeError("the secret must be a str")
    if not secret:
        raise ValueError("the secret is empty")
    if len(secret) > MAX_SECRET_LENGTH:
        raise ValueError(f"the secret is longer than {MAX_SECRET_LENGTH} characters")
    # make_qr, not make: a short secret must never become a Micro QR, which gate scanners
    # and phone cameras often cannot read. No error boost, so the level is exactly M.
    return segno.make_qr(secret, error=QR_ERROR, boost_error=False)


def qr_matrix(secret: str) -> list[list[bool]]:
    """The QR modules of `secret` without quiet zone, row by row, True for dark.

    Raises ValueError for an empty secret or one over 512 characters.
    """
    return [[bool(module) for module in row] for row in _qr(secret).matrix]


def qr_svg(secret: str, *, scale: int = 4) -> bytes:
    """A standalone SVG document (with XML declaration) of the QR code of `secret`.

    Error correction level M, a quiet zone of 4 modules, `scale` user units per module.
    Raises ValueError for an empty secret or one over 512 characters.
    """
    buffer = io.BytesIO()
    _qr(secret).save(buffer, kind="svg", scale=scale, border=QR_BORDER, xmldecl=True)
    return buffer.getvalue()


def qr_png(secret: str, *, scale: int = 6) -> bytes:
    """PNG bytes of the QR code of `secret`: level M, quiet zone of 4, `scale` pixels a module.

    Raises ValueError for an empty secret or one over 512 characters.
    """
    buffer = io.BytesIO()
    _qr(secret).save(buffer, kind="png", scale=scale, border=QR_BORDER)
    return buffer.getvalue()


def _is_latin(text: str) -> bool:
    # Whether Helvetica has every character of `text` (one character, or a whole string).
    # Helvetica is a standard-14 font with WinAnsi encoding; anything it cannot encode
    # (CJK, but also Cyrillic or Greek in a holder's name) goes to the CJK font instead.
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _runs(text: str, bold: bool) -> list[tuple[str, str]]:
    """Split `text` into (chunk, font) runs so each chunk is set in a font that has it."""
    cjk = _register_cjk()
    latin = LATIN_BOLD if bold else LATIN
    # Most strings of a report's tables are wholly Latin: one run, without a look at each
    # character (which made the table cells of an exhibitor's report most of its cost).
    if text and _is_latin(text):
        return [(text, latin)]
    runs: list[tuple[str, str]] = []
    for char in text:
        font = latin if _is_latin(char) else cjk
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def _width(text: str, size: float, bold: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(chunk, font, size) for chunk, font in _runs(text, bold))


def _fit(text: str, size: float, room: float, bold: bool = False) -> float:
    """The largest size up to `size` at which `text` fits in `room` points (at least 6)."""
    width = _width(text, size, bold)
    return size if width <= room else max(6.0, size * room / width)


def _text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    centred: bool = False,
) -> None:
    if centred:
        x -= _width(text, size, bold) / 2
    for chunk, font in _runs(text, bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, font, size)


def _pair(en: str, zh: str, zh_first: bool, sep: str = " / ") -> str:
    first, second = (zh, en) if zh_first else (en, zh)
    return sep.join(part for part in (first, second) if part)


def day_label(day: datetime.date, zh_first: bool = False) -> str:
    """A valid day as printed: ISO date and weekday in both languages, "2019-08-26 Mon / 周一"."""
    weekday = _pair(WEEKDAYS_EN[day.weekday()], WEEKDAYS_ZH[day.weekday()], zh_first)
    return f"{day.isoformat()} {weekday}"


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, side: float) -> None:
    """Draw the modules as filled rectangles in a `side`-point square whose lower left is x, y.

    Each row's runs of dark modules become one rectangle, which keeps the page small and
    leaves no hairline seams between neighbouring modules of a row in viewers.
    """
    module = side / len(matrix)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + side - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_void_notice(canvas: Canvas, x: float, y: float, side: float, zh: bool) -> None:
    """In the QR code's square (lower left x, y): a red frame with CANCELLED and 已取消."""
    canvas.saveState()
    canvas.setStrokeColorRGB(0.8, 0.05, 0.05)
    canvas.setLineWidth(4)
    canvas.rect(x, y, side, side, stroke=1, fill=0)
    canvas.setFillColorRGB(0.8, 0.05, 0.05)
    words = VOID_MARK[::-1] if zh else VOID_MARK
    middle, top = x + side / 2, y + side * 0.62
    for i, word in enumerate(words):
        size = _fit(word, 30, side - 24, True)
        _text(canvas, middle, top - i * 42, word, size, bold=True, centred=True)
    canvas.restoreState()


def ticket_pdf(data: TicketPdfData) -> bytes:
    """One A4 portrait page, bilingual, with the ticket's details and a large vector QR code.

    `data.language` ("en" or "zh-hans") only decides which language leads; both appear.
    A void ticket (`data.void`) is marked CANCELLED / 已取消 in the title, across the page and
    in place of its QR code, which is not printed. The output depends on `data` alone: same
    input, same bytes. Raises ValueError for a ticket without days or a secret that
    `qr_matrix` refuses; CjkFontMissing when the CJK font is not installed.
    """
    if not data.days:
        raise ValueError("a ticket needs at least one day")
    matrix = None if data.void else qr_matrix(data.secret)
    zh = data.language.lower().startswith("zh")
    days = sorted(set(data.days))
    mark = _pair(*VOID_MARK, zh)

    buffer = io.BytesIO()
    # invariant: a fixed creation date and document id, so the bytes depend on `data` only.
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    title = f"{data.expo_name_en} — E-ticket {data.serial} / {data.expo_name_zh} 电子票"
    canvas.setTitle(f"{mark} — {title}" if data.void else title)
    canvas.setSubject(_pair(data.ticket_type_en, data.ticket_type_zh, zh))
    canvas.setAuthor("SmartExpo")
    canvas.setCreator("SmartExpo")

    width, height = A4
    margin = 18 * mm
    room = width - 2 * margin
    middle = width / 2

    # A thin frame marks the edge of the ticket: a cutting guide for those who trim it.
    canvas.setStrokeColorRGB(0.55, 0.55, 0.55)
    canvas.setLineWidth(0.8)
    canvas.roundRect(
        margin - 6 * mm, margin - 6 * mm, room + 12 * mm, height - 2 * margin + 12 * mm, 8
    )

    # Header: the edition's name in both languages, the leading one larger, then the venue.
    names = [(data.expo_name_en, 22.0), (data.expo_name_zh, 18.0)]
    if zh:
        names = [(data.expo_name_zh, 22.0), (data.expo_name_en, 16.0)]
    y = height - margin - 14
    for name, size in names:
        if name:
            _text(canvas, middle, y, name, _fit(name, size, room, True), bold=True, centred=True)
            y -= size + 8
    venue = _pair(data.venue_en, data.venue_zh, zh, sep="  ·  ")
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    _text(canvas, middle, y, venue, _fit(venue, 11, room), centred=True)

    # The ticket type on a dark band: what the gate staff look for first.
    y -= 40
    band = 34.0
    canvas.setFillColorRGB(0.1, 0.1, 0.12)
    canvas.rect(margin, y - 10, room, band, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    kind = _pair(data.ticket_type_en, data.ticket_type_zh, zh)
    _text(canvas, middle, y, kind, _fit(kind, 18, room - 20, True), bold=True, centred=True)

    # The QR code, large and centred; the quiet zone is blank page around it. A void ticket
    # has the notice in its place, in the same square, so the page keeps its layout.
    side = 78 * mm
    if matrix is None:
        y -= 22 + side
        _draw_void_notice(canvas, middle - side / 2, y, side, zh)
        y -= 16
    else:
        modules = len(matrix) + 2 * QR_BORDER
        y -= 22 + side * modules / len(matrix)
        _draw_qr(canvas, matrix, middle - side / 2, y + side * QR_BORDER / modules, side)
        y += side * QR_BORDER / modules - 16
    canvas.setFillColorRGB(0, 0, 0)
    _text(canvas, middle, y, f"No. {data.serial}", 12, bold=True, centred=True)

    # Details as label/value rows.
    y -= 34
    rows = [
        (_pair("Holder", "持票人", zh), data.holder_masked),
        (_pair("ID", "证件号", zh), data.id_masked),
        (_pair("Serial", "票号", zh), str(data.serial)),
        (_pair("Opening hours", "开放时间", zh), f"{data.opens_at}–{data.closes_at}"),
    ]
    for label, value in rows:
        if not value:
            continue  # no ID was given: leave the row out rather than print an empty one
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        _text(canvas, margin, y, label, 10)
        canvas.setFillColorRGB(0, 0, 0)
        _text(canvas, margin + 48 * mm, y, value, _fit(value, 12, room - 48 * mm), bold=True)
        y -= 18

    # Valid days in columns: up to 32 of them fit in three columns.
    y -= 6
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    _text(canvas, margin, y, _pair("Valid on", "有效日期", zh), 10)
    canvas.setFillColorRGB(0, 0, 0)
    columns = 1 if len(days) <= 4 else 3
    per_column = -(-len(days) // columns)
    column_width = (room - 48 * mm) / columns
    for i, day in enumerate(days):
        column, row = divmod(i, per_column)
        x = margin + 48 * mm + column * column_width
        label = day_label(day, zh)
        _text(canvas, x, y - row * 15, label, _fit(label, 10.5, column_width - 6))

    # Instructions at the foot, each in both languages, the leading one first; a void ticket
    # says why it admits no one instead of how to use it.
    notes = VOID_NOTICE if data.void else INSTRUCTIONS
    y = margin + 8 + 13 * 2 * len(notes)
    canvas.setStrokeColorRGB(0.8, 0.8, 0.8)
    canvas.line(margin, y, width - margin, y)
    canvas.setFillColorRGB(0.2, 0.2, 0.2)
    for en, zh_text in notes:
        for line in (zh_text, en) if zh else (en, zh_text):
            y -= 13
            _text(canvas, middle, y, line, _fit(line, 10, room), centred=True)

    if data.void:
        # Across the whole page, so that no part of it, cut out or copied, looks valid.
        canvas.saveState()
        canvas.setFillColorRGB(0.8, 0.05, 0.05, alpha=0.25)
        canvas.translate(middle, height / 2)
        canvas.rotate(38)
        _text(canvas, 0, 0, mark, _fit(mark, 64, height * 0.9, True), bold=True, centred=True)
        canvas.restoreState()

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
