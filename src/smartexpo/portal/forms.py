"""The portal's forms: they turn what people typed into a service's arguments, with
translated messages at the field."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.images import ACCEPT, MAX_UPLOAD_BYTES
from smartexpo.exhibitors.models import MemberRole
from smartexpo.exhibitors.selectors import tag_list
from smartexpo.exhibitors.services import DESCRIPTION_LIMIT


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


def add_service_errors(form: forms.Form, exc: SmartExpoError) -> None:
    """Show a service's refusal on the form: at its fields when it names them (and the form
    has them), else above the form."""
    fields = exc.detail.get("fields", {}) if isinstance(exc.detail, dict) else {}
    for field, message in fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not fields:
        form.add_error(None, exc.message)


class ImageField(forms.FileField):
    """An uploaded picture; `exhibitors.images` checks what it really is."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("JPEG, PNG or WebP, up to 8 MB. We resize it and remove its metadata.")
        )
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The image is larger than 8 MB."))
        return upload


def upload_bytes(upload) -> bytes:
    return b"".join(upload.chunks())


def description_field(label, *, rows: int) -> forms.CharField:
    """An optional description in one language, as long as the services allow."""
    return forms.CharField(
        label=label,
        max_length=DESCRIPTION_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ProfileForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    description_en = description_field(_("Description (English)"), rows=5)
    description_zh = description_field(_("Description (Chinese)"), rows=5)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    tags = forms.MultipleChoiceField(
        label=_("Technology tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    logo = ImageField(label=_("Logo"))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args, exhibitor, **kwargs):
        initial = {
            "name_en": exhibitor.name_en,
            "name_zh": exhibitor.name_zh,
            "description_en": exhibitor.description_en,
            "description_zh": exhibitor.description_zh,
            "website": exhibitor.website,
            "tags": [t.code for t in exhibitor.tags.all()],
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["tags"].choices = [(t.code, t.name) for t in tag_list()]
        if not exhibitor.logo_id:
            del self.fields["remove_logo"]


class ShowcaseItemForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    description_en = description_field(_("Description (English)"), rows=3)
    description_zh = description_field(_("Description (Chinese)"), rows=3)
    image = ImageField(label=_("Picture"))
    remove_image = forms.BooleanField(label=_("Remove the picture"), required=False)

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs["initial"] = {
                "title_en": item.title_en,
                "title_zh": item.title_zh,
                "description_en": item.description_en,
                "description_zh": item.description_zh,
            }
        super().__init__(*args, **kwargs)
        if item is None or not item.image_id:
            del self.fields["remove_image"]
