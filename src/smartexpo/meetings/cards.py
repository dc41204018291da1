"""Table cards: one A4 page per table of a meeting session, for the organiser to stand on the
table — a big table number, the session, and the table's meetings slot by slot with both
participants' names (the organiser knows them anyway; the card is read at the table).

Bilingual labels, names in whatever script they are written: the ticket renderer's text setting
(`tickets.render`) picks Helvetica or the embedded CJK font run by run.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from smartexpo.meetings.models import Meeting, MeetingSession, Participant
from smartexpo.meetings.pages import participant_name
from smartexpo.tickets import render

# The meetings one page lists before it continues on the next (a 6-hour session in 20-minute
# slots has 18 slots: one page).
ROWS_PER_PAGE = 24


def _names(session: MeetingSession) -> tuple[str, str]:
    en = session.name_en or session.code
    return en, session.name_zh or en


def table_cards_pdf(*, session: MeetingSession) -> bytes:
    """The session's table cards: one page per table (tables without meetings too, so a card
    stands on every table), each listing its meetings in time order."""
    meetings = list(
        Meeting.objects.filter(session=session, table__isnull=False)
        .select_related("request", "session__expo")
        .order_by("table", "starts_at")
    )
    ids = {m.request.low_id for m in meetings} | {m.request.high_id for m in meetings}
    people = Participant.objects.select_related("exhibitor", "registration").in_bulk(ids)
    by_table: dict[int, list[Meeting]] = defaultdict(list)
    for m in meetings:
        by_table[m.table].append(m)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{session.code} table cards")
    width, height = A4
    en, zh = _names(session)
    zone = (
        f" · {session.zone.name_en} / {session.zone.name_zh or session.zone.name_en}"
        if session.zone_id
        else ""
    )
    tz = session.expo.tz
    for table in range(1, session.tables + 1):
        rows = by_table.get(table, [])
        chunks = [rows[i : i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
        for part, chunk in enumerate(chunks):
            _page(canvas, width, height, table, f"{en} / {zh}{zone}", chunk, people, tz, part)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas, width, height, table, title, meetings, people, tz, part) -> None:
    margin = 18 * mm
    render._text(canvas, width / 2, height - 30 * mm, "Table / 桌号", 20, bold=True, centred=True)
    render._text(canvas, width / 2, height - 95 * mm, str(table), 150, bold=True, centred=True)
    room = width - 2 * margin
    render._text(
        canvas, width / 2, height - 115 * mm, title, render._fit(title, 14, room), centred=True
    )
    y = height - 135 * mm
    if part:
        render._text(canvas, margin, y, "(continued / 续)", 10)
        y -= 7 * mm
    if not meetings:
        render._text(canvas, margin, y, "No meetings at this table / 此桌无会谈", 12)
        return
    render._text(canvas, margin, y, "Time / 时间", 11, bold=True)
    render._text(canvas, margin + 38 * mm, y, "Meeting / 会谈双方", 11, bold=True)
    y -= 8 * mm
    for m in meetings:
        start = m.starts_at.astimezone(tz).strftime("%H:%M")
        end = m.ends_at.astimezone(tz).strftime("%H:%M")
        render._text(canvas, margin, y, f"{start}–{end}", 11)
        pair = f"{_label(people[m.request.low_id])} & {_label(people[m.request.high_id])}"
        render._text(canvas, margin + 38 * mm, y, pair, render._fit(pair, 11, room - 38 * mm))
        y -= 7.5 * mm


def _label(participant: Participant) -> str:
    # The card is for both languages at once: an exhibitor by both names.
    if participant.exhibitor_id:
        ex = participant.exhibitor
        return (
            ex.name_en
            if not ex.name_zh or ex.name_zh == ex.name_en
            else f"{ex.name_en} {ex.name_zh}"
        )
    return participant_name(participant)


@admin.action(description=_("Download the table cards (PDF)"))
def table_cards_download(modeladmin, request, queryset):
    """Admin action on meeting sessions: the table cards of the one session selected."""
    sessions = list(queryset.select_related("expo", "zone")[:2])
    if len(sessions) != 1:
        modeladmin.message_user(
            request, _("Select exactly one meeting session."), level=messages.WARNING
        )
        return None
    session = sessions[0]
    response = HttpResponse(table_cards_pdf(session=session), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="table-cards-{session.code}.pdf"'
    return response
