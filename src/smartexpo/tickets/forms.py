"""The public registration form: Django's form for the page, the service for the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from smartexpo.tickets.models import IdType, Intent
from smartexpo.tickets.registration_clean import PROFILE_TEXTS, registration_problems
from smartexpo.tickets.selectors import TypeOffer
from smartexpo.venue.models import SHAREABLE_FIELDS, SHAREABLE_LABELS, Expo

# Why a day cannot be ticked for the chosen ticket type, or is ticked by itself.
DAY_NOTES = {
    "full": _("full"),
    "off": _("not on sale"),
    "pass": _("included in the pass"),
}


class DayChecks(forms.CheckboxSelectMultiple):
    """The edition's days as the chosen ticket type offers them: a pass's days ticked and
    locked, days full or not on sale locked, each with its reason (`option["note"]`).

    The page's script (`tickets/register.js`) redraws the same states when another type is
    chosen; without the script the server draws them for the type it shows as chosen."""

    offer: TypeOffer | None = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        state = self.offer.state(dt.date.fromisoformat(str(value))) if self.offer else "open"
        passed = self.offer is not None and self.offer.all_days and state != "off"
        if passed or state != "open":
            selected = passed
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["note"] = ""
        if state != "open" or passed:
            # A disabled box is not sent: the form gives a pass its days itself (`clean`).
            option["attrs"]["disabled"] = True
            option["note"] = DAY_NOTES[state if state != "open" else "pass"]
        return option


class ProfileForm(forms.Form):
    """The visitor's networking profile: who they are at work, what interests them, why they
    come, and what they agree to give an exhibitor who scans their ticket (nothing ticked by
    default). The registration form has these fields too; the manage page has this form alone.
    Only the fields the edition lets visitors share are offered (`Expo.lead_fields`)."""

    company = forms.CharField(
        label=_("Company or organisation"), max_length=PROFILE_TEXTS["company"], required=False
    )
    title = forms.CharField(label=_("Job title"), max_length=PROFILE_TEXTS["title"], required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PROFILE_TEXTS["phone"],
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors of interest"), widget=forms.CheckboxSelectMultiple, required=False
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests"), widget=forms.CheckboxSelectMultiple, required=False
    )
    intents = forms.MultipleChoiceField(
        label=_("Why you come"),
        choices=Intent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    share = forms.MultipleChoiceField(
        label=_("Share with exhibitors who scan my ticket"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Nothing is shared unless you tick it: an exhibitor who scans your ticket sees only "
            "its serial number and your name masked. You can change this at any time."
        ),
    )

    def __init__(self, *args, expo: Expo, sectors, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.expo = expo
        self.fields["sectors"].choices = sectors
        self.fields["interests"].choices = tags
        allowed = [f for f in SHAREABLE_FIELDS if f in (expo.lead_fields or [])]
        if allowed:
            self.fields["share"].choices = [(f, SHAREABLE_LABELS[f]) for f in allowed]
        else:
            del self.fields["share"]  # the edition lets visitors share nothing

    def profile_fields(self) -> list:
        """The profile's fields, bound, in order (the page shows them as one section)."""
        return [self[name] for name in PROFILE_FORM_FIELDS if name in self.fields]

    def apply_service_errors(self, fields: dict[str, str]) -> None:
        """Show the service's refusals at the fields they concern."""
        for name, message in fields.items():
            self.add_error(name if name in self.fields else None, message)


PROFILE_FORM_FIELDS = tuple(ProfileForm.base_fields)


class RegistrationForm(ProfileForm):
    """The public registration form. Its fields are `registration_create`'s; the rules are
    the service's (`registration_clean.registration_problems`), asked for every field the
    form itself accepted, so that all the errors are shown at once, as the API lists them."""

    ticket_type = forms.ChoiceField(label=_("Ticket type"))
    days = forms.MultipleChoiceField(
        label=_("Days to visit"),
        widget=DayChecks,
        # A pass needs no ticked day: `clean` asks for one only for day tickets.
        required=False,
    )
    name = forms.CharField(label=_("Full name (as on your ID)"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        help_text=_("Real-name registration: stored only in protected form."),
    )
    invitation = forms.CharField(
        label=_("Invitation code"),
        max_length=32,
        required=False,
        help_text=_("Only for ticket types by invitation: the code the organiser sent you."),
    )

    # The ticket and the person first; the profile (the base form's fields) after them.
    field_order = ("ticket_type", "days", "name", "email", "id_type", "id_number", "invitation")

    def __init__(self, *args, expo: Expo, offers: list[TypeOffer], tags, sectors=(), **kwargs):
        super().__init__(*args, expo=expo, sectors=sectors, tags=tags, **kwargs)
        self.offers = {o.code: o for o in offers}
        self.fields["ticket_type"].choices = [(o.code, o.ticket_type.name) for o in offers]
        self.fields["days"].choices = [(d.isoformat(), d.isoformat()) for d in expo.days]
        self.fields["days"].widget.offer = self.chosen_offer

    def person_fields(self) -> list:
        """The fields of the ticket and the person, bound, in order (the profile apart)."""
        return [f for f in self if f.name not in PROFILE_FORM_FIELDS]

    @property
    def chosen_offer(self) -> TypeOffer | None:
        """The type the page shows as chosen: the one sent or asked for, else the first, as a
        browser selects the first option of a list that names none."""
        code = self.data.get("ticket_type") if self.is_bound else self.initial.get("ticket_type")
        return self.offers.get(code) or next(iter(self.offers.values()), None)

    def day_states(self) -> dict:
        """What the page's script needs to draw the days of any type: each type's state of
        every day, and the reasons in the visitor's language."""
        return {
            "types": {
                code: {
                    "all_days": offer.all_days,
                    "days": {d.day.isoformat(): d.state for d in offer.days},
                }
                for code, offer in self.offers.items()
            },
            "notes": {state: str(note) for state, note in DAY_NOTES.items()},
        }

    def clean(self):
        data = super().clean()
        offer = self.offers.get(data.get("ticket_type"))
        if offer is not None and offer.all_days:
            # A pass is valid on all its days, whatever was ticked (its boxes are locked, and
            # locked boxes are not sent).
            self.errors.pop("days", None)
            data["days"] = [d.isoformat() for d in offer.valid_days]
        elif offer is not None and "days" not in self.errors and not data.get("days"):
            self.add_error("days", _("Choose at least one day."))
        # A full day is left to the service, as the API leaves it: it is refused when places
        # are taken, after the fields, and a person who already holds that day is told so.
        self._add_service_problems(data)
        return data

    def _add_service_problems(self, data: dict) -> None:
        """The service's judgement of the fields the form accepted (those it refused already
        show their own error; an ID number is only judged with an accepted ID type)."""
        fields = {name: data.get(name) for name in SERVICE_FIELDS}
        if "id_type" in self.errors:
            fields["id_number"] = None
        for name, message in registration_problems(expo=self.expo, **fields).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)


# What `registration_problems` judges: the person, the days and the profile (an invitation is
# judged with the type's access, when registering).
SERVICE_FIELDS = (
    "ticket_type",
    "days",
    "name",
    "email",
    "id_type",
    "id_number",
    *PROFILE_FORM_FIELDS,
)


class WaitlistForm(forms.Form):
    name = forms.CharField(label=_("Full name (as on your ID)"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)

    def apply_service_errors(self, fields: dict[str, str]) -> None:
        """Show the service's refusals at the fields they concern."""
        for name, message in fields.items():
            self.add_error(name if name in self.fields else None, message)


class OfferForm(forms.Form):
    name = forms.CharField(label=_("Full name (as on your ID)"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)

    def apply_service_errors(self, fields: dict[str, str]) -> None:
        for name, message in fields.items():
            self.add_error(name if name in self.fields else None, message)


class _Unechoed(forms.TextInput):
    """A text input that never sends back what was typed: an ID number entered once is not
    written again into a page (nor into a cache or a screenshot of it)."""

    def format_value(self, value):
        return None


class FindTicketForm(forms.Form):
    query = forms.CharField(
        label=_("Email or ID number"),
        max_length=254,
        widget=_Unechoed(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Enter the email address or the ID number you registered with.")
        },
    )
