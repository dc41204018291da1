"""The reports' A4 page writer, shared by the post-show report (`edition_pdf`) and the
exhibitor report (`exhibitor_pdf`): a reportlab canvas written top down, text set through the
ticket renderer (`tickets.render`: Helvetica, and for Chinese the embedded WenQuanYi Zen Hei)."""

from __future__ import annotations

import io

from django.utils.translation import get_language
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from smartexpo.tickets import render

MARGIN = 15 * mm
LINE = 4.6 * mm


def language() -> str:
    """ "zh" when the active language is Chinese, else "en" (the key of a name)."""
    return "zh" if (get_language() or "en").startswith("zh") else "en"


def number(value) -> str:
    """An integer with thousands separators, "—" for none."""
    return "—" if value is None else f"{value:,}"


class Pages:
    """A canvas written top down, starting a new page when the next line does not fit; each
    page's footer is `footer` and the page's number."""

    def __init__(self, canvas: Canvas, footer: str):
        self.canvas, self.footer = canvas, footer
        self.width, self.height = A4
        self.page = 1
        self.y = self.height - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 6 * mm:
            self.new_page()

    def new_page(self) -> None:
        self.close_page()
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN

    def close_page(self) -> None:
        render._text(self.canvas, MARGIN, MARGIN - 2 * mm, f"{self.footer} · {self.page}", 7)

    def line(self, value: str = "", size: float = 9, *, bold: bool = False) -> None:
        height = LINE if size < 12 else LINE * 1.6
        self.need(height)
        if value:
            room = self.width - 2 * MARGIN
            fitted = render._fit(value, size, room, bold)
            render._text(self.canvas, MARGIN, self.y, value, fitted, bold=bold)
        self.y -= height

    def heading(self, value: str) -> None:
        self.need(LINE * 4)
        self.y -= LINE * 0.6
        self.line(value, 12, bold=True)

    def image(self, png: bytes) -> None:
        picture = ImageReader(io.BytesIO(png))
        w, h = picture.getSize()
        width = self.width - 2 * MARGIN
        height = width * h / w
        self.need(height + 2 * mm)
        self.canvas.drawImage(picture, MARGIN, self.y - height, width, height)
        self.y -= height + 3 * mm

    def table(self, columns: list[float], heads: list[str], rows: list[list[str]]) -> None:
        """Rows of cells at `columns` (mm from the margin), the heads again on each page."""
        self._row(columns, heads, bold=True)
        for row in rows:
            if self.y - LINE < MARGIN + 6 * mm:
                self.new_page()
                self._row(columns, heads, bold=True)
            self._row(columns, row)
        self.y -= LINE * 0.4

    def _row(self, columns, cells, *, bold: bool = False) -> None:
        self.need(LINE)
        edges = [*columns[1:], (self.width - 2 * MARGIN) / mm]
        for x, end, cell in zip(columns, edges, cells, strict=True):
            room = (end - x) * mm - 1.5 * mm
            size = render._fit(cell, 8, room, bold)
            render._text(self.canvas, MARGIN + x * mm, self.y, cell, size, bold=bold)
        self.y -= LINE * 0.9
