"""Exhibitors' pictures: checked to be images, turned upright, stripped, resized, stored once
and served with a long cache."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.test import Client
from PIL import Image

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import images
from smartexpo.exhibitors.models import ExhibitorImage
from tests.portal.images import opened, picture


def test_a_large_photo_is_resized_to_fit_and_keeps_its_format():
    body, content_type, width, height = images.image_process(picture(), max_side=1200)
    assert content_type == "image/jpeg"
    assert (width, height) == (1200, 675)
    assert opened(body).size == (1200, 675)


def test_a_small_picture_is_not_enlarged():
    _body, _type, width, height = images.image_process(picture(size=(300, 200)), max_side=1200)
    assert (width, height) == (300, 200)


def test_exif_orientation_is_applied_and_metadata_removed():
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"  # the camera's maker
    body, _type, width, height = images.image_process(
        picture(size=(400, 200), exif=exif.tobytes()), max_side=1200
    )
    assert (width, height) == (200, 400)
    stored = opened(body)
    assert not stored.getexif()
    assert "exif" not in stored.info


def test_a_transparent_png_stays_a_transparent_png():
    data = picture("PNG", size=(800, 800), color=(0, 0, 0, 0), mode="RGBA")
    body, content_type, width, _height = images.image_process(data, max_side=images.LOGO_SIDE)
    assert content_type == "image/png" and width == 400
    assert opened(body).mode == "RGBA"


def test_webp_is_accepted():
    body, content_type, *_ = images.image_process(picture("WEBP"), max_side=1200)
    assert content_type == "image/webp" and opened(body).format == "WEBP"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not an image at all", "not an image"),
        (picture()[:400], "not an image"),  # a JPEG cut short
        (picture("GIF", size=(50, 50)), "JPEG, PNG or WebP"),
        (b"", "empty"),
    ],
    ids=["text", "truncated", "gif", "empty"],
)
def test_what_is_not_a_usable_image_is_refused_at_its_field(data, message):
    with pytest.raises(SmartExpoError) as refused:
        images.image_process(data, max_side=1200, field="logo")
    assert refused.value.code == "invalid"
    assert message in refused.value.detail["fields"]["logo"]


def test_an_upload_over_8_mb_is_refused_before_decoding():
    with pytest.raises(SmartExpoError) as refused:
        images.image_process(b"\xff" * (images.MAX_UPLOAD_BYTES + 1), max_side=1200)
    assert "8 MB" in refused.value.detail["fields"]["image"]


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces a huge image (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(10_000, 5_000), (100_000, 100_000)])
def test_huge_dimensions_are_refused_whatever_the_file_size(size):
    data = png_claiming(*size)
    assert len(data) < 200
    with pytest.raises(SmartExpoError) as refused:
        images.image_process(data, max_side=1200)
    assert "too many pixels" in refused.value.detail["fields"]["image"]


def test_the_same_picture_is_stored_once_and_served_with_a_long_cache(expo):
    huawei = expo.test_exhibitors["huawei"]
    first = images.image_store(exhibitor=huawei, data=picture(), max_side=1200)
    again = images.image_store(exhibitor=huawei, data=picture(), max_side=1200)
    assert first.pk == again.pk and ExhibitorImage.objects.count() == 1
    url = first.get_absolute_url()
    assert url == f"/images/{first.sha256}.jpg"
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert (
        "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    )
    assert opened(response.content).size == (1200, 675)
    assert Client().get(url, headers={"If-None-Match": f'"{first.sha256}"'}).status_code == 304
    assert Client().get(url.replace(".jpg", ".png")).status_code == 404
    assert Client().get("/images/" + "0" * 64 + ".jpg").status_code == 404


def test_pictures_no_longer_shown_are_pruned(expo):
    huawei = expo.test_exhibitors["huawei"]
    images.image_store(exhibitor=huawei, data=picture(), max_side=1200)
    assert images.images_prune(exhibitor=huawei) == 1
    assert not ExhibitorImage.objects.exists()


def test_decoded_bytes_are_a_fresh_image_of_the_same_pixels():
    body, *_ = images.image_process(picture(size=(100, 100), color=(10, 200, 10)), max_side=1200)
    r, g, b = opened(body).convert("RGB").getpixel((50, 50))
    assert abs(r - 10) < 8 and abs(g - 200) < 8 and abs(b - 10) < 8
