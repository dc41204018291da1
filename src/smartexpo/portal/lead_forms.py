"""The portal's forms for leads: the list's filters, a lead's note, rating and tags, and a new
booth device. The rules are the leads services' (`leads.services.capture.clean_fields`): a
form only shapes what a person typed into what the service checks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.leads.models import MAX_RATING
from smartexpo.leads.services.capture import MAX_NOTE, MAX_TAG, MAX_TAGS, LeadFields, clean_fields

RATINGS = [(str(n), str(n)) for n in range(MAX_RATING + 1)]


def field_error(name: str) -> str:
    """What the service answers in English for a field, said in the page's language."""
    if name == "note":
        return gettext("At most %(n)s characters.") % {"n": MAX_NOTE}
    if name == "rating":
        return gettext("A whole number from 0 to 5.")
    return gettext("At most %(n)s tags of at most %(size)s characters each, without “|”.") % {
        "n": MAX_TAGS,
        "size": MAX_TAG,
    }


def split_tags(text: str) -> list[str]:
    """Tags typed in one field, separated by commas (Chinese ones too) or semicolons."""
    for mark in "，;；":
        text = text.replace(mark, ",")
    return [t.strip().lstrip("#").strip() for t in text.split(",") if t.strip().lstrip("#").strip()]


class LeadFilterForm(forms.Form):
    """The leads list's filters, read from the query string (a wrong value is ignored)."""

    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", _("Any rating")), *RATINGS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    tag = forms.CharField(label=_("Tag"), max_length=MAX_TAG, required=False)
    q = forms.CharField(
        label=_("Search"),
        max_length=120,
        required=False,
        help_text=_("Words in the serial, the note, the tags or the visitor’s shared details."),
    )

    def filters(self) -> dict:
        """The selectors' keyword arguments; an invalid filter counts as none."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "tag": data["tag"].strip() or None,
            "q": data["q"].strip() or None,
        }


class LeadForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.TypedChoiceField(
        label=_("Rating (0–5)"),
        choices=[("", _("Not rated")), *RATINGS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A rating once given can be changed, not removed."),
    )
    tags = forms.CharField(
        label=_("Tags (separated by commas)"), required=False, max_length=MAX_TAGS * (MAX_TAG + 2)
    )

    @classmethod
    def for_lead(cls, lead, data=None) -> LeadForm:
        """The form of one lead; its fields' ids name the lead, as the list shows many."""
        initial = {"note": lead.note, "rating": lead.rating, "tags": ", ".join(lead.tags)}
        return cls(data, initial=initial, auto_id=f"lead-{lead.pk}-%s")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.fields_checked = clean_fields(
                note=data.get("note", ""),
                rating=data.get("rating"),
                tags=split_tags(data.get("tags", "")),
            )
        except SmartExpoError as exc:
            for name in (exc.detail or {}).get("fields", {}):
                self.add_error(name if name in self.fields else None, field_error(name))
        return data

    def lead_fields(self) -> LeadFields:
        return self.fields_checked


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Who uses it or where, for example “Li Na’s phone” or “Booth tablet 2”."),
        error_messages={"required": _("Give the device a name.")},
    )
