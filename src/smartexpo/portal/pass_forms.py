"""The portal's form to issue a staff pass: Django's form for the page, the ticket service for
the rules (`tickets.registration_clean`), so that every error is shown at once, translated, as
on the public registration form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import IdType, PassGrant
from smartexpo.tickets.registration_clean import registration_problems
from smartexpo.venue.models import Expo

# The service's refusals in the member's language (its own messages are the API's, in English).
REFUSALS = {
    "passes_used_up": gettext_lazy(
        "Every staff pass granted to you has been issued. Cancel one you no longer need, or ask "
        "the organiser for more."
    ),
    "no_pass_grant": gettext_lazy("The organiser has not granted you staff passes of this type."),
    "sold_out": gettext_lazy("No places are left on %(days)s for this pass."),
}
FIELD_REFUSALS = {
    "duplicate": ("id_number", gettext_lazy("This ID number already holds a ticket for %(days)s.")),
}


class StaffPassForm(forms.Form):
    """Who the pass is for. Days left unticked mean every day of the pass, as the service
    and the API take them."""

    ticket_type = forms.ChoiceField(label=gettext_lazy("Pass"))
    name = forms.CharField(label=gettext_lazy("Full name (as on the ID)"), max_length=100)
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        help_text=gettext_lazy("The e-ticket is sent to this address."),
    )
    id_type = forms.ChoiceField(label=gettext_lazy("ID type"), choices=IdType.choices)
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Optional. Stored only in protected form."),
    )
    days = forms.MultipleChoiceField(
        label=gettext_lazy("Valid on"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Leave every day unticked for all the days of the pass."),
    )

    def __init__(self, *args, expo: Expo, grants: list[PassGrant], **kwargs):
        super().__init__(*args, **kwargs)
        self.expo = expo
        self.fields["ticket_type"].choices = [
            (g.ticket_type.code, g.ticket_type.name) for g in grants
        ]
        if len(grants) == 1:
            # Nothing to choose: the one granted type goes with the form unseen.
            self.fields["ticket_type"].widget = forms.HiddenInput()
            self.fields["ticket_type"].initial = grants[0].ticket_type.code
        days = sorted({q.day for g in grants for q in g.ticket_type.quotas.all()})
        self.fields["days"].choices = [(d.isoformat(), d.strftime("%m-%d")) for d in days]
        self.pass_days = {
            g.ticket_type.code: [q.day.isoformat() for q in g.ticket_type.quotas.all()]
            for g in grants
        }

    def clean(self):
        data = super().clean()
        code = data.get("ticket_type")
        if not data.get("days") and code in self.pass_days:
            data["days"] = sorted(self.pass_days[code])
        fields = {name: data.get(name) for name in SERVICE_FIELDS}
        if "id_type" in self.errors or not data.get("id_number"):
            fields["id_number"] = None
        # The service's judgement of what the form accepted: every error at once.
        for name, message in registration_problems(expo=self.expo, **fields).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def service_fields(self) -> dict:
        """The cleaned fields as `staff_pass_issue` takes them."""
        data = dict(self.cleaned_data)
        if not data.get("id_number"):
            data["id_type"] = data["id_number"] = None
        return data

    def apply_refusal(self, exc: SmartExpoError) -> None:
        """Show a refusal of the service where it belongs, in the member's language."""
        days = ", ".join(exc.detail.get("days", []))
        if exc.code == "invalid":
            for name, message in exc.detail.get("fields", {}).items():
                self.add_error(name if name in self.fields else None, message)
        elif exc.code in FIELD_REFUSALS:
            field, message = FIELD_REFUSALS[exc.code]
            self.add_error(field, str(message) % {"days": days})
        elif exc.code in REFUSALS:
            self.add_error(None, str(REFUSALS[exc.code]) % {"days": days})
        else:
            self.add_error(
                None,
                _("The pass could not be issued (%(code)s). Please try again.")
                % {"code": exc.code},
            )


# What `registration_problems` judges for a staff pass.
SERVICE_FIELDS = ("ticket_type", "days", "name", "email", "id_type", "id_number")
