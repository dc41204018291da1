"""The portal's forms: they turn what people typed into a service's arguments, with
translated messages at the field."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Sign in with the email address an invitation was accepted with (or an organiser's user
    name)."""

    username = forms.CharField(
        label=_("Email address or user name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean(self):
        typed = (self.cleaned_data.get("username") or "").strip()
        if "@" in typed:
            User = get_user_model()
            if not User.objects.filter(username=typed.lower()).exists():
                matches = list(User.objects.filter(email__iexact=typed)[:2])
                if len(matches) == 1:
                    typed = matches[0].username
            else:
                typed = typed.lower()
        self.cleaned_data["username"] = typed
        return super().clean()
