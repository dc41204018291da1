"""The public registration form: Django's form for the page, the service for the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartexpo.tickets.models import IdType


class RegistrationForm(forms.Form):
    ticket_type = forms.ChoiceField(label=_("Ticket type"))
    days = forms.MultipleChoiceField(
        label=_("Days to visit"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    name = forms.CharField(label=_("Full name (as on your ID)"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        help_text=_("Real-name registration: stored only in protected form."),
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests"), widget=forms.CheckboxSelectMultiple, required=False
    )
    invitation = forms.CharField(
        label=_("Invitation code"),
        max_length=32,
        required=False,
        help_text=_("Only for ticket types by invitation: the code the organiser sent you."),
    )

    def __init__(self, *args, ticket_types, days, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].choices = ticket_types
        self.fields["days"].choices = days
        self.fields["interests"].choices = tags

    def apply_service_errors(self, fields: dict[str, str]) -> None:
        """Show the service's refusals at the fields they concern."""
        for name, message in fields.items():
            self.add_error(name if name in self.fields else None, message)


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
