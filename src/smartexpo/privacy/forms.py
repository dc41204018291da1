"""The erasure's confirmation: an explicit checkbox, so that nobody erases by a stray click."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: my name, email and ID number are erased, my tickets become void, "
            "and this page stops working. This cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm.")},
    )
