"""Every exhibitor's report in one ZIP, for the organiser: the edition-wide figures read once
(`exhibitor.exhibitor_context`), then one PDF per approved exhibitor drawn from them and
written straight into the archive, so that no more than one PDF is held at a time besides
the archive itself."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

from django.utils.text import slugify

from smartexpo.reports.exhibitor import exhibitor_context, exhibitor_report
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
    *, expo: Expo, at: dt.datetime | None = None, progress: Progress | None = None
) -> bytes:
    """A ZIP of every approved exhibitor's report (`exhibitor_pdf`) at `at` (the report's
    instant by default), one PDF each; `progress(done, total)` after each PDF if given."""
    context = exhibitor_context(expo=expo, at=at)
    total = len(context.exhibitors)
    buffer = io.BytesIO()
    used: set[str] = set()
    # The PDFs' streams are compressed already: a light deflate saves the rest cheaply.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for done, exhibitor in enumerate(context.exhibitors, start=1):
            report = exhibitor_report(context=context, exhibitor=exhibitor)
            name = member_name(report, exhibitor.slug)
            if name in used:  # two exhibitors of one name at one booth code: keep both
                name = f"{name[:-4]}-{exhibitor.pk}.pdf"
            used.add(name)
            archive.writestr(name, exhibitor_pdf(report))
            if progress is not None:
                progress(done, total)
    return buffer.getvalue()
