"""The admin's deal form and parties inline, checked by the one rule (`rules.deal_input_clean`):
the form's values are put in the API's shape, and the rule's messages come back on the fields
they name. The model's own validation is not run (the rule is the deal's; the services write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionBoundForm
from smartexpo.core.errors import SmartExpoError
from smartexpo.deals import rules
from smartexpo.deals.models import (
    DOCUMENT_MAX_BYTES,
    INPUT_COLUMNS,
    Deal,
    DealParty,
    DealStatus,
    Document,
)

# The rule's field names that are not the form's own.
FORM_FIELD = {"title": "title_en", "summary": "summary_en"}
PARTY_FIELD = {"name": "name_en"}
DEAL_FIELDS = ("expo", *INPUT_COLUMNS)


class PartyForm(EditionBoundForm):
    # Blank: an exhibitor's country is its own, anyone else's China (the rule's default).
    country = forms.CharField(
        label=_("country"), max_length=100, required=False, help_text=_("e.g. CN, DE")
    )

    class Meta:
        model = DealParty
        fields = ("exhibitor", "name_en", "name_zh", "country", "region", "city")

    def _post_clean(self):
        """No model validation: the deal's rule checks the parties with the deal."""

    def api_party(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        party: dict[str, Any] = {}
        if data.get("exhibitor") is not None:
            party["exhibitor"] = data["exhibitor"].slug
        if data.get("name_en") or data.get("name_zh") or "exhibitor" not in party:
            party["name"] = {"en": data.get("name_en", ""), "zh": data.get("name_zh", "")}
        for name in ("country", "region", "city"):
            if data.get(name):
                party[name] = data[name].upper() if name == "country" else data[name]
        return party


class PartyFormSet(BaseInlineFormSet):
    """The parties in order (the first is the counterpart). Registers itself with the request
    so that the deal's form checks the parties with the deal, in one rule."""

    def __init__(self, *args, deal_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deal_request is not None:
            deal_request.deal_parties = self

    def ordered(self) -> list[PartyForm]:
        """The parties kept, in the inline's order: saved rows not marked for deletion, and
        the new rows filled in."""
        initial = self.initial_form_count()
        return [
            form
            for i, form in enumerate(self.forms)
            if not self._should_delete_form(form) and (i < initial or form.has_changed())
        ]

    def save(self, commit=True):
        """Never: the parties are written by the deal's service."""
        return []


class DealForm(EditionBoundForm):
    # Decimal strings, as the API takes them: the rule, not the form, says what is wrong.
    amount = forms.CharField(label=_("amount"), max_length=40, help_text=_("e.g. 1250000.50"))
    rate = forms.CharField(
        label=_("rate to yuan"),
        max_length=40,
        required=False,
        help_text=_(
            "Yuan for one unit of the currency. Blank: the recorded rate of the signing day "
            "(or the latest before it). Yuan need none."
        ),
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    request = None  # set by the admin: the parties' formset hangs on it

    class Meta:
        model = Deal
        fields = DEAL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            from smartexpo.deals.records import money, rate_text

            self.initial.setdefault("amount", money(self.instance.amount))
            self.initial.setdefault(
                "rate", "" if self.instance.currency == "CNY" else rate_text(self.instance.rate)
            )
            self.initial["seen_version"] = self.instance.version
        self.deal_data: dict[str, Any] = {}

    def _post_clean(self):
        """No model validation: `clean` runs the deal's rule."""

    def edition(self):
        if self.instance.pk is not None:
            return self.instance.expo
        return self.cleaned_data.get("expo")

    def api_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {
            "ref": data.get("ref", ""),
            "title": {"en": data.get("title_en", ""), "zh": data.get("title_zh", "")},
            "summary": {"en": data.get("summary_en", ""), "zh": data.get("summary_zh", "")},
            "kind": data.get("kind"),
            "investment_form": data.get("investment_form", ""),
            "amount": data.get("amount", ""),
            "currency": data.get("currency") or "CNY",
            "amount_estimated": bool(data.get("amount_estimated")),
            "amount_confidential": bool(data.get("amount_confidential")),
            "signed_on": data.get("signed_on"),
            "at_expo": bool(data.get("at_expo")),
            "ceremony": data["ceremony"].pk if data.get("ceremony") else None,
        }
        if data.get("sector") is not None:
            out["sector"] = data["sector"].code
        if data.get("rate"):
            out["rate"] = data["rate"]
            out["rate_on"] = data.get("rate_on")
        return out

    def clean(self):
        data = super().clean()
        expo = self.edition()
        if expo is None:
            return data
        current = self.instance if self.instance.pk is not None else None
        if current is not None and data.get("seen_version") not in (None, current.version):
            self.add_error(
                None, _("The deal was changed since you opened it: reload the page and redo.")
            )
            return data
        # The rule runs even when some fields could not be read, so that every message is
        # shown at once; a field keeps its first message.
        parties: PartyFormSet | None = getattr(self.request, "deal_parties", None)
        deal = self.api_data()
        ordered: list[PartyForm] = []
        if parties is not None:
            parties.is_valid()  # each row's own errors, before the rule adds to them
            ordered = parties.ordered()
            deal["parties"] = [form.api_party() for form in ordered]
        try:
            rules.deal_input_clean(expo=expo, data=deal)
        except SmartExpoError as exc:
            self._rule_errors(exc.detail.get("fields", {}), parties, ordered)
            return data
        ref = deal["ref"].strip()
        taken = Deal.objects.filter(expo=expo, ref=ref).exclude(pk=self.instance.pk)
        if ref and taken.exists():
            self.add_error("ref", _("Another deal of this edition has this reference."))
            return data
        self.deal_data = deal
        return data

    def _rule_errors(self, fields: dict[str, str], parties, ordered: list[PartyForm]) -> None:
        for name, message in fields.items():
            if name.startswith("parties[") and parties is not None:
                index = name[len("parties[") : name.index("]")]
                rest = name[name.index("]") + 1 :].lstrip(".")
                if index.isdigit() and int(index) < len(ordered):
                    form = ordered[int(index)]
                    field = PARTY_FIELD.get(rest, rest)
                    if field not in form.fields:
                        form.add_error(None, message)
                    elif field not in form.errors:
                        form.add_error(field, message)
                    continue
            if name == "parties":
                if parties is not None:
                    parties._non_form_errors = parties.error_class(
                        [*parties.non_form_errors(), message], error_class="nonform"
                    )
                    continue
                name = None
            field = FORM_FIELD.get(name, name)
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
            else:
                self.add_error(None, f"{name}: {message}" if name else message)


class StatusForm(forms.Form):
    """A move of a deal's follow-up, with its dated evidence (and optionally a PDF)."""

    status = forms.ChoiceField(label=_("status"), choices=DealStatus.choices)
    on = forms.DateField(label=_("on"), help_text=_("YYYY-MM-DD"))
    evidence = forms.CharField(
        label=_("evidence"),
        max_length=rules.EVIDENCE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows it: a registration number, a permit, a news report."),
    )
    document = forms.ModelChoiceField(
        label=_("document"), queryset=Document.objects.none(), required=False
    )
    upload = forms.FileField(
        label=_("or a new PDF"),
        required=False,
        help_text=_("Kept with the deal as its documents are."),
    )

    def __init__(self, *args, deal: Deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(deal=deal).defer("data")


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("At most %(n)d MB.") % {"n": DOCUMENT_MAX_BYTES // (1024 * 1024)},
    )


class ImportForm(forms.Form):
    expo = forms.ModelChoiceField(label=_("Edition"), queryset=None)
    file = forms.FileField(label=_("CSV (UTF-8) or XLSX file"))
    atomic = forms.BooleanField(
        label=_("All or nothing"), required=False, help_text=_("Keep nothing if a row is refused.")
    )
    dry_run = forms.BooleanField(
        label=_("Check only"), required=False, help_text=_("Check every row, keep nothing.")
    )

    def __init__(self, *args, **kwargs):
        from smartexpo.venue.models import Expo

        super().__init__(*args, **kwargs)
        self.fields["expo"].queryset = Expo.objects.order_by("-starts_on")
