"""Visitor pages: the registration form and the page behind a registration's manage link."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.ratelimit import client_address, registration_rate_limit
from smartexpo.exhibitors import selectors as catalogue
from smartexpo.tickets import documents, issuing, sales, selectors
from smartexpo.tickets import render as rendering
from smartexpo.tickets.forms import (
    FindTicketForm,
    OfferForm,
    ProfileForm,
    RegistrationForm,
    WaitlistForm,
)
from smartexpo.tickets.models import RegistrationStatus
from smartexpo.tickets.services import cancellation, profile, ticket_links, waitlist
from smartexpo.tickets.services import registration as registering
from smartexpo.venue import selectors as venue
from smartexpo.venue.models import Expo

REFUSALS = {
    "sold_out": gettext_lazy("Sorry, no places are left on %(days)s. Choose other days."),
    "invitation_used_up": gettext_lazy("This invitation code has been used as often as it allows."),
    "exhibitor_pass_only": gettext_lazy(
        "This pass is issued by exhibitors to their staff: ask your company."
    ),
    "duplicate": gettext_lazy("This ID number already holds a ticket for %(days)s."),
    "offer_expired": gettext_lazy("This offer has expired; the place went to the next in line."),
    "rate_limited": gettext_lazy(
        "Too many registrations from your network; please try again in a minute."
    ),
    "sales_closed": gettext_lazy("Registration for this ticket type closed on %(when)s."),
    "sales_not_open": gettext_lazy("Registration for this ticket type opens on %(when)s."),
}


# The button that, without the page's script, draws the chosen type's days again; the fields
# that hold several values.
SHOW_DAYS = "show_days"
LISTS = ("days", "interests", "sectors", "intents", "share")


def refusal_message(exc: SmartExpoError, expo: Expo | None = None) -> str:
    """A refusal of the service in the visitor's language: the service's own message is for
    the API's clients, in English, so a code this page does not know gets a general one. An
    instant in the refusal (a sales window's) is shown in the edition's time zone, if given."""
    message = REFUSALS.get(exc.code)
    if message is None:
        return _("Your registration could not be completed (%(code)s). Please try again.") % {
            "code": exc.code
        }
    when = exc.detail.get("closed_at") or exc.detail.get("opens_at")
    if when:
        when = formats.date_format(
            timezone.localtime(dt.datetime.fromisoformat(when), expo.tz if expo else None),
            "DATETIME_FORMAT",
        )
    return str(message) % {"days": ", ".join(exc.detail.get("days", [])), "when": when}


# Refusals shown at the form's field they concern.
FIELD_REFUSALS = {
    "invitation_required": (
        "invitation",
        gettext_lazy("This ticket type needs the invitation code the organiser sent you."),
    ),
    "invitation_invalid": (
        "invitation",
        gettext_lazy("This code is not valid for this ticket type."),
    ),
}


def register(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    sale = sales.edition_sale_state(expo=edition)
    if not sale.on_sale:
        # Closed or not yet open: say so and when, rather than offer a form nobody can use.
        context = {"expo": edition, "sale": sale}
        return render(request, "tickets/register_closed.html", context)
    offers, off_sale = selectors.registration_offers(expo=edition)
    # A link from an invitation email fills in the type and the code.
    initial = {k: request.GET[k] for k in ("ticket_type", "invitation") if k in request.GET}
    # A waiting-list page that found places left links here with its day chosen.
    if "days" in request.GET:
        initial["days"] = request.GET.getlist("days")
    data = request.POST or None
    if data is not None and SHOW_DAYS in data:
        # Without the page's script, choosing another type asks the server to draw its days:
        # the page is drawn again with what was typed, judged by nobody yet.
        initial = {k: data.getlist(k) if k in LISTS else data.get(k) for k in data}
        data = None
    form = RegistrationForm(
        data,
        initial=initial,
        expo=edition,
        offers=offers,
        tags=_tags(),
        sectors=_sectors(),
    )
    full_days: list[str] = []
    duplicate = False
    if data is not None and form.is_valid():
        try:
            registration_rate_limit(request)
            issued = registering.registration_create(
                expo=edition,
                source="web",
                language=translation.get_language() or "en",
                **form.cleaned_data,
            )
        except SmartExpoError as exc:
            if exc.code == "invalid":
                form.apply_service_errors(exc.detail.get("fields", {}))
            elif exc.code in FIELD_REFUSALS:
                field, message = FIELD_REFUSALS[exc.code]
                form.add_error(field, str(message))
            else:
                form.add_error(None, refusal_message(exc, edition))
                if exc.code == "sold_out":
                    full_days = exc.detail.get("days", [])
                # This person holds a ticket already: the way back to it is to find it.
                duplicate = exc.code == "duplicate"
        else:
            if issued.registration.status == RegistrationStatus.PENDING:
                messages.success(
                    request,
                    _(
                        "Your request was received. The organiser reviews it; you will get an "
                        "email as soon as it is decided."
                    ),
                )
            else:
                messages.success(request, _("You are registered. Your e-ticket is below."))
            return redirect("tickets:manage", expo=edition.slug, token=issued.manage_token)
    chosen = form.chosen_offer
    context = {
        "expo": edition,
        "form": form,
        "ticket_types": [o.ticket_type for o in offers],
        "off_sale": off_sale,
        "full_days": full_days,
        "duplicate": duplicate,
        "chosen_type": chosen.code if chosen else "",
    }
    return render(request, "tickets/register.html", context, status=422 if form.errors else 200)


def _tags() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in catalogue.tag_list()]


def _sectors() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in catalogue.sector_list()]


def waitlist_join(request: HttpRequest, expo: str) -> HttpResponse:
    """The waiting list of one ticket type on one day: the form only when the day is full;
    otherwise what is true of it (places left, with the way to register, or no such list)."""
    edition = venue.expo_or_404(slug=expo)
    ticket_type = request.GET.get("ticket_type") or request.POST.get("ticket_type", "")
    day = request.GET.get("day") or request.POST.get("day", "")
    found = waitlist.waitlist_day(expo=edition, ticket_type=ticket_type, day=day)
    form = WaitlistForm(request.POST or None)
    entry = None
    if found.state == waitlist.DayState.FULL and request.method == "POST" and form.is_valid():
        try:
            registration_rate_limit(request)
            entry = waitlist.waitlist_join(
                expo=edition,
                ticket_type=ticket_type,
                day=day,
                language=translation.get_language() or "en",
                **form.cleaned_data,
            )
        except SmartExpoError as exc:
            if exc.code == "not_sold_out":
                # A place was freed in between: say so, as a fresh visit would.
                found = waitlist.waitlist_day(expo=edition, ticket_type=ticket_type, day=day)
            elif exc.code in ("rate_limited", *sales.ERROR_CODES.values()):
                form.add_error(None, refusal_message(exc, edition))
            else:
                form.apply_service_errors(exc.detail.get("fields", {}))
    context = {
        "expo": edition,
        "form": form,
        "ticket_type": ticket_type,
        "day": day,
        "found": found,
        "entry": entry,
        "position": waitlist.waitlist_position(entry) if entry else None,
    }
    # Only a full day has a waiting list to join; any other asks for a page that is not there.
    known = found.state in (waitlist.DayState.FULL, waitlist.DayState.AVAILABLE)
    return render(request, "tickets/waitlist_join.html", context, status=200 if known else 404)


FIND_TICKET_ANSWER = gettext_lazy(
    "Thank you. If a registration for this expo matches what you entered, we have sent the links "
    "to its tickets to the email address it was made with. It may take a few minutes; check "
    "your spam folder too."
)


FIND_TICKET_REFUSALS = {
    "invalid": gettext_lazy("Enter the email address or the ID number you registered with."),
    "rate_limited": gettext_lazy(
        "Too many requests from your network; please try again in a minute."
    ),
}


def find_ticket(request: HttpRequest, expo: str) -> HttpResponse:
    """Find my ticket: ask for the links to one's tickets by email address or ID number.

    The answer to a valid ask is the same message whatever was found (after a redirect, so a
    reload asks nothing again); what was typed is never written back into the page."""
    edition = venue.expo_or_404(slug=expo)
    form = FindTicketForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket_links.ticket_links_request(
                expo=edition,
                query=form.cleaned_data["query"],
                client=client_address(request),
                language=translation.get_language() or "en",
            )
        except SmartExpoError as exc:
            if exc.code == "rate_limited":
                form.add_error(None, str(FIND_TICKET_REFUSALS["rate_limited"]))
                status = 429
            else:
                form.add_error("query", str(FIND_TICKET_REFUSALS["invalid"]))
        else:
            messages.success(request, str(FIND_TICKET_ANSWER))
            return redirect("tickets:find-ticket", expo=edition.slug)
    if form.errors and status == 200:
        status = 422
    context = {"expo": edition, "form": form}
    return render(request, "tickets/find_ticket.html", context, status=status)


def offer(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    try:
        entry = waitlist.offer_get(token=token)
    except SmartExpoError:
        raise Http404 from None
    if entry.expo_id != edition.pk:
        raise Http404
    form = OfferForm(request.POST or None, initial={"name": entry.name, "email": entry.email})
    duplicate = False
    if request.method == "POST" and form.is_valid():
        try:
            issued = waitlist.offer_accept(token=token, **form.cleaned_data)
        except SmartExpoError as exc:
            if exc.code == "invalid":
                form.apply_service_errors(exc.detail.get("fields", {}))
            else:
                form.add_error(None, refusal_message(exc, edition))
                duplicate = exc.code == "duplicate"
        else:
            messages.success(request, _("You are registered. Your e-ticket is below."))
            return redirect("tickets:manage", expo=edition.slug, token=issued.manage_token)
    valid = entry.status == "offered" and entry.offer_expires_at > timezone.now()
    context = {
        "expo": edition,
        "entry": entry,
        "form": form,
        "valid": valid,
        "duplicate": duplicate,
    }
    return render(request, "tickets/offer.html", context)


def _registration(expo: str, token: str):
    edition = venue.expo_or_404(slug=expo)
    registration = selectors.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    return edition, selectors.registration_get(expo=edition, pk=registration.pk)


def manage(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    return _manage_page(request, edition, registration, token)


def _manage_page(request, edition, registration, token, form=None) -> HttpResponse:
    """The manage page; `form`: the profile form as sent, when it was refused."""
    # A void ticket shows the CANCELLED notice, never a code that looks like an entry code.
    tickets = [
        (t, None if documents.ticket_is_void(t) else _inline_svg(issuing.ticket_secret(t)))
        for t in registration.tickets.all()
    ]
    editable = registration.status in profile.OPEN_STATUSES
    if form is None and editable:
        form = _profile_form(edition, registration)
    context = {
        "expo": edition,
        "registration": registration,
        "tickets": tickets,
        "token": token,
        "profile_form": form if editable else None,
        "leads_url": _leads_url(edition, token),
    }
    return render(
        request, "tickets/manage.html", context, status=422 if form and form.errors else 200
    )


def _profile_form(edition, registration, data=None) -> ProfileForm:
    initial = {name: getattr(registration, name) for name in profile.EDITABLE}
    return ProfileForm(data, initial=initial, expo=edition, sectors=_sectors(), tags=_tags())


def _leads_url(edition, token: str) -> str | None:
    """The page "Who has my details" (the leads app's), where the installed apps have it."""
    try:
        return reverse("leads:mine", kwargs={"expo": edition.slug, "token": token})
    except NoReverseMatch:
        return None


@require_POST
def profile_save(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    """Save the networking profile from the manage page: every field at once; refused, the
    page comes back with what was typed and the errors at their fields."""
    edition, registration = _registration(expo, token)
    form = _profile_form(edition, registration, request.POST)
    if form.is_valid():
        changes = {
            name: form.cleaned_data[name] for name in profile.EDITABLE if name in form.fields
        }
        if "share" not in form.fields:
            changes["share"] = []  # the edition lets visitors share nothing
        try:
            profile.profile_update(registration=registration, changes=changes)
        except SmartExpoError as exc:
            if exc.code != "invalid":
                messages.error(
                    request, _("Your registration is closed: its profile cannot change.")
                )
                return redirect("tickets:manage", expo=edition.slug, token=token)
            form.apply_service_errors(exc.detail.get("fields", {}))
        else:
            messages.success(request, _("Your networking profile is saved."))
            return redirect("tickets:manage", expo=edition.slug, token=token)
    return _manage_page(request, edition, registration, token, form)


def _inline_svg(secret: str) -> str:
    # An XML declaration has no place inside an HTML document.
    svg = rendering.qr_svg(secret).decode()
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg


def ticket_pdf(request: HttpRequest, expo: str, token: str, serial: int) -> HttpResponse:
    """The ticket as a bilingual A4 PDF."""
    _edition, registration = _registration(expo, token)
    ticket = next((t for t in registration.tickets.all() if t.serial == serial), None)
    if ticket is None:
        raise Http404
    ticket.registration = registration
    response = HttpResponse(documents.ticket_pdf(ticket), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ticket-{serial}.pdf"'
    return response


@require_POST
def cancel(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    was_request = registration.status == RegistrationStatus.PENDING
    cancellation.registration_cancel(registration=registration)
    if was_request:
        messages.success(request, _("Your request is withdrawn."))
    else:
        messages.success(request, _("Your registration is cancelled and its tickets are void."))
    return redirect("tickets:manage", expo=edition.slug, token=token)
