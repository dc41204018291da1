"""What the public deals pages show, put together from the selectors and the breakdowns: the
tally, year over year, the list of deals with its filters, a deal, the follow-up and the signing
ceremony screen. The views only read the request and render.

Labels (sectors, kinds, statuses, countries) are given in the active language here, so that
the templates only print. Amounts stay exact decimal strings; `grouped` only inserts the
thousands separators into the digits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartexpo.deals import breakdowns, selectors
from smartexpo.deals.models import Deal, DealKind, DealParty, DealStatus
from smartexpo.deals.records import public_fields
from smartexpo.exhibitors.models import Sector
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

PER_PAGE = 25
MAX_QUERY = 100
FILTERS = ("sector", "kind", "status", "at_expo", "country", "region", "q")


def zh() -> bool:
    return (translation.get_language() or "en").startswith("zh")


def grouped(amount: str | None) -> str | None:
    """ "816900000000.00" → "816,900,000,000.00": the exact digits, only grouped."""
    if amount is None:
        return None
    whole, _dot, cents = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return sign + ",".join(parts) + ("." + cents if cents else "")


def today(expo: Expo) -> dt.date:
    """The edition's date now (its demo clock, if it has one)."""
    return edition_now(expo).astimezone(expo.tz).date()


def sector_names() -> dict[str, dict[str, str]]:
    return {
        code: {"en": en, "zh": zh_name or en}
        for code, en, zh_name in Sector.objects.values_list("code", "name_en", "name_zh")
    }


def _name(names: dict[str, str], code: str) -> str:
    return names.get(code, code)


def country_name(code: str) -> str:
    # The ISO 3166-1 code as entered: the project carries no table of country names.
    return code


def _label(groups: list[dict[str, Any]], name) -> list[dict[str, Any]]:
    return [{**g, "name": name(g["code"]), "amount_text": grouped(g["amount"])} for g in groups]


def tally_page(*, expo: Expo, day: int | None, day_given: bool) -> dict[str, Any]:
    """The tally page: totals, the breakdowns, year over year at `day` (the default day unless
    `day_given`), the log's head."""
    tally = breakdowns.breakdown(expo=expo)
    lang = "zh" if zh() else "en"
    sectors = {code: names[lang] for code, names in sector_names().items()}
    kinds = dict(DealKind.choices)
    days = breakdowns.edition_days(expo)
    if not day_given:
        day = breakdowns.default_day(expo, today(expo))
    yoy = breakdowns.year_over_year(expo=expo, day=day)
    return {
        "tally": tally,
        "amount_text": grouped(tally["amount"]),
        "at_expo": {**tally["at_expo"], "amount_text": grouped(tally["at_expo"]["amount"])},
        "elsewhere": {**tally["elsewhere"], "amount_text": grouped(tally["elsewhere"]["amount"])},
        "by_sector": _label(tally["by_sector"], lambda c: _name(sectors, c)),
        "by_kind": _label(tally["by_kind"], lambda c: str(kinds.get(c, c))),
        "by_country": _label(tally["by_country"], country_name),
        "by_province": _label(tally["by_province"], lambda c: c),
        "yoy": _yoy_out(yoy),
        "day_choices": _day_choices(days),
        "withheld": any(
            g["amount"] is None
            for key in ("by_sector", "by_kind", "by_country", "by_province")
            for g in tally[key]
        )
        or None in (tally["at_expo"]["amount"], tally["elsewhere"]["amount"]),
        # The API's addresses as docs/api.md gives them.
        "log_url": f"/api/v1/expos/{expo.slug}/deals/log",
        "tally_url": f"/api/v1/expos/{expo.slug}/deals/tally",
        "keys_url": f"/api/v1/expos/{expo.slug}/deals/keys",
    }


def _day_choices(days: int) -> list[dict[str, Any]]:
    choices = [{"value": "0", "label": _("Before the opening")}]
    choices += [
        {"value": str(n), "label": _("Day %(day)s") % {"day": n}} for n in range(1, days + 1)
    ]
    choices.append({"value": "all", "label": _("The whole edition")})
    return choices


def _yoy_out(yoy: dict[str, Any]) -> dict[str, Any]:
    def side(s):
        if s is None:
            return None
        return {**s, "amount_text": grouped(s["amount"])}

    change = yoy["change"]
    if change is not None:
        change = {
            **change,
            "projects_text": _signed(str(change["projects"])),
            "amount_text": _signed(grouped(change["amount"])),
            "projects_pct": _signed(change["projects_pct"], "%"),
            "amount_pct": _signed(change["amount_pct"], "%"),
        }
    return {
        "day": "all" if yoy["day"] is None else str(yoy["day"]),
        "this": side(yoy["this"]),
        "previous": side(yoy["previous"]),
        "change": change,
    }


def _signed(text: str | None, unit: str = "") -> str | None:
    """A change with its sign: "+12", "-3.5%", "0"."""
    if text is None:
        return None
    if text.startswith("-") or not text.strip("0.,"):
        return text + unit
    return "+" + text + unit


def read_day(value: str | None, expo: Expo) -> tuple[int | None, bool]:
    """The `day` of the query: "all" → None (whole editions), 0 … the edition's days; anything
    else (or nothing) → the default day."""
    if value == "all":
        return None, True
    if value and value.isdigit() and len(value) < 4:
        n = int(value)
        if n <= breakdowns.edition_days(expo):
            return n, True
    return None, False


# --- the list ------------------------------------------------------------------------------


def read_filters(query) -> dict[str, Any]:
    """The list's filters from a query string, anything malformed left out."""
    out: dict[str, Any] = {}
    for key in ("sector", "kind", "status", "country", "region", "q"):
        value = (query.get(key) or "").strip()[:MAX_QUERY]
        if value:
            out[key] = value
    if out.get("kind") not in (None, *DealKind.values):
        out.pop("kind")
    if out.get("status") not in (None, *DealStatus.values):
        out.pop("status")
    here = query.get("at_expo")
    if here in ("yes", "no"):
        out["at_expo"] = here == "yes"
    return out


def _parties(deals: list[Deal]) -> dict[int, list[DealParty]]:
    parties: dict[int, list[DealParty]] = {d.pk: [] for d in deals}
    for party in (
        DealParty.objects.filter(deal__in=list(parties)).select_related("exhibitor").order_by()
    ):
        parties[party.deal_id].append(party)
    for listed in parties.values():
        listed.sort(key=lambda p: p.position)
    return parties


def _deal_out(deal: Deal, parties: list[DealParty], sectors, expo: Expo) -> dict[str, Any]:
    fields = public_fields(deal, parties)
    lang = "zh" if zh() else "en"
    return {
        **fields,
        "id": deal.pk,
        "title_text": (fields["title"]["zh"] or fields["title"]["en"])
        if lang == "zh"
        else fields["title"]["en"],
        "summary_text": (fields["summary"]["zh"] or fields["summary"]["en"])
        if lang == "zh"
        else fields["summary"]["en"],
        "sector_name": sectors.get(deal.sector.code, {}).get(lang, deal.sector.code),
        "kind_name": str(dict(DealKind.choices).get(deal.kind, deal.kind)),
        "status_name": str(dict(DealStatus.choices).get(deal.status, deal.status)),
        "amount_text": grouped(fields.get("amount")),
        "amount_cny_text": grouped(fields.get("amount_cny")),
        "parties_out": [
            {**p, "name_text": p["name"][lang], "country_name": country_name(p["country"])}
            for p in fields["parties"]
        ],
        "url": reverse("deals:deal", kwargs={"expo": expo.slug, "pk": deal.pk}),
    }


def list_page(*, expo: Expo, filters: dict[str, Any], page: str | None) -> dict[str, Any]:
    """One page of the public deals (`selectors.deals_public`) with the filters' choices."""
    qs = selectors.deals_public(expo=expo, **filters)
    if "country" in filters or "region" in filters:
        qs = qs.distinct()
    paginator = Paginator(qs, PER_PAGE)
    current = paginator.get_page(page)
    deals = list(current.object_list)
    parties = _parties(deals)
    names = sector_names()
    lang = "zh" if zh() else "en"
    tally = breakdowns.breakdown(expo=expo)
    return {
        "deals": [_deal_out(d, parties[d.pk], names, expo) for d in deals],
        "page": current,
        "count": paginator.count,
        "filters": filters,
        "sectors": sorted(((c, n[lang]) for c, n in names.items()), key=lambda kv: kv[1]),
        "kinds": DealKind.choices,
        "statuses": DealStatus.choices,
        "countries": [(c, country_name(c)) for c in tally["countries"]],
        "provinces": tally["provinces"],
        "confidential": tally["confidential"],
    }


def deal_page(*, expo: Expo, pk: int) -> dict[str, Any]:
    """A listed deal's public fields (a deal the list leaves out is not found here either)."""
    deal = selectors.deals_public(expo=expo).filter(pk=pk).first()
    if deal is None:
        raise Http404
    return {"deal": _deal_out(deal, _parties([deal])[deal.pk], sector_names(), expo)}


# --- follow-up and the ceremony ------------------------------------------------------------


def age_labels() -> dict[str, str]:
    return {
        "lt6m": _("Less than 6 months"),
        "6to12m": _("6 to 12 months"),
        "1to2y": _("1 to 2 years"),
        "gt2y": _("More than 2 years"),
    }


def follow_up_page(*, expo: Expo) -> dict[str, Any]:
    data = breakdowns.follow_up(expo=expo, today=today(expo))
    statuses = dict(DealStatus.choices)
    labels = age_labels()
    columns = [{"code": s, "name": statuses[s]} for s in breakdowns.FOLLOW_UP_STATUSES]
    return {
        "follow_up": data,
        "columns": columns,
        "rows": [
            {
                "age": labels[row["age"]],
                "cells": [row["counts"][c["code"]] for c in columns],
            }
            for row in data["rows"]
        ],
        "totals": [data["totals"][c["code"]] for c in columns],
    }


def both(text: str) -> dict[str, str]:
    """A msgid in English and Chinese at once (the ceremony screen shows both)."""
    with translation.override("en"):
        en = _(text)
    with translation.override("zh-hans"):
        zh_text = _(text)
    return {"en": en, "zh": zh_text}


def ceremony_page(*, expo: Expo) -> dict[str, Any]:
    """The big screen: the figures now (the script then polls the signed tally)."""
    tally = breakdowns.breakdown(expo=expo)
    names = sector_names()
    return {
        "tally": tally,
        "amount_text": grouped(tally["amount"]),
        "sectors": [
            {**g, "names": names.get(g["code"], {"en": g["code"], "zh": g["code"]})}
            for g in tally["by_sector"]
        ],
        "config": {
            "url": f"/api/v1/expos/{expo.slug}/deals/tally",
            "pollMs": 2000,
            "timeoutMs": 8000,
            "countMs": 1500,
            "sectors": names,
            "strings": {
                "live": both(gettext_noop("Live")),
                "lost": both(gettext_noop("Connection lost, retrying")),
            },
        },
    }
