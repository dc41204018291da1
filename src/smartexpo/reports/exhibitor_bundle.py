"""Every exhibitor's report in one ZIP, for the organiser: the edition-wide figures read once
(`exhibitor.exhibitor_context`), then one PDF per approved exhibitor drawn from them (by two
processes at scale) and written into the archive as it comes, so that only the PDFs being
drawn are held besides the archive itself."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import re
import zipfile
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connections
from django.utils.text import slugify

from smartexpo.reports.exhibitor import ExhibitorContext, exhibitor_context, exhibitor_report
from smartexpo.reports.exhibitor_pdf import exhibitor_pdf
from smartexpo.venue.models import Expo

Progress = Callable[[int, int], object]


def member_name(report: dict, slug: str) -> str:
    """The PDF's name in the archive: its first booth's code and a slug of the exhibitor's
    English name, ASCII only (the edition's slug for the exhibitor when the name has none of
    it); "no-booth" for an exhibitor without one."""
    booths = report["booths"]
    code = re.sub(r"[^A-Za-z0-9-]+", "-", booths[0]["code"]).strip("-") if booths else ""
    name = slugify(report["exhibitor"]["name"]["en"]) or slugify(slug)
    return f"{code or 'no-booth'}_{name or report['exhibitor']['id']}.pdf"


def exhibitors_zip(
    *,
    expo: Expo,
    at: dt.datetime | None = None,
    progress: Progress | None = None,
    processes: int | None = None,
) -> bytes:
    """A ZIP of every approved exhibitor's report (`exhibitor_pdf`) at `at` (the report's
    instant by default), one PDF each; `progress(done, total)` after each PDF if given.

    The PDFs are drawn by `processes` processes (`settings.REPORT_PROCESSES`, 2 by default)
    when there are at least `PARALLEL_FROM` of them: drawing is most of the cost (some 150 ms
    of CPU for an exhibitor with 200 leads) and the figures are read once, before."""
    context = exhibitor_context(expo=expo, at=at)
    total = len(context.exhibitors)
    buffer = io.BytesIO()
    used: set[str] = set()
    # The PDFs' streams are compressed already: a light deflate saves the rest cheaply.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        pdfs = _drawn(context, processes if processes is not None else _processes())
        for done, (exhibitor, pdf) in enumerate(
            zip(context.exhibitors, pdfs, strict=True), start=1
        ):
            report = exhibitor_report(context=context, exhibitor=exhibitor)
            name = member_name(report, exhibitor.slug)
            if name in used:  # two exhibitors of one name at one booth code: keep both
                name = f"{name[:-4]}-{exhibitor.pk}.pdf"
            used.add(name)
            archive.writestr(name, pdf)
            if progress is not None:
                progress(done, total)
    return buffer.getvalue()


# Fewer PDFs than this are drawn in the calling process: starting others costs more.
PARALLEL_FROM = 40
# The context the drawing processes inherit when forked (they read it, never the database).
_shared: ExhibitorContext | None = None


def _processes() -> int:
    return max(1, int(getattr(settings, "REPORT_PROCESSES", 2)))


def _drawn(context: ExhibitorContext, processes: int) -> Iterator[bytes]:
    """Each exhibitor's PDF, in the context's order."""
    if processes < 2 or len(context.exhibitors) < PARALLEL_FROM:
        for exhibitor in context.exhibitors:
            yield exhibitor_pdf(exhibitor_report(context=context, exhibitor=exhibitor))
        return
    global _shared
    _shared = context
    try:
        # Forked, so the context is shared as it is, not pickled; only the PDFs come back.
        with multiprocessing.get_context("fork").Pool(processes, initializer=_child) as pool:
            yield from pool.imap(_draw, range(len(context.exhibitors)), chunksize=4)
    finally:
        _shared = None


def _child() -> None:
    # A forked child must never speak on its parent's database connection (the parent still
    # uses it): drop the inherited ones unclosed, so a query, which none of the drawing makes,
    # would open its own.
    for connection in connections.all(initialized_only=True):
        connection.connection = None


def _draw(index: int) -> bytes:
    context = _shared
    return exhibitor_pdf(exhibitor_report(context=context, exhibitor=context.exhibitors[index]))
