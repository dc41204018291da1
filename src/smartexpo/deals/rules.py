"""What a valid deal is: one rule, used by the API, the imports and the admin.

Input is the API's shape (docs/api.md, "Deals"): `title` and `summary` as `{"en","zh"}`,
`sector` by code, `amount` and `rate` as decimal strings, dates as ISO strings or dates,
`parties` as a list. `deal_input_clean` answers the model's values, or raises one
`SmartExpoError("invalid")` naming every bad field at once (`detail.fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.models import (
    AMOUNT_LIMIT,
    AMOUNT_PLACES,
    RATE_LIMIT,
    RATE_PLACES,
    STATUS_LINE,
    SUMMARY_MAX,
    TITLE_MAX,
    DealKind,
    DealStatus,
    ExchangeRate,
    InvestmentForm,
)
from smartexpo.exhibitors.models import Exhibitor, Sector
from smartexpo.programme.models import Session, SessionFormat
from smartexpo.venue.models import Expo

PARTIES_MAX = 20
EVIDENCE_MAX = 500
REF_MAX = 64
CNY = "CNY"
CENT = Decimal(1).scaleb(-AMOUNT_PLACES)

# The fields a deal takes as input, with the ones a creation needs.
FIELDS = (
    "ref",
    "title",
    "summary",
    "sector",
    "kind",
    "investment_form",
    "amount",
    "currency",
    "rate",
    "rate_on",
    "amount_estimated",
    "amount_confidential",
    "signed_on",
    "at_expo",
    "ceremony",
    "parties",
)
REQUIRED = ("title", "sector", "kind", "amount", "signed_on", "parties")


class Problems(dict):
    """Field name → message, raised together as one 422."""

    def raise_if_any(self) -> None:
        if self:
            raise SmartExpoError(
                "invalid", _("Some fields of the deal are not valid."), {"fields": dict(self)}
            )


def decimal_parse(value: Any, *, places: int, limit: Decimal) -> Decimal:
    """An exact non-negative decimal from a string (or int or Decimal); ValueError with the
    reason otherwise. A float is refused: it is already rounded."""
    if isinstance(value, bool | float):
        raise ValueError(_("Give the amount as a string of digits, not a JSON number."))
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text or not all(c.isdigit() or c == "." for c in text) or text.count(".") > 1:
            raise ValueError(_("Not a decimal number (digits and one point, e.g. 1250.50)."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(_("Not a decimal number.")) from exc
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(_("Not a decimal number."))
    if value < 0:
        raise ValueError(_("Must not be negative."))
    if value != value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):
        raise ValueError(_("At most %(n)d decimal places.") % {"n": places})
    if value >= limit:
        raise ValueError(_("Must be below %(limit)s.") % {"limit": f"{limit:,.0f}"})
    return value.quantize(Decimal(1).scaleb(-places))


def date_parse(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError(_("A date (YYYY-MM-DD), not a time."))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(_("A date as YYYY-MM-DD."))


def _bilingual(value: Any, *, limit: int, required: bool) -> tuple[str, str]:
    if isinstance(value, str):
        value = {"en": value}
    if value is None and not required:
        return "", ""
    if not isinstance(value, Mapping) or set(value) - {"en", "zh"}:
        raise ValueError(_('An object {"en": …, "zh": …}.'))
    en, zh = value.get("en") or "", value.get("zh") or ""
    if not isinstance(en, str) or not isinstance(zh, str):
        raise ValueError(_("Texts are strings."))
    en, zh = en.strip(), zh.strip()
    if required and not en:
        raise ValueError(_("The English text is required."))
    if len(en) > limit or len(zh) > limit:
        raise ValueError(_("At most %(n)d characters.") % {"n": limit})
    return en, zh


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(_("true or false."))


def _party_clean(expo: Expo, index: int, raw: Any, problems: Problems) -> dict | None:
    key = f"parties[{index}]"
    if not isinstance(raw, Mapping):
        problems[key] = _("A party is an object.")
        return None
    unknown = set(raw) - {"exhibitor", "name", "country", "region", "city"}
    if unknown:
        problems[key] = _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        return None
    party: dict[str, Any] = {"exhibitor": None, "name_en": "", "name_zh": ""}
    slug = raw.get("exhibitor")
    if slug not in (None, ""):
        exhibitor = (
            Exhibitor.objects.filter(expo=expo, slug=slug).first()
            if isinstance(slug, str)
            else None
        )
        if exhibitor is None:
            problems[f"{key}.exhibitor"] = _("No exhibitor %(s)s in this edition.") % {"s": slug}
            return None
        party["exhibitor"] = exhibitor
        party["country"] = exhibitor.country
    try:
        party["name_en"], party["name_zh"] = _bilingual(
            raw.get("name"), limit=200, required=party["exhibitor"] is None
        )
    except ValueError as exc:
        problems[f"{key}.name"] = str(exc)
        return None
    country = raw.get("country", party.get("country", "CN"))
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        problems[f"{key}.country"] = _("Two letters (ISO 3166-1), e.g. CN or DE.")
        return None
    party["country"] = country.upper()
    for field, limit in (("region", 100), ("city", 100)):
        text = raw.get(field) or ""
        if not isinstance(text, str) or len(text) > limit:
            problems[f"{key}.{field}"] = _("At most %(n)d characters.") % {"n": limit}
            return None
        party[field] = text.strip()
    return party


def rate_for(currency: str, on: dt.date) -> ExchangeRate | None:
    """The recorded rate of `currency` on `on` or the latest day before it."""
    return ExchangeRate.objects.filter(currency=currency, on__lte=on).order_by("-on").first()


def deal_input_clean(
    *, expo: Expo, data: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The model values of a deal from API-shaped `data`, checked as a whole.

    `current`: the deal's present values (a change): fields missing from `data` keep them,
    and the checks that join fields (currency and rate, kind and form, ceremony and date) see
    the result. Unknown fields are refused. Raises `SmartExpoError("invalid")`."""
    problems = Problems()
    unknown = set(data) - set(FIELDS)
    for name in sorted(unknown):
        problems[name] = _("Unknown field.")
    if current is None:
        for name in REQUIRED:
            if data.get(name) in (None, "", []):
                # Django's own words (and their translations), as its forms say it.
                problems[name] = str(forms.Field.default_error_messages["required"])
    out: dict[str, Any] = dict(current or {})
    given = {k: v for k, v in data.items() if k in FIELDS}

    def take(name: str, parse) -> None:
        if name not in given or name in problems:
            return
        try:
            parse(given[name])
        except ValueError as exc:
            problems[name] = str(exc)
        except SmartExpoError:
            raise

    def ref(v):
        if not isinstance(v, str) or len(v.strip()) > REF_MAX:
            raise ValueError(_("At most %(n)d characters.") % {"n": REF_MAX})
        out["ref"] = v.strip()

    def title(v):
        out["title_en"], out["title_zh"] = _bilingual(v, limit=TITLE_MAX, required=True)

    def summary(v):
        out["summary_en"], out["summary_zh"] = _bilingual(v, limit=SUMMARY_MAX, required=False)

    def sector(v):
        found = Sector.objects.filter(code=v).first() if isinstance(v, str) else None
        if found is None:
            raise ValueError(_("No sector with this code."))
        out["sector"] = found

    def kind(v):
        if v not in DealKind.values:
            raise ValueError(_("One of: %(c)s.") % {"c": ", ".join(DealKind.values)})
        out["kind"] = v

    def form(v):
        if v not in ("", None, *InvestmentForm.values):
            raise ValueError(_("One of: %(c)s.") % {"c": ", ".join(InvestmentForm.values)})
        out["investment_form"] = v or ""

    def amount(v):
        out["amount"] = decimal_parse(v, places=AMOUNT_PLACES, limit=AMOUNT_LIMIT)

    def currency(v):
        if not isinstance(v, str) or len(v) != 3 or not v.isalpha() or not v.isupper():
            raise ValueError(_("Three capital letters (ISO 4217), e.g. CNY or USD."))
        out["currency"] = v

    def rate(v):
        if v in (None, ""):
            out["rate"] = None
            return
        value = decimal_parse(v, places=RATE_PLACES, limit=RATE_LIMIT)
        if value == 0:
            raise ValueError(_("Must be above zero."))
        out["rate"] = value

    def rate_on(v):
        out["rate_on"] = None if v in (None, "") else date_parse(v)

    def flag(name):
        def parse(v):
            out[name] = _bool(v)

        return parse

    def signed_on(v):
        day = date_parse(v)
        if day > timezone.localdate(timezone=expo.tz):
            raise ValueError(_("A deal cannot be signed in the future."))
        out["signed_on"] = day

    def ceremony(v):
        if v in (None, ""):
            out["ceremony"] = None
            return
        found = (
            Session.objects.filter(expo=expo, pk=v, format=SessionFormat.SIGNING).first()
            if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**53
            else None
        )
        if found is None:
            raise ValueError(_("No signing-ceremony session with this id in this edition."))
        out["ceremony"] = found

    def parties(v):
        if not isinstance(v, list) or not 1 <= len(v) <= PARTIES_MAX:
            raise ValueError(_("A list of 1 to %(n)d parties.") % {"n": PARTIES_MAX})
        cleaned = [_party_clean(expo, i, raw, problems) for i, raw in enumerate(v)]
        if all(p is not None for p in cleaned):
            out["parties"] = cleaned

    take("ref", ref)
    take("title", title)
    take("summary", summary)
    take("sector", sector)
    take("kind", kind)
    take("investment_form", form)
    take("amount", amount)
    take("currency", currency)
    take("rate", rate)
    take("rate_on", rate_on)
    take("amount_estimated", flag("amount_estimated"))
    take("amount_confidential", flag("amount_confidential"))
    take("signed_on", signed_on)
    take("at_expo", flag("at_expo"))
    take("ceremony", ceremony)
    take("parties", parties)
    problems.raise_if_any()
    _joined_rules(expo, out, given, problems)
    problems.raise_if_any()
    return out


def _joined_rules(expo: Expo, out: dict, given: Mapping, problems: Problems) -> None:
    """The checks between fields, on the deal as it would be after the change."""
    out.setdefault("currency", CNY)
    out.setdefault("investment_form", "")
    out.setdefault("amount_estimated", False)
    out.setdefault("amount_confidential", False)
    out.setdefault("at_expo", False)
    out.setdefault("ceremony", None)
    out.setdefault("summary_en", "")
    out.setdefault("summary_zh", "")
    out.setdefault("ref", "")
    if out.get("kind") == DealKind.INVESTMENT and not out["investment_form"]:
        problems["investment_form"] = _("An investment is greenfield, expansion or joint_venture.")
    elif out.get("kind") != DealKind.INVESTMENT and out["investment_form"]:
        problems["investment_form"] = _("Only investments have a form of investment.")
    ceremony = out["ceremony"]
    if ceremony is not None:
        if "at_expo" in given and not out["at_expo"]:
            problems["at_expo"] = _(
                "A deal signed at a ceremony of the expo is signed at the expo."
            )
        out["at_expo"] = True
        day = ceremony.starts_at.astimezone(expo.tz).date()
        if out.get("signed_on") and out["signed_on"] != day:
            problems["signed_on"] = _("The ceremony was on %(d)s.") % {"d": day.isoformat()}
    if out["at_expo"] and out.get("signed_on") and out["signed_on"] not in expo.days:
        problems["signed_on"] = _("A deal signed at the expo is signed on one of its days.")
    # The rate: yuan need none; another currency takes the one given, else the recorded rate
    # of its signing day (or the latest before it).
    currency, rate = out["currency"], out.get("rate")
    if currency == CNY:
        if rate not in (None, Decimal(1)):
            problems["rate"] = _("Amounts in yuan have no rate.")
        out["rate"], out["rate_on"] = Decimal(1), None
    elif rate is None or ("currency" in given and "rate" not in given):
        recorded = rate_for(currency, out["signed_on"]) if out.get("signed_on") else None
        if recorded is None:
            problems["rate"] = _(
                "No recorded rate of %(c)s on or before the signing day: give the rate."
            ) % {"c": currency}
            return
        out["rate"], out["rate_on"] = recorded.rate, recorded.on
    elif not out.get("rate_on"):
        out["rate_on"] = out.get("signed_on")
    if "amount" in out:
        yuan = (out["amount"] * out["rate"]).quantize(CENT, rounding=ROUND_HALF_EVEN)
        if yuan >= AMOUNT_LIMIT:
            problems["amount"] = _("The amount in yuan must be below %(limit)s.") % {
                "limit": f"{AMOUNT_LIMIT:,.0f}"
            }
        out["amount_cny"] = yuan


def status_clean(
    *,
    current_status: str,
    current_on: dt.date,
    signed_on: dt.date,
    status: Any,
    on: Any,
    evidence: Any,
    today: dt.date,
) -> tuple[str, dt.date, str]:
    """A move of the follow-up: forward along signed → registered → started → operating, or
    to cancelled, on a date no earlier than the present status's and not in the future, with
    the evidence. Raises `invalid` (bad values) or `status_backwards` / `deal_cancelled`."""
    problems = Problems()
    if status not in DealStatus.values:
        problems["status"] = _("One of: %(c)s.") % {"c": ", ".join(DealStatus.values)}
    try:
        day = date_parse(on)
    except ValueError as exc:
        problems["status_on"] = str(exc)
        day = None
    if not isinstance(evidence, str) or not evidence.strip():
        problems["evidence"] = _("A status moves only with its evidence (what shows it).")
    elif len(evidence) > EVIDENCE_MAX:
        problems["evidence"] = _("At most %(n)d characters.") % {"n": EVIDENCE_MAX}
    if day is not None:
        if day > today:
            problems["status_on"] = _("The date cannot be in the future.")
        elif day < max(current_on, signed_on):
            problems["status_on"] = _("The date cannot be before %(d)s.") % {
                "d": max(current_on, signed_on).isoformat()
            }
    problems.raise_if_any()
    if current_status == DealStatus.CANCELLED:
        raise SmartExpoError("deal_cancelled", _("This deal was cancelled; its status is final."))
    if status != DealStatus.CANCELLED and (
        STATUS_LINE.index(status) <= STATUS_LINE.index(current_status)
    ):
        raise SmartExpoError(
            "status_backwards",
            _("The status only moves forward: signed, registered, started, operating."),
            {"status": current_status},
        )
    return status, day, evidence.strip()
