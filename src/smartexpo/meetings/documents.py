"""The schedule email: a participant's meetings as they stand when it is sent, with the links to
their meetings page and calendar feed. Bilingual: the person's language first (a visitor's
registration language; English for an exhibitor), then the other one."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from smartexpo.exhibitors.models import ExhibitorMember
from smartexpo.meetings import pages
from smartexpo.meetings.models import NoticeKind, Participant
from smartexpo.tickets.selectors import manage_token_of

LANGUAGES = ("en", "zh-hans")


def _absolute(path: str) -> str:
    return settings.SMARTEXPO_BASE_URL.rstrip("/") + path


def participant_links(participant: Participant, *, language: str) -> dict[str, str]:
    """The absolute addresses of the participant's meetings page and calendar feed: a visitor's
    behind their manage token, an exhibitor's in the portal (signed in)."""
    expo = participant.expo
    with translation.override(language):
        if participant.registration_id:
            token = manage_token_of(participant.registration)
            return {
                "page": _absolute(reverse("meetings:mine", args=[expo.slug, token])),
                "ics": _absolute(reverse("meetings:mine-ics", args=[expo.slug, token])),
            }
        args = [expo.slug, participant.exhibitor.slug]
        return {
            "page": _absolute(reverse("portal:meetings", args=args)),
            "ics": _absolute(reverse("portal:meetings-ics", args=args)),
        }


def recipients(participant: Participant) -> list[str]:
    """Who the email goes to: the visitor (not an erased or cancelled registration), or the
    exhibitor's portal team (the exhibitor has no address of its own)."""
    if participant.registration_id:
        registration = participant.registration
        if registration.erased_at is not None or not registration.email:
            return []
        return [registration.email]
    emails = (
        ExhibitorMember.objects.filter(exhibitor_id=participant.exhibitor_id, user__is_active=True)
        .exclude(user__email="")
        .order_by("id")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))


def _section(participant: Participant, kind: str, language: str) -> tuple[str, list[str]]:
    expo = participant.expo
    with translation.override(language):
        names = {"expo": expo.name}
        if kind == NoticeKind.CHANGED:
            subject = _("Your meeting schedule for %(expo)s has changed") % names
            lead = _("your schedule of business meetings at %(expo)s has changed.") % names
        else:
            subject = _("Your meeting schedule for %(expo)s") % names
            lead = _("your schedule of business meetings at %(expo)s is published.") % names
        lines = [
            _("Hello %(name)s,") % {"name": pages.participant_name(participant)},
            "",
            lead,
            "",
        ]
        schedule = pages.schedule_of(participant=participant)
        if not schedule:
            lines.append(_("You have no meetings scheduled at the moment."))
        for slot in schedule:
            m = slot.meeting
            start = m.starts_at.astimezone(expo.tz)
            lines.append(
                _("%(day)s %(start)s–%(end)s: %(partner)s, %(place)s")
                % {
                    "day": start.strftime("%Y-%m-%d"),
                    "start": start.strftime("%H:%M"),
                    "end": m.ends_at.astimezone(expo.tz).strftime("%H:%M"),
                    "partner": slot.partner_name,
                    "place": slot.place,
                }
            )
        links = participant_links(participant, language=language)
        lines += [
            "",
            _("Your meetings, with a map of where each one is: %(url)s") % {"url": links["page"]},
            _("Add them to your calendar: %(url)s") % {"url": links["ics"]},
        ]
    return subject, lines


def notice_message(participant: Participant, *, kind: str) -> EmailMessage | None:
    """The schedule email for `participant`, or None when nobody can be written to."""
    to = recipients(participant)
    if not to:
        return None
    first = participant.registration.language if participant.registration_id else "en"
    first = "zh-hans" if first.startswith("zh") else "en"
    order = [first, *(lang for lang in LANGUAGES if lang != first)]
    subjects, body = [], []
    for language in order:
        subject, lines = _section(participant, kind, language)
        subjects.append(subject)
        if body:
            body += ["", "————————", ""]
        body += lines
    return EmailMessage(subject=" / ".join(subjects), body="\n".join(body), to=to)
