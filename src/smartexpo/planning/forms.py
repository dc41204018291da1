"""The lanes page's form: where the expected arrivals come from (the attendance forecast as of
an instant, or an arrivals CSV in the CLI's format), the target and the shifts box.

A bad file is a form error listing its bad lines; the target and the box keep what was typed
(a browser never refills a file input). A post without a source (the page before the forecast
existed, a script) plans the file it carries."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartexpo.core.errors import SmartExpoError
from smartexpo.planning.pages import (
    MAX_GATE_PERIODS,
    Arrivals,
    Target,
    forecast_arrivals,
    forecast_as_of_default,
    gate_periods,
    uploaded_arrivals,
)
from smartexpo.venue.models import Expo

MAX_FILE_BYTES = 1024 * 1024  # some 30,000 lines: far more than a week of 15-minute periods


SOURCE_FORECAST, SOURCE_FILE = "forecast", "file"


class LanesForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Expected arrivals from"),
        choices=[
            (SOURCE_FORECAST, gettext_lazy("The attendance forecast")),
            (SOURCE_FILE, gettext_lazy("An arrivals file")),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial=SOURCE_FORECAST,
    )
    as_of = forms.DateTimeField(
        label=gettext_lazy("Forecast as of (the edition's local time)"),
        help_text=gettext_lazy(
            "What was known then: the registrations booked by that instant and, during the "
            "edition, the admissions counted by then."
        ),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    plan_for = forms.ChoiceField(
        label=gettext_lazy("Plan for"),
        choices=[
            ("high", gettext_lazy("The upper end of the forecast's intervals (80 %)")),
            ("expected", gettext_lazy("The expected arrivals")),
        ],
        required=False,
        initial="high",
        help_text=gettext_lazy(
            "The upper end covers a busier day than expected for a few more lane-hours."
        ),
    )
    arrivals_file = forms.FileField(
        required=False,
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
        self.forecast: dict | None = None
        if not self.is_bound and "as_of" not in self.initial:
            self.initial["as_of"] = (
                forecast_as_of_default(expo).astimezone(expo.tz).replace(tzinfo=None)
            )

    def clean_as_of(self) -> dt.datetime | None:
        value = self.cleaned_data["as_of"]
        if value is None:
            return None
        # The field reads the wall clock in the server's time zone; it is the edition's.
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value.replace(tzinfo=self.expo.tz)

    def clean_arrivals_file(self):
        upload = self.cleaned_data["arrivals_file"]
        if upload is None:
            return None
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
        self._check(arrivals)
        return upload

    def clean(self):
        data = super().clean()
        source = data.get("source") or (SOURCE_FILE if "arrivals_file" in self.files else "")
        source = source or SOURCE_FORECAST
        data["source"] = source
        if source == SOURCE_FILE:
            if not data.get("arrivals_file") and "arrivals_file" not in self.errors:
                self.add_error("arrivals_file", _("Choose a CSV file of expected arrivals."))
            return data
        if "as_of" in self.errors:
            return data
        self.arrivals, self.forecast = forecast_arrivals(
            expo=self.expo,
            as_of=data.get("as_of") or forecast_as_of_default(self.expo),
            plan_for=data.get("plan_for") or "high",
        )
        self.text = self.forecast["csv"]
        try:
            self._check(self.arrivals)
        except forms.ValidationError as error:
            self.add_error("as_of", error)
        return data

    def _check(self, arrivals: Arrivals) -> None:
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

    @property
    def target(self) -> Target:
        return Target(self.cleaned_data["wait_minutes"], self.cleaned_data["percentile"])
