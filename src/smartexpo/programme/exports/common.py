"""What the feeds and exports share: the language asked for, stable identifiers, absolute
addresses, and the memo that keeps a document until the next release."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import threading
import uuid
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.urls import reverse

from smartexpo.programme.selectors import Published
from smartexpo.venue.models import Expo

EN, ZH = "en", "zh-hans"
# iCalendar's default: both languages in one text, for a calendar shared by both audiences.
BOTH = "both"

# The namespace of the UUIDs the frab documents give sessions, speakers and rooms. Fixed (never
# derived from the server's address), so a conference app keeps its data across a move.
NAMESPACE = uuid.UUID("bcb8ff9b-072b-484d-a4f9-6e2bec806fa2")


def language_asked(value: str | None, default: str) -> str:
    """The language a `?lang=` asks for; anything unknown gets the default rather than an
    error, because calendar apps keep the address they were given for years."""
    asked = (value or "").strip().lower().replace("_", "-")
    if asked in {"en", "en-gb", "en-us"}:
        return EN
    if asked in {"zh", "zh-hans", "zh-cn", "zh-sg"}:
        return ZH
    return default


def pick(names: dict[str, str], lang: str) -> str:
    """One language of a record's {"en", "zh"} (the Chinese already falls back to the
    English in a record)."""
    return names["zh"] if lang == ZH else names["en"]


def both(names: dict[str, str]) -> str:
    en, zh = names["en"], names["zh"]
    return en if not zh or zh == en else f"{en} / {zh}"


def text(names: dict[str, str], lang: str) -> str:
    return both(names) if lang == BOTH else pick(names, lang)


def session_uid(expo_slug: str, pk: int) -> str:
    return f"session-{pk}@{expo_slug}.smartexpo"


@functools.lru_cache(maxsize=65_536)
def guid(expo_slug: str, kind: str, key: Any) -> str:
    """A stable UUID (version 5) of a session, speaker or room of an edition. Remembered: a
    schedule asks for a thousand of them, the same ones at every release."""
    return str(uuid.uuid5(NAMESPACE, f"{expo_slug}/{kind}/{key}"))


def base_url() -> str:
    return settings.SMARTEXPO_BASE_URL.rstrip("/")


def _page(lang: str, path: str) -> str:
    # The pages' agreed addresses (app `programme`): English without a prefix, Chinese under
    # /zh-hans/, as every page of the site.
    return base_url() + ("/zh-hans" if lang == ZH else "") + path


def session_url(expo_slug: str, pk: int, lang: str) -> str:
    return _page(lang, f"/expos/{expo_slug}/programme/sessions/{pk}/")


def programme_url(expo_slug: str, lang: str) -> str:
    return _page(lang, f"/expos/{expo_slug}/programme/")


def feed_url(name: str, **kwargs: Any) -> str:
    return base_url() + reverse(f"programme-feeds:{name}", kwargs=kwargs)


def release_key(published: Published) -> tuple:
    """What identifies a release for the memo: its id and publication instant (a test
    database reuses ids; a release is never changed once published)."""
    return (published.release_id, published.published_at)


def expo_key(expo: Expo) -> tuple:
    """What of the edition a document shows besides its release (a renamed edition is a new
    document even before the next release), and where the server is reached."""
    return (
        expo.pk,
        expo.slug,
        expo.name_en,
        expo.name_zh,
        expo.venue_en,
        expo.venue_zh,
        expo.starts_on,
        expo.ends_on,
        expo.timezone,
        expo.opens_at,
        expo.closes_at,
        base_url(),
    )


@dataclasses.dataclass(frozen=True)
class Document:
    """A feed or export as served: its bytes, their entity tag, and when what it shows last
    changed (None: not said, the tag alone answers conditional requests)."""

    body: bytes
    etag: str
    last_modified: dt.datetime | None


def document(body: bytes, last_modified: dt.datetime | None) -> Document:
    return Document(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified)


V = TypeVar("V")


class ReleaseMemo:
    """Values built from one release of an edition, each kept until the edition's latest
    release is another (at most one value per key: an edition's old releases are not kept)."""

    _all: list[ReleaseMemo] = []

    def __init__(self) -> None:
        self._items: dict[Hashable, tuple[tuple, Any]] = {}
        self._lock = threading.Lock()
        ReleaseMemo._all.append(self)

    def get(self, key: Hashable, release: tuple, build: Callable[[], V]) -> V:
        hit = self._items.get(key)
        if hit is not None and hit[0] == release:
            return hit[1]
        value = build()
        with self._lock:
            self._items[key] = (release, value)
        return value

    @classmethod
    def forget_all(cls) -> None:
        """Forget every value (tests, whose databases start over)."""
        for memo in cls._all:
            with memo._lock:
                memo._items.clear()
