"""The portal's forms: they turn what people typed into a service's arguments, with
translated messages at the field."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from smartexpo.exhibitors.models import MemberRole


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


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        initial=MemberRole.STAFF,
        help_text=_("Administrators also manage the team; staff edit the profile and showcase."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class AcceptForm(forms.Form):
    """A new account for an invitation's address: a name and a password, typed twice."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password, not like your name or email."),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") != data["password"]:
            self.add_error("password2", _("The two passwords differ."))
        return data
