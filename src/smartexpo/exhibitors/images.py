"""Exhibitors' pictures: an upload checked to be a real JPEG, PNG or WebP image, turned upright,
stripped of its metadata (camera, place, time), resized to fit a square and stored in the
database (`ExhibitorImage`).

The checks come before any pixel is decoded: the size of the upload, the format Pillow reads in
the header, and the dimensions it announces (a small file can announce a gigapixel image, a
"decompression bomb"); then `verify()` reads the whole file for corruption.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from smartexpo.core.errors import invalid
from smartexpo.exhibitors.models import Exhibitor, ExhibitorImage, ShowcaseItem

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# 40 megapixels: more than any phone camera takes, far less than a decoded bomb would claim
# (8 bytes a pixel while resizing: 320 MB at most).
MAX_PIXELS = 40_000_000
LOGO_SIDE = 400
SHOWCASE_SIDE = 1200
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPT = ",".join(FORMATS.values())


def _refuse(field: str, message: str):
    return invalid({field: message})


def image_process(
    data: bytes, *, max_side: int, field: str = "image"
) -> tuple[bytes, str, int, int]:
    """The stored form of an uploaded picture: (bytes, content type, width, height).

    Refuses (`invalid` at `field`, translated) a file over 8 MB, one that is not a JPEG, PNG or
    WebP image, a damaged one, and one of more than 40 megapixels."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(field, _("The image is larger than 8 MB."))
    if not data:
        raise _refuse(field, _("The file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise _refuse(field, _("Upload a JPEG, PNG or WebP image."))
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse(
                        field, _("The image has too many pixels (at most 40 megapixels).")
                    )
                probe.verify()
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, _("The image has too many pixels (at most 40 megapixels).")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(field, _("This file is not an image we can read.")) from None

    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGB" if fmt == "JPEG" or not transparent else "RGBA")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image carries no EXIF, XMP, ICC or text chunks of the original.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return out.getvalue(), FORMATS[fmt], clean.width, clean.height


@transaction.atomic
def image_store(*, exhibitor: Exhibitor, data: bytes, max_side: int, field: str = "image"):
    """Process an upload (`image_process`) and store it as one of the exhibitor's pictures;
    the same picture uploaded twice is stored once."""
    body, content_type, width, height = image_process(data, max_side=max_side, field=field)
    digest = hashlib.sha256(body).hexdigest()
    existing = ExhibitorImage.objects.filter(exhibitor=exhibitor, sha256=digest).first()
    if existing is not None:
        return existing
    return ExhibitorImage.objects.create(
        exhibitor=exhibitor,
        sha256=digest,
        content_type=content_type,
        width=width,
        height=height,
        data=body,
    )


def images_prune(*, exhibitor: Exhibitor) -> int:
    """Delete the exhibitor's pictures that neither its logo nor a showcase item shows any
    more; returns how many were deleted."""
    used = set(
        ShowcaseItem.objects.filter(exhibitor=exhibitor, image__isnull=False).values_list(
            "image_id", flat=True
        )
    )
    logo_id = Exhibitor.objects.filter(pk=exhibitor.pk).values_list("logo_id", flat=True).first()
    if logo_id:
        used.add(logo_id)
    deleted, _ignored = (
        ExhibitorImage.objects.filter(exhibitor=exhibitor).filter(~Q(pk__in=used)).delete()
    )
    return deleted


def image_get(*, sha256: str) -> ExhibitorImage | None:
    """A stored picture by the hash of its bytes, or None."""
    return ExhibitorImage.objects.filter(sha256=sha256).first()
