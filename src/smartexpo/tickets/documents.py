"""The ticket as people receive it: QR code, PDF and the confirmation email (with the PDF)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from smartexpo.tickets import render
from smartexpo.tickets.identity import mask_name
from smartexpo.tickets.issuing import manage_token_for, ticket_secret
from smartexpo.tickets.models import Registration, RegistrationStatus, Ticket, TicketStatus


def ticket_is_void(ticket: Ticket) -> bool:
    """Whether a ticket admits no one any more (cancelled, or revoked otherwise): its PDF and
    page say so, and show no entry code."""
    return ticket.status != TicketStatus.VALID


def ticket_pdf_data(ticket: Ticket, secret: str | None = None) -> render.TicketPdfData:
    """Everything the PDF ticket shows, from a ticket and its registration."""
    registration, expo, tt = ticket.registration, ticket.expo, ticket.ticket_type
    void = ticket_is_void(ticket)
    return render.TicketPdfData(
        expo_name_en=expo.name_en,
        expo_name_zh=expo.name_zh or expo.name_en,
        venue_en=expo.venue_en,
        venue_zh=expo.venue_zh or expo.venue_en,
        ticket_type_en=tt.name_en,
        ticket_type_zh=tt.name_zh or tt.name_en,
        holder_masked=mask_name(registration.name),
        id_masked=registration.id_masked,
        serial=ticket.serial,
        days=tuple(dt.date.fromisoformat(d) for d in ticket.days),
        # A void ticket's secret is not printed, so it is not even derived.
        secret="" if void else (secret or ticket_secret(ticket)),
        opens_at=expo.opens_at.strftime("%H:%M"),
        closes_at=expo.closes_at.strftime("%H:%M"),
        language=registration.language,
        void=void,
    )


def ticket_pdf(ticket: Ticket) -> bytes:
    """The ticket as a bilingual A4 PDF."""
    return render.ticket_pdf(ticket_pdf_data(ticket))


def manage_url(registration: Registration) -> str:
    """The absolute address of a registration's own page, in its language."""
    token = manage_token_for(registration.manage_nonce)
    with translation.override(registration.language):
        path = reverse("tickets:manage", args=[registration.expo.slug, token])
    return settings.SMARTEXPO_BASE_URL.rstrip("/") + path


def confirmation_message(registration: Registration) -> EmailMessage:
    """The email a registration's state calls for, in the visitor's language: its tickets
    (each as a PDF), or that its request was received, or declined."""
    if registration.status in (RegistrationStatus.PENDING, RegistrationStatus.DECLINED):
        return _request_message(registration)
    tickets = list(registration.tickets.select_related("expo", "ticket_type", "registration"))
    expo = registration.expo
    with translation.override(registration.language):
        expo_name = expo.name
        subject = _("Your e-ticket for %(expo)s") % {"expo": expo_name}
        lines = [
            _("Hello %(name)s,") % {"name": registration.name},
            "",
            _("your registration for %(expo)s is confirmed.") % {"expo": expo_name},
            _("Ticket type: %(type)s") % {"type": registration.ticket_type.name},
        ]
        for ticket in tickets:
            lines.append(
                _("Ticket %(serial)s, valid on %(days)s")
                % {"serial": ticket.serial, "days": ", ".join(ticket.days)}
            )
        lines += [
            "",
            _("Your ticket is attached as a PDF. Show its QR code at the gate."),
            _("See, download or cancel your tickets here: %(url)s")
            % {"url": manage_url(registration)},
            "",
            expo.venue,
        ]
    message = EmailMessage(subject=subject, body="\n".join(lines), to=[registration.email])
    for ticket in tickets:
        message.attach(f"ticket-{ticket.serial}.pdf", ticket_pdf(ticket), "application/pdf")
    return message


def _request_message(registration: Registration) -> EmailMessage:
    expo = registration.expo
    with translation.override(registration.language):
        names = {"expo": expo.name, "type": registration.ticket_type.name}
        if registration.status == RegistrationStatus.PENDING:
            subject = _("Your request for %(expo)s was received") % names
            news = [
                _("your request for a %(type)s at %(expo)s was received.") % names,
                _("The organiser reviews it; you will get an email as soon as it is decided."),
            ]
        else:
            subject = _("Your request for %(expo)s") % names
            news = [
                _("we are sorry: your request for a %(type)s at %(expo)s was not approved.") % names
            ]
        lines = [
            _("Hello %(name)s,") % {"name": registration.name},
            "",
            *news,
            _("See your request here: %(url)s") % {"url": manage_url(registration)},
            "",
            expo.venue,
        ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[registration.email])


def ticket_links_message(registrations: list[Registration], *, language: str) -> EmailMessage:
    """The find-my-ticket email: the links to each registration's page and to its valid
    tickets' PDFs, sent to the address the registrations were made with (they share one)."""
    expo = registrations[0].expo
    base = settings.SMARTEXPO_BASE_URL.rstrip("/")
    with translation.override(language):
        subject = _("The links to your tickets for %(expo)s") % {"expo": expo.name}
        lines = [
            _("Hello,"),
            "",
            _(
                "someone, we hope you, asked for the links to the tickets registered with this "
                "email address for %(expo)s. Here they are:"
            )
            % {"expo": expo.name},
        ]
        for registration in registrations:
            token = manage_token_for(registration.manage_nonce)
            page = reverse("tickets:manage", args=[expo.slug, token])
            if registration.status == RegistrationStatus.PENDING:
                link = _("See your request here: %(url)s")
            else:
                link = _("See, download or cancel your tickets here: %(url)s")
            lines += [
                "",
                f"{registration.name} · {registration.ticket_type.name}",
                link % {"url": base + page},
            ]
            for ticket in registration.tickets.all():
                if ticket.status != TicketStatus.VALID:
                    continue
                pdf = reverse("tickets:ticket-pdf", args=[expo.slug, token, ticket.serial])
                lines.append(
                    _("Ticket %(serial)s, valid on %(days)s: %(url)s")
                    % {"serial": ticket.serial, "days": ", ".join(ticket.days), "url": base + pdf}
                )
        lines += [
            "",
            _("Keep these links private: they give access to your tickets."),
            _("If you did not ask for them, ignore this email: nothing has changed."),
            "",
            expo.venue,
        ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[registrations[0].email])
