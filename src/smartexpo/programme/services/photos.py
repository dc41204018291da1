"""Speakers' photos: an upload checked, turned upright, stripped of its metadata and resized by
the exhibitors' picture pipeline (`exhibitors.images.image_process`), then kept on the speaker
itself (`Speaker.photo`, its content type and the SHA-256 of its bytes, which names it in a
cacheable address)."""

from __future__ import annotations

import dataclasses
import hashlib

from smartexpo.exhibitors.images import image_process
from smartexpo.programme.models import Speaker

# A speaker's photo is shown at most as a card's portrait: 400 pixels a side is plenty.
PHOTO_SIDE = 400


@dataclasses.dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    digest: str


def photo_process(data: bytes, *, field: str = "photo") -> Photo:
    """The stored form of an uploaded photo, before any speaker is touched (a form checks an
    upload with it). Refuses (`invalid` at `field`, translated) what `image_process` refuses:
    over 8 MB, not a JPEG, PNG or WebP image, damaged, or more than 40 megapixels."""
    body, content_type, _width, _height = image_process(data, max_side=PHOTO_SIDE, field=field)
    return Photo(body, content_type, hashlib.sha256(body).hexdigest())


def speaker_photo_set(*, speaker: Speaker, photo: Photo | bytes | None) -> Speaker:
    """Give the speaker a photo (raw upload bytes, or a `Photo` already processed), or take it
    away (None); saves only the photo's fields."""
    if isinstance(photo, bytes):
        photo = photo_process(photo)
    speaker.photo = photo.data if photo else None
    speaker.photo_type = photo.content_type if photo else ""
    speaker.photo_digest = photo.digest if photo else ""
    speaker.save(update_fields=["photo", "photo_type", "photo_digest"])
    return speaker
