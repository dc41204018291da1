"""E-ticket rendering: QR code as SVG and PNG, the matrix behind it, and the bilingual PDF."""

from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import xml.etree.ElementTree as ET

import pytest
import segno
from pypdf import PdfReader

from smartexpo.tickets import render
from smartexpo.tickets.render import (
    TicketPdfData,
    day_label,
    qr_matrix,
    qr_png,
    qr_svg,
    ticket_pdf,
)

# Shaped like a real secret: 84 bytes in unpadded base64url are 112 characters.
SECRET = base64.urlsafe_b64encode(bytes(range(7, 91))).rstrip(b"=").decode()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_data(**changes) -> TicketPdfData:
    fields = {
        "expo_name_en": "Smart Technology Expo 2019",
        "expo_name_zh": "2019 智能科技博览会",
        "venue_en": "Chongqing International Expo Center",
        "venue_zh": "重庆国际博览中心",
        "ticket_type_en": "Three-day pass",
        "ticket_type_zh": "三日通票",
        "holder_masked": "李*",
        "id_masked": "1101**********1234",
        "serial": 4815162342,
        "days": (dt.date(2019, 8, 26), dt.date(2019, 8, 27), dt.date(2019, 8, 28)),
        "secret": SECRET,
        "opens_at": "09:00",
        "closes_at": "18:00",
    }
    fields.update(changes)
    return TicketPdfData(**fields)


def squeeze(text: str) -> str:
    # pypdf breaks a line wherever the font changes (Helvetica ↔ the CJK font), so compare
    # text with all whitespace removed.
    return "".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return squeeze(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_the_secret_is_shaped_like_a_real_one():
    assert len(SECRET) == 112


# --- SVG and PNG ---


def test_svg_is_a_standalone_xml_document_with_an_svg_root():
    svg = qr_svg(SECRET)
    assert svg.startswith(b"<?xml")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted XML
    assert root.tag in {"svg", "{http://www.w3.org/2000/svg}svg"}


def test_svg_size_is_modules_plus_quiet_zone_times_scale():
    side = len(qr_matrix(SECRET)) + 2 * 4
    for scale in (1, 4, 10):
        root = ET.fromstring(qr_svg(SECRET, scale=scale))  # noqa: S314 - our own output
        assert float(root.get("width")) == side * scale
        assert float(root.get("height")) == side * scale


def test_png_has_the_signature_and_the_expected_pixel_size():
    side = len(qr_matrix(SECRET)) + 2 * 4
    for scale in (1, 6, 12):
        png = qr_png(SECRET, scale=scale)
        assert png.startswith(PNG_SIGNATURE)
        # IHDR is always the first chunk: width and height follow its length and type.
        assert png[12:16] == b"IHDR"
        assert struct.unpack(">II", png[16:24]) == (side * scale, side * scale)


def test_png_grows_with_scale():
    sizes = [len(qr_png(SECRET, scale=scale)) for scale in (2, 6, 12)]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]


# --- the matrix ---


def test_matrix_is_a_regular_qr_code_of_a_valid_size():
    matrix = qr_matrix(SECRET)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert size >= 21
    assert (size - 21) % 4 == 0
    assert all(isinstance(module, bool) for row in matrix for module in row)


def test_matrix_is_segnos_at_level_m():
    expected = segno.make_qr(SECRET, error="m", boost_error=False)
    assert expected.error == "M"
    assert qr_matrix(SECRET) == [[bool(m) for m in row] for row in expected.matrix]


def test_a_short_secret_still_gives_a_regular_qr_code_not_a_micro_one():
    assert len(qr_matrix("A")) == 21


def test_finder_patterns_sit_in_three_corners():
    matrix = qr_matrix(SECRET)
    n = len(matrix)
    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        ring = [matrix[top][left + i] for i in range(7)] + [
            matrix[top + 6][left + i] for i in range(7)
        ]
        assert all(ring)
        assert all(matrix[top + 2 + i][left + 2 + j] for i in range(3) for j in range(3))


def test_the_pdf_draws_exactly_qr_matrix(monkeypatch):
    drawn = []
    real = render._draw_qr

    def spy(canvas, matrix, *args):
        drawn.append(matrix)
        real(canvas, matrix, *args)

    monkeypatch.setattr(render, "_draw_qr", spy)
    ticket_pdf(make_data())
    assert drawn == [qr_matrix(SECRET)]


# --- input validation ---


@pytest.mark.parametrize("secret", ["", "x" * 513])
@pytest.mark.parametrize("function", [qr_svg, qr_png, qr_matrix])
def test_an_empty_or_oversized_secret_is_refused(function, secret):
    with pytest.raises(ValueError, match="secret"):
        function(secret)


def test_the_pdf_refuses_an_empty_or_oversized_secret():
    for secret in ("", "x" * 513):
        with pytest.raises(ValueError, match="secret"):
            ticket_pdf(make_data(secret=secret))


def test_a_secret_of_exactly_512_characters_is_accepted():
    secret = "x" * 512
    assert qr_svg(secret).startswith(b"<?xml")
    assert qr_png(secret).startswith(PNG_SIGNATURE)
    assert ticket_pdf(make_data(secret=secret)).startswith(b"%PDF")


def test_a_ticket_without_days_is_refused():
    with pytest.raises(ValueError, match="day"):
        ticket_pdf(make_data(days=()))


# --- the PDF ---


def test_day_label_has_the_iso_date_and_both_weekdays():
    assert day_label(dt.date(2019, 8, 26)) == "2019-08-26 Mon / 周一"
    assert day_label(dt.date(2019, 9, 1), zh_first=True) == "2019-09-01 周日 / Sun"


def test_pdf_is_one_a4_portrait_page_with_a_title():
    pdf = ticket_pdf(make_data())
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    title = reader.metadata.title
    assert "Smart Technology Expo 2019" in title
    assert "4815162342" in title
    assert "智能科技博览会" in title


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pdf_text_carries_every_detail_in_both_languages(language):
    text = pdf_text(ticket_pdf(make_data(language=language)))
    expected = [
        "Smart Technology Expo 2019",
        "2019 智能科技博览会",
        "Chongqing International Expo Center",
        "重庆国际博览中心",
        "Three-day pass",
        "三日通票",
        "李*",
        "1101**********1234",
        "4815162342",
        "09:00–18:00",
        "Show this code at the gate.",
        "入场时请出示此二维码。",
        "This ticket is personal and valid only on the days shown.",
        "本票实名制，仅限所列日期使用。",
    ]
    zh_first = language == "zh-hans"
    expected += [day_label(day, zh_first) for day in make_data().days]
    for snippet in expected:
        assert squeeze(snippet) in text, snippet


def test_the_chosen_language_leads():
    english = pdf_text(ticket_pdf(make_data(language="en")))
    chinese = pdf_text(ticket_pdf(make_data(language="zh-hans")))
    assert english.index("Three-daypass") < english.index("三日通票")
    assert chinese.index("三日通票") < chinese.index("Three-daypass")
    assert "2019-08-26Mon/周一" in english
    assert "2019-08-26周一/Mon" in chinese


def test_a_latin_holder_and_no_id():
    text = pdf_text(ticket_pdf(make_data(holder_masked="L* W**", id_masked="")))
    assert "L*W**" in text
    assert "证件号" not in text  # the ID row is left out, not printed empty


def test_days_are_printed_in_order_and_once():
    days = (dt.date(2019, 8, 28), dt.date(2019, 8, 26), dt.date(2019, 8, 28))
    text = pdf_text(ticket_pdf(make_data(days=days)))
    assert text.count("2019-08-28") == 1
    assert text.index("2019-08-26") < text.index("2019-08-28")


def test_thirty_two_days_fit_on_the_one_page():
    first = dt.date(2019, 8, 26)
    days = tuple(first + dt.timedelta(days=i) for i in range(32))
    pdf = ticket_pdf(make_data(days=days))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = pdf_text(pdf)
    for day in days:
        assert squeeze(day_label(day)) in text


def test_a_name_outside_latin_1_does_not_break_the_page():
    # Helvetica cannot set Cyrillic; such characters go to the CID font instead.
    pdf = ticket_pdf(make_data(holder_masked="Д* Ш**"))
    assert "Д*Ш**" in pdf_text(pdf)


def test_very_long_names_are_shrunk_not_refused():
    long_name = "International Intelligent Industry Expo " * 4
    pdf = ticket_pdf(make_data(expo_name_en=long_name, ticket_type_en="Pass " * 30))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_the_same_data_gives_the_same_bytes():
    assert ticket_pdf(make_data()) == ticket_pdf(make_data())


def test_the_pdf_is_small():
    # Vector modules, a compressed page, and only the CJK glyphs the ticket uses embedded
    # (a subset of the font, about 20 kB for a ticket's few dozen characters).
    assert len(ticket_pdf(make_data())) < 40_000


# --- the CJK font ---


def _fonts(pdf: bytes) -> dict[str, dict]:
    """The page's fonts by base name, each with its font descriptor (or {})."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    found = {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        found[str(font["/BaseFont"])] = descriptor.get_object() if descriptor else {}
    return found


def test_the_cjk_font_is_embedded_in_the_pdf():
    fonts = _fonts(ticket_pdf(make_data()))
    cjk = {name: d for name, d in fonts.items() if "WenQuanYi" in name}
    assert cjk, fonts.keys()
    # A TrueType font program (FontFile2) in every descriptor: embedded, not only named.
    assert all("/FontFile2" in descriptor for descriptor in cjk.values())
    assert not any("STSong" in name for name in fonts)


def test_a_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "CJK_FONT_FILE", tmp_path / "no-such-font.ttc")
    monkeypatch.setattr(render, "_cjk_registered", False)
    with pytest.raises(render.CjkFontMissing, match="fonts-wqy-zenhei"):
        ticket_pdf(make_data())
    from smartexpo.tickets.checks import cjk_font_installed

    (error,) = cjk_font_installed()
    assert error.id == "smartexpo.tickets.E001"
    assert "no-such-font.ttc" in error.msg


def test_the_system_check_passes_when_the_font_is_installed():
    from smartexpo.tickets.checks import cjk_font_installed

    assert cjk_font_installed() == []


# --- a void ticket ---


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_void_tickets_pdf_is_marked_cancelled_in_both_languages(language):
    pdf = ticket_pdf(make_data(void=True, secret="", language=language))
    text = pdf_text(pdf)
    for snippet in (
        "CANCELLED",
        "已取消",
        "This ticket is cancelled and admits no one.",
        "此票已取消，不能入场。",
    ):
        assert squeeze(snippet) in text, snippet
    assert "Showthiscodeatthegate." not in text
    assert "CANCELLED" in PdfReader(io.BytesIO(pdf)).metadata.title


def test_a_void_ticket_is_printed_without_its_qr_code(monkeypatch):
    drawn = []
    monkeypatch.setattr(render, "_draw_qr", lambda *args: drawn.append(args))
    ticket_pdf(make_data(void=True))
    assert drawn == []
    ticket_pdf(make_data())
    assert len(drawn) == 1


def test_a_valid_ticket_carries_no_cancelled_mark():
    text = pdf_text(ticket_pdf(make_data()))
    assert "CANCELLED" not in text
    assert "已取消" not in text
