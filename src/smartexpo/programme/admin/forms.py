"""The programme admin's forms: a speaker with a photo upload, a session in its edition's time
zone, and the confirmation of a release."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.core.admin import EditionBoundForm
from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.images import ACCEPT
from smartexpo.programme.models import Session, Speaker
from smartexpo.programme.services.photos import photo_process


class SpeakerForm(EditionBoundForm):
    """A speaker, with a photo uploaded here: checked, stripped and resized on the way in
    (`services.photos`), so a form error rather than a stored file answers a bad upload."""

    photo_upload = forms.FileField(
        label=_("New photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_(
            "A JPEG, PNG or WebP image of at most 8 MB; it is turned upright, stripped of its "
            "metadata and resized to 400 pixels."
        ),
    )
    photo_remove = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Speaker
        fields = (
            "expo",
            "name_en",
            "name_zh",
            "affiliation_en",
            "affiliation_zh",
            "bio_en",
            "bio_zh",
        )

    def clean_photo_upload(self):
        upload = self.cleaned_data.get("photo_upload")
        if not upload:
            return None
        try:
            return photo_process(upload.read())
        except SmartExpoError as exc:
            raise ValidationError(
                exc.detail.get("fields", {}).get("photo") or exc.message
            ) from None


class SessionForm(EditionBoundForm):
    """A session of the working copy; its times are read and shown in the edition's time zone
    (the admin activates it around the form)."""

    class Meta:
        model = Session
        fields = (
            "expo",
            "forum",
            "title_en",
            "title_zh",
            "format",
            "starts_at",
            "ends_at",
            "room",
            "abstract_en",
            "abstract_zh",
            "tags",
            "sectors",
            "reservation_required",
            "seat_quota",
            "cancelled",
        )


class PublishForm(forms.Form):
    """Publishing a release: a comment, and with warnings open an explicit confirmation of
    them (refused again by `programme_publish` if missing)."""

    comment = forms.CharField(
        label=_("Comment"),
        max_length=300,
        required=False,
        help_text=_("Kept with the release, for the organisers (e.g. “Room changes of Monday”)."),
    )
    confirm = forms.BooleanField(required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, warnings: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if warnings:
            self.fields["confirm"].label = ngettext(
                "Publish despite %(n)s warning",
                "Publish despite %(n)s warnings",
                warnings,
            ) % {"n": warnings}
        else:
            del self.fields["confirm"]
