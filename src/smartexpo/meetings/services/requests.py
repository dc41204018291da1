"""Meeting requests: one side asks, the other accepts or declines, the asking side cancels.

Status flow: pending → accepted | declined (by the recipient, or an organiser); pending |
accepted → cancelled (by the requester, or an organiser). Every transition is one conditional
UPDATE (`WHERE status IN (…)`) checked by its row count, so of two at once exactly one wins and
the other is told the state it found; the same transition again is answered with that state.
A declined pair stays declined: never requested nor suggested again (a visitor–exhibitor pair
is also recorded as a recommend dismissal, so neither side is recommended the other)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.meetings import selectors
from smartexpo.meetings.models import (
    Meeting,
    MeetingNotice,
    MeetingRequest,
    MeetingSession,
    NoticeKind,
    Participant,
    RequestStatus,
)
from smartexpo.meetings.services.participants import participant_get
from smartexpo.recommend.models import DismissedBy
from smartexpo.recommend.services.dismissals import dismissal_add
from smartexpo.venue.models import Expo

# The refusal of an action the request's status does not allow, named after that status.
REFUSED_BY = {
    RequestStatus.ACCEPTED: "request_accepted",
    RequestStatus.DECLINED: "request_declined",
    RequestStatus.CANCELLED: "request_cancelled",
}
# Which statuses each action moves a request from, and to.
ACTIONS = {
    "accept": ((RequestStatus.PENDING,), RequestStatus.ACCEPTED),
    "decline": ((RequestStatus.PENDING,), RequestStatus.DECLINED),
    "cancel": ((RequestStatus.PENDING, RequestStatus.ACCEPTED), RequestStatus.CANCELLED),
}


def _not_open(side: str) -> SmartExpoError:
    if side == "from":
        message = _("Opt in to business meetings before requesting one.")
    else:
        message = _("This visitor has not opted in to business meetings.")
    return SmartExpoError("not_open", message, {"side": side})


def _taken(existing: MeetingRequest) -> SmartExpoError:
    if existing.status == RequestStatus.DECLINED:
        return SmartExpoError(
            "pair_declined",
            _("A meeting of this pair was declined: it cannot be requested again."),
            {"request": existing.pk},
        )
    return SmartExpoError(
        "duplicate_request",
        _("This pair already has a meeting request: answer or cancel that one."),
        {"request": existing.pk, "status": existing.status},
    )


@transaction.atomic
def request_create(
    *,
    expo: Expo,
    requester: dict[str, int],
    recipient: dict[str, int],
    priority: str,
    message: str = "",
) -> MeetingRequest:
    """Ask for a meeting of `requester` with `recipient` (participant refs). Refusals:
    `invalid` for a request to oneself; `not_found` for a participant the edition does not
    have; 409 `not_open` for a visitor on either side who has not opted in,
    `participant_inactive` for a cancelled or erased registration, `pair_declined` for a pair
    declined before and `duplicate_request` for a pair with a live request (its id in
    `detail.request`)."""
    if requester == recipient:
        raise invalid({"to": _("A participant cannot request a meeting with itself.")})
    asking = participant_get(expo=expo, ref=requester)
    if asking.registration_id and not asking.open:
        raise _not_open("from")
    found, target = selectors.participant_lookup(expo=expo, ref=recipient)
    selectors.require_active(target)
    if "registration" in recipient:
        if found is None or not found.open:
            raise _not_open("to")
        asked = found
    else:
        asked = found or participant_get(expo=expo, ref=recipient)
    existing = selectors.pair_request(a=asking, b=asked)
    if existing is not None:
        raise _taken(existing)
    low, high = sorted((asking, asked), key=lambda p: p.pk)
    try:
        with transaction.atomic():
            made = MeetingRequest.objects.create(
                expo=expo,
                requester=asking,
                recipient=asked,
                low=low,
                high=high,
                priority=priority,
                message=message,
            )
    except IntegrityError:
        # The pair asked for twice at once (either side): the constraint let one through.
        existing = selectors.pair_request(a=asking, b=asked)
        if existing is None:
            raise
        raise _taken(existing) from None
    made.requester, made.recipient = asking, asked
    return made


@transaction.atomic
def request_transition(
    *, request: MeetingRequest, action: str, by: Participant | None
) -> tuple[MeetingRequest, bool]:
    """`accept`, `decline` or `cancel` the request, by the participant `by` (None: an
    organiser): (the request as it is now, whether this call changed it). Only the recipient
    accepts or declines and only the requester cancels (`forbidden` otherwise). The same
    action again answers the state it left; an action the state does not allow is a 409
    named after that state (`request_declined`, `request_cancelled`, `request_accepted`…).
    Accepting needs both sides still active (`participant_inactive`); cancelling an accepted
    request removes its meeting, and both sides are told if the session was published."""
    start, end = ACTIONS[action]
    if by is not None:
        side = request.requester_id if action == "cancel" else request.recipient_id
        if by.pk != side:
            who = _("the requester") if action == "cancel" else _("the other side")
            raise SmartExpoError(
                "forbidden", _("Only %(who)s or an organiser may do this.") % {"who": who}
            )
    if action == "accept":
        selectors.require_active(request.requester)
        selectors.require_active(request.recipient)
    now = timezone.now()
    changed = MeetingRequest.objects.filter(pk=request.pk, status__in=start).update(
        status=end, decided_at=now
    )
    current = selectors.request_get(expo=request.expo, pk=request.pk)
    if not changed:
        if current.status == end:
            return current, False
        raise SmartExpoError(
            REFUSED_BY.get(current.status, "conflict"),
            _("The request is %(status)s: it cannot be changed so.")
            % {"status": RequestStatus(current.status).label},
            {"status": current.status},
        )
    if action == "decline":
        _dismiss(current)
    if action == "cancel":
        meeting = Meeting.objects.filter(request=current).select_related("session").first()
        if meeting is not None:
            meeting.delete()
            notify_removed(session=meeting.session, participants=[current.low, current.high])
    return current, True


def _dismiss(request: MeetingRequest) -> None:
    """A declined visitor–exhibitor pair is not recommended to either side again."""
    sides = (request.requester, request.recipient)
    visitors = [p for p in sides if p.registration_id]
    exhibitors = [p for p in sides if p.exhibitor_id]
    if len(visitors) != 1 or len(exhibitors) != 1:
        return
    by = DismissedBy.VISITOR if request.recipient.registration_id else DismissedBy.EXHIBITOR
    dismissal_add(registration=visitors[0].registration, exhibitor=exhibitors[0].exhibitor, by=by)


def notify_removed(*, session: MeetingSession, participants: list[Participant]) -> int:
    """Queue a "schedule changed" notice for each participant who lost a meeting of a
    published session (the mailer sends their schedule as it then stands); how many."""
    if session.published_at is None:
        return 0
    made = MeetingNotice.objects.bulk_create(
        MeetingNotice(participant=p, session=session, kind=NoticeKind.CHANGED) for p in participants
    )
    return len(made)
