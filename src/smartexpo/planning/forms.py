"""The lanes page's form: an arrivals CSV (the CLI's format), the target and the shifts box.

A bad file is a form error listing its bad lines; the target and the box keep what was typed
(a browser never refills a file input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartexpo.core.errors import SmartExpoError
from smartexpo.planning.pages import (
    MAX_GATE_PERIODS,
    Arrivals,
    Target,
    gate_periods,
    uploaded_arrivals,
)
from smartexpo.venue.models import Expo

MAX_FILE_BYTES = 1024 * 1024  # some 30,000 lines: far more than a week of 15-minute periods


class LanesForm(forms.Form):
    arrivals_file = forms.FileField(
        label=gettext_lazy("Arrivals (CSV: gate,period_start,arrivals)"),
        help_text=gettext_lazy(
            "One row per gate and 15-minute period, in the edition's local time, for example "
            "G-N,2019-08-26T09:00,4419.5."
        ),
    )
    wait_minutes = forms.FloatField(
        label=gettext_lazy("Wait under (minutes)"),
        min_value=1,
        max_value=240,
        initial=10,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    percentile = forms.FloatField(
        label=gettext_lazy("For this share of arrivals (%)"),
        min_value=50,
        max_value=99.9,
        initial=95,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    shifts = forms.BooleanField(
        label=gettext_lazy("Also plan the staff shifts (one person per open lane)"),
        required=False,
    )

    def __init__(self, *args, expo: Expo, gates: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.expo, self.gates = expo, gates
        self.text = ""
        self.arrivals: Arrivals | None = None

    def clean_arrivals_file(self):
        upload = self.cleaned_data["arrivals_file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            self.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            arrivals = uploaded_arrivals(
                expo=self.expo, text=self.text, name=upload.name, gates=self.gates
            )
        except SmartExpoError as error:
            raise forms.ValidationError(error.detail["fields"]["arrivals_file"]) from None
        empty = [code for code in arrivals.expected if self.gates[code] == 0]
        if empty:
            raise forms.ValidationError(
                _("Gate %(gate)s has no lanes installed: nothing to plan.") % {"gate": empty[0]}
            )
        if gate_periods(arrivals) > MAX_GATE_PERIODS:
            raise forms.ValidationError(
                _(
                    "The file asks for %(n)d gate-periods; this page plans at most %(max)d at "
                    "once (the command smartexpo planning lanes plans more)."
                )
                % {"n": gate_periods(arrivals), "max": MAX_GATE_PERIODS}
            )
        self.arrivals = arrivals
        return upload

    @property
    def target(self) -> Target:
        return Target(self.cleaned_data["wait_minutes"], self.cleaned_data["percentile"])
