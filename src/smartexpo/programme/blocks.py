"""The HTML of the sessions on the programme pages, written here rather than by the template
engine: a day of the programme has over a hundred sessions, and the page answers within its
budget (issue 14: p99 under 50 ms at 16 connections with 500 sessions) only if a session costs
microseconds. What never changes within a release (title, forum, room, speakers) is written once
per release and language (`static_parts`, kept with `display.rows`); per request come the seats,
"now"/"next" and the visitor's buttons. Every value is escaped here.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext


def static_parts(row: dict[str, Any]) -> dict[str, str]:
    """The escaped parts of a session's block that its release fixes."""
    speakers = ", ".join(
        f'<a href="{escape(p["url"])}">{escape(p["name"])}</a>' for p in row["speakers"]
    )
    body = (
        f'<h3><a href="{escape(row["url"])}">{escape(row["title"])}</a></h3>'
        f'<p class="prog-where">{escape(row["forum_name"])} · <span class="prog-in-room">'
        f"{escape(row['room_name'])} · </span>{escape(row['format_label'])}</p>"
    )
    if speakers:
        body += f'<p class="prog-speakers">{speakers}</p>'
    return {
        "fmt": escape(row["format"]),
        "time_html": (f'<time datetime="{row["start"].isoformat()}">{escape(row["time"])}</time>'),
        "body_html": body,
    }


class Labels:
    """The words of the blocks in the request's language, each translated once."""

    def __init__(self) -> None:
        self.now = escape(pgettext("programme", "Now"))
        self.next = escape(pgettext("programme", "Next"))
        self.full = escape(_("Full"))
        self.free = escape(_("No reservation needed"))
        self._left: dict[int, str] = {}

    def seats(self, left: int | None) -> SafeString:
        if left is None:
            return mark_safe(f'<span class="seats seats-free">{self.free}</span>')  # noqa: S308
        if left == 0:
            return mark_safe(f'<strong class="badge badge-full">{self.full}</strong>')  # noqa: S308
        text = self._left.get(left)
        if text is None:
            text = self._left[left] = escape(
                ngettext("%(counter)s seat left", "%(counter)s seats left", left)
                % {"counter": left}
            )
        return mark_safe(f'<span class="seats">{text}</span>')  # noqa: S308


def session_block(item: dict[str, Any], labels: Labels, actions: str = "") -> str:
    """A session of the programme page: its block in the day grid, or its entry in the list."""
    s, mark = item["s"], item["mark"]
    parts = s["parts"]
    badge = ""
    if mark == "now":
        badge = f' <span class="badge badge-now">{labels.now}</span>'
    elif mark == "next":
        badge = f' <span class="badge badge-next">{labels.next}</span>'
    return (
        f'<article class="prog-session fmt-{parts["fmt"]}{" is-" + mark if mark else ""}" '
        f'id="s-{s["id"]}" style="grid-area: {item["area"]}">'
        f'<p class="prog-time">{parts["time_html"]}{badge}</p>{parts["body_html"]}'
        f'<p class="prog-seats">{labels.seats(item["left"])}</p>{actions}</article>'
    )


def actions(
    item: dict[str, Any],
    *,
    csrf_token: str,
    action_url: str,
    error: dict[str, Any] | None = None,
    agenda: bool = False,
) -> SafeString:
    """The visitor's badges and buttons at a session: star or unstar; reserve, join the
    waiting list or cancel; and, after a refusal at this session, its message with the way
    on ("Reserve anyway" after a conflict, the waiting list after `session_full`). On the
    agenda only what undoes (unstar, cancel)."""
    s, mine = item["s"], item["mine"]
    status = mine.get("status")
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    hidden = f'{token}<input type="hidden" name="session" value="{s["id"]}">'
    url = escape(action_url)

    def button(action: str, label: str, kind: str = "") -> str:
        return (
            f'<button class="button small{" " + kind if kind else ""}" name="action" '
            f'value="{action}">{escape(label)}</button>'
        )

    # The words are looked up outside the f-strings: xgettext does not read inside them, so
    # makemessages would not know these strings.
    reserved, starred = _("Seat reserved"), _("Starred")
    anyway, join = _("Reserve anyway"), _("Join the waiting list")
    out = ['<div class="prog-actions">']
    if status == "confirmed":
        out.append(f'<span class="badge badge-mine">{escape(reserved)}</span> ')
    elif status == "waitlisted":
        position = item.get("position")
        text = (
            _("Waiting list: number %(position)s") % {"position": position}
            if position
            else _("On the waiting list")
        )
        out.append(f'<span class="badge badge-wait">{escape(text)}</span> ')
    if mine.get("starred"):
        out.append(f'<span class="badge badge-star">★ {escape(starred)}</span>')
    buttons = []
    if mine.get("starred"):
        buttons.append(button("unstar", _("Unstar")))
    elif not agenda:
        buttons.append(button("star", "☆ " + _("Star")))
    if status == "confirmed":
        buttons.append(button("cancel", _("Cancel my reservation"), "danger"))
    elif status == "waitlisted":
        buttons.append(button("cancel", _("Leave the waiting list"), "danger"))
    elif s["seats"] is not None and not agenda:
        if item["left"]:
            buttons.append(button("reserve", _("Reserve a seat"), "primary"))
        else:
            buttons.append(button("waitlist", join, "primary"))
    out.append(
        f'<form method="post" action="{url}" class="prog-buttons">{hidden}{"".join(buttons)}</form>'
    )
    if error and error["session"] == s["id"]:
        out.append(f'<div class="error-box" role="alert"><p>{escape(error["message"])}</p>')
        if error["code"] == "agenda_conflict":
            again = error["action"] if error["action"] in ("reserve", "waitlist") else "reserve"
            out.append(
                f'<form method="post" action="{url}" class="prog-buttons">{hidden}'
                f'<input type="hidden" name="force" value="1">'
                f"{button(again, anyway, 'primary')}</form>"
            )
        elif error["code"] == "session_full":
            out.append(
                f'<form method="post" action="{url}" class="prog-buttons">{hidden}'
                f"{button('waitlist', join, 'primary')}</form>"
            )
        out.append("</div>")
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
