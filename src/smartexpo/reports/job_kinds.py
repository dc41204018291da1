"""What a report job can build: one entry per kind, `kind → JobKind(label, builder)`.

A builder is called as `builder(*, expo, language, progress)` inside
`translation.override(language)` and returns `(bytes, content_type, filename)`. `progress` is
`progress(done, total)`, the callback shape every long export takes (the exhibitors' bundle
calls it once per PDF); the job writes it to the database at most every half second.

Adding a kind is one entry in `KINDS`: a label and its builder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartexpo.venue.models import Expo

Progress = Callable[[int, int], None]
Built = tuple[bytes, str, str]
Builder = Callable[..., Built]

LANGUAGES = ("en", "zh-hans")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class JobKind:
    label: Promise
    builder: Builder
    # Whether a daily email may carry it: every exhibitor's report is tens of megabytes, more
    # than mail servers take.
    emailed: bool = True


def _suffix(language: str) -> str:
    return "-zh" if language.startswith("zh") else ""


def _edition_pdf(*, expo: Expo, language: str, progress: Progress) -> Built:
    from smartexpo.reports import edition, edition_pdf

    progress(0, 2)
    report = edition.edition_report(expo=expo)
    progress(1, 2)
    body = edition_pdf.report_pdf(report)
    progress(2, 2)
    # Bilingual whatever the language asked (edition_pdf): one name.
    return body, "application/pdf", f"{expo.slug}-report.pdf"


def _edition_xlsx(*, expo: Expo, language: str, progress: Progress) -> Built:
    from smartexpo.reports import edition, edition_xlsx

    progress(0, 2)
    report = edition.edition_report(expo=expo)
    progress(1, 2)
    body = edition_xlsx.report_xlsx(report)
    progress(2, 2)
    return body, XLSX, f"{expo.slug}-report{_suffix(language)}.xlsx"


def _exhibitors_zip(*, expo: Expo, language: str, progress: Progress) -> Built:
    from smartexpo.reports import exhibitor_bundle

    # Every exhibitor's PDF is bilingual: the language asked changes nothing in it.
    body = exhibitor_bundle.exhibitors_zip(expo=expo, progress=progress)
    return body, "application/zip", f"{expo.slug}-exhibitor-reports.zip"


KINDS: dict[str, JobKind] = {
    "edition-pdf": JobKind(_("Post-show report (PDF)"), _edition_pdf),
    "edition-xlsx": JobKind(_("Post-show report (XLSX workbook)"), _edition_xlsx),
    "exhibitors-zip": JobKind(
        _("Every exhibitor's report (ZIP of PDFs)"), _exhibitors_zip, emailed=False
    ),
}


def kind_get(kind: str) -> JobKind | None:
    """The kind's entry, or None when there is no such kind."""
    return KINDS.get(kind)


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label in the active language), in the registry's order."""
    return [(kind, str(entry.label)) for kind, entry in KINDS.items()]


def emailed_choices() -> list[tuple[str, str]]:
    """The kinds a daily email may carry, as `kind_choices`."""
    return [(kind, str(entry.label)) for kind, entry in KINDS.items() if entry.emailed]
