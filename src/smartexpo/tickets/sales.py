"""Sales windows: when a ticket type may be registered for, and why not (one rule, one place).

As pretix has a presale start and end on the event and an availability window per product, an
edition (`Expo`) and a ticket type each have an optional `sales_open_at` / `sales_close_at`.

- An edition without `sales_close_at` closes at the end of its last day: `ends_on` at its daily
  `closes_at`, in its own time zone. A past edition is thus closed with nobody setting anything,
  while registration on the expo's own days stays possible until the doors close.
- An edition without `sales_open_at` is open from the start.
- A ticket type's window is the intersection of its own and its edition's: the later opening,
  the earlier closing. A type with neither value set follows its edition.

Who the window binds (docs/registration-access.md):
- the public registration (API and page), the waiting list's join and its offers' acceptance;
- not the staff passes exhibitors issue (they name the company's staff, who work the stands
  whatever the public sale does; pretix does not block its back office by the presale window);
- not the organiser's group CSV import (an organiser registering a delegation after the public
  sale closed is a normal back-office act).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.venue.models import Expo

NOT_YET_OPEN = "not_yet_open"
CLOSED = "closed"

# The API's codes for the two refusals (409, docs/api.md).
ERROR_CODES = {NOT_YET_OPEN: "sales_not_open", CLOSED: "sales_closed"}


@dataclass(frozen=True)
class Window:
    """A sales window: either end may be None (no limit that side)."""

    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    def state(self, at: dt.datetime) -> SaleState:
        """Whether the window is open at `at`, and if not, why and when."""
        if self.opens_at is not None and at < self.opens_at:
            return SaleState(NOT_YET_OPEN, self)
        if self.closes_at is not None and at >= self.closes_at:
            return SaleState(CLOSED, self)
        return SaleState(None, self)


@dataclass(frozen=True)
class SaleState:
    """`reason` is None while on sale, else `not_yet_open` (`window.opens_at` says when it
    opens) or `closed` (`window.closes_at` says when it closed)."""

    reason: str | None
    window: Window

    @property
    def on_sale(self) -> bool:
        return self.reason is None

    @property
    def instant(self) -> dt.datetime | None:
        """When it opens (not yet open) or when it closed (closed)."""
        if self.reason == NOT_YET_OPEN:
            return self.window.opens_at
        if self.reason == CLOSED:
            return self.window.closes_at
        return None

    def error(self) -> SmartExpoError:
        """The API's refusal for a state that is not on sale."""
        if self.reason == NOT_YET_OPEN:
            return SmartExpoError(
                ERROR_CODES[NOT_YET_OPEN],
                "Registration is not open yet.",
                {"opens_at": self.instant.isoformat()},
            )
        return SmartExpoError(
            ERROR_CODES[CLOSED],
            "Registration is closed.",
            {"closed_at": self.instant.isoformat()},
        )


def edition_window(expo: Expo) -> Window:
    """An edition's sales window, with the default closing (the end of its last day)."""
    return Window(expo.sales_open_at, expo.sales_closes)


def type_window(
    expo: Expo, *, opens_at: dt.datetime | None, closes_at: dt.datetime | None
) -> Window:
    """A ticket type's effective window: its own (`opens_at`, `closes_at`, either None)
    intersected with its edition's."""
    edition = edition_window(expo)
    opens = [t for t in (edition.opens_at, opens_at) if t is not None]
    closes = [t for t in (edition.closes_at, closes_at) if t is not None]
    return Window(max(opens) if opens else None, min(closes) if closes else None)


def edition_sale_state(*, expo: Expo, at: dt.datetime | None = None) -> SaleState:
    """Whether an edition's registration is open at `at` (now unless given), and if not, why."""
    return edition_window(expo).state(at or timezone.now())


def ticket_type_sale_state(*, expo: Expo, ticket_type, at: dt.datetime | None = None) -> SaleState:
    """Whether a ticket type (a `TicketType` or the catalogue's `TypeInfo`, anything with
    `sales_open_at` and `sales_close_at`) of `expo` is on sale at `at` (now unless given)."""
    window = type_window(
        expo, opens_at=ticket_type.sales_open_at, closes_at=ticket_type.sales_close_at
    )
    return window.state(at or timezone.now())


def sale_enforce(*, expo: Expo, ticket_type, at: dt.datetime | None = None) -> None:
    """Refuse, as `sales_not_open` (`detail.opens_at`) or `sales_closed` (`detail.closed_at`),
    a ticket type that is not on sale at `at` (now unless given)."""
    state = ticket_type_sale_state(expo=expo, ticket_type=ticket_type, at=at)
    if not state.on_sale:
        raise state.error()
