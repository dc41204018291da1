"""The meetings pages' forms: a meeting request to a suggested partner, and a busy interval.
Times are typed as the edition's local time (`datetime-local`) and kept aware."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartexpo.meetings.models import MESSAGE_MAX, Priority
from smartexpo.meetings.pages import parse_ref


class RequestForm(forms.Form):
    to = forms.CharField(max_length=40, widget=forms.HiddenInput)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.WANT
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_to(self) -> dict[str, int]:
        ref = parse_ref(self.cleaned_data["to"])
        if ref is None:
            raise forms.ValidationError(_("Choose a partner from the list."))
        return ref


class BusyForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Busy from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        return data
