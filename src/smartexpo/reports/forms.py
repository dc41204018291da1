"""The forms of the report pages: a report to build, and a daily report email's schedule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartexpo.reports import job_kinds

LANGUAGE_CHOICES = [("en", _("English")), ("zh-hans", _("Chinese"))]


class JobForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=job_kinds.kind_choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)


class ScheduleForm(forms.Form):
    recipients = forms.CharField(
        label=_("Send to"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses, one a line or separated by commas (at most 20)."),
        max_length=5000,
    )
    send_time = forms.TimeField(
        label=_("Time of day"),
        help_text=_("In the edition's time zone, e.g. 18:30."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    kinds = forms.MultipleChoiceField(
        label=_("Reports attached"),
        choices=job_kinds.emailed_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one report.")},
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Untick to pause it.")
    )

    def addresses(self) -> list[str]:
        text = self.cleaned_data["recipients"].replace(",", "\n").replace(";", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]
