"""The deals API's bodies and answers (docs/api.md, "Deals"). Amounts and rates are decimal
strings: a JSON number is refused (422), since a float has already lost the cents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt, StrictStr

from smartexpo.core.api import Names, PageParams
from smartexpo.deals.models import SUMMARY_MAX, TITLE_MAX, DealKind, DealStatus, InvestmentForm
from smartexpo.deals.rules import EVIDENCE_MAX, PARTIES_MAX, REF_MAX

Money = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,16}(\.[0-9]{1,2})?$",
        description="an exact decimal as a string: at most 2 places, below 10^16",
        examples=["1250000000.50"],
    ),
]
Rate = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,9}(\.[0-9]{1,8})?$",
        description="yuan for one unit of the currency, a decimal string (at most 8 places)",
    ),
]
Kind = Literal["investment", "procurement", "licence", "framework"]
Form = Literal["", "greenfield", "expansion", "joint_venture"]
StatusName = Literal["signed", "registered", "started", "operating", "cancelled"]
assert set(Kind.__args__) == set(DealKind.values)
assert set(Form.__args__) - {""} == set(InvestmentForm.values)
assert set(StatusName.__args__) == set(DealStatus.values)


class Texts(Schema):
    model_config = ConfigDict(extra="forbid")
    en: StrictStr = Field(..., max_length=SUMMARY_MAX)
    zh: StrictStr = Field("", max_length=SUMMARY_MAX)


class Title(Schema):
    model_config = ConfigDict(extra="forbid")
    en: StrictStr = Field(..., min_length=1, max_length=TITLE_MAX)
    zh: StrictStr = Field("", max_length=TITLE_MAX)


class PartyName(Schema):
    model_config = ConfigDict(extra="forbid")
    en: StrictStr = Field(..., max_length=200)
    zh: StrictStr = Field("", max_length=200)


class PartyIn(Schema):
    """An exhibitor of the edition (`exhibitor`: its slug), or an outside organisation (`name`,
    `country` as ISO 3166-1 alpha-2, `region`: province or state, `city`)."""

    model_config = ConfigDict(extra="forbid")
    exhibitor: StrictStr | None = Field(None, max_length=80)
    name: PartyName | None = None
    country: StrictStr | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    region: StrictStr = Field("", max_length=100)
    city: StrictStr = Field("", max_length=100)


class DealFields(Schema):
    model_config = ConfigDict(extra="forbid")
    ref: StrictStr | None = Field(None, max_length=REF_MAX)
    title: Title | None = None
    summary: Texts | None = None
    sector: StrictStr | None = Field(None, max_length=40)
    kind: Kind | None = None
    investment_form: Form | None = None
    amount: Money | None = None
    currency: StrictStr | None = Field(None, pattern=r"^[A-Z]{3}$")
    rate: Rate | None = None
    rate_on: dt.date | None = None
    amount_estimated: StrictBool | None = None
    amount_confidential: StrictBool | None = None
    signed_on: dt.date | None = None
    at_expo: StrictBool | None = None
    ceremony: StrictInt | None = Field(None, ge=1, lt=2**53)
    parties: list[PartyIn] | None = Field(None, min_length=1, max_length=PARTIES_MAX)
    status: StatusName | None = None
    status_on: dt.date | None = None
    evidence: StrictStr | None = Field(None, max_length=EVIDENCE_MAX)

    def as_input(self) -> dict:
        """What the caller set, in the services' shape (nulls of optional fields kept)."""
        return self.model_dump(exclude_unset=True)


class DealIn(DealFields):
    """A new deal. Required: title, sector, kind, amount, signed_on, parties; `currency`
    defaults to CNY; another currency takes `rate` or the recorded rate of its signing day.
    A deal entered with a later status than `signed` gives its `status_on` and `evidence`."""

    title: Title
    sector: StrictStr = Field(..., max_length=40)
    kind: Kind
    amount: Money
    signed_on: dt.date
    parties: list[PartyIn] = Field(..., min_length=1, max_length=PARTIES_MAX)


class DealPatch(DealFields):
    """Any field of a deal; `status` with `status_on` and `evidence` moves its follow-up.
    `version`: the version you last read (another change since → 409 `version_conflict`)."""

    version: StrictInt | None = Field(None, ge=1, lt=2**53)

    def as_input(self) -> dict:
        data = super().as_input()
        data.pop("version", None)
        return data


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: StatusName
    on: dt.date
    evidence: StrictStr = Field(..., min_length=1, max_length=EVIDENCE_MAX)
    document: StrictInt | None = Field(None, ge=1, lt=2**53, description="one of its documents")


class PartyOut(Schema):
    exhibitor: str | None
    name: Names
    country: str
    region: str
    city: str


class Original(Schema):
    amount: str
    currency: str
    rate: str
    rate_on: dt.date | None


class DealOut(Schema):
    """A deal as the public sees it: `amount` in yuan (`currency` "CNY"); `original`: the amount
    as signed, its currency and the rate kept with the deal, when it was not signed in yuan."""

    id: int
    title: Names
    summary: Names
    sector: str
    kind: str
    investment_form: str
    amount: str
    currency: str
    amount_estimated: bool
    original: Original | None
    signed_on: dt.date
    at_expo: bool
    ceremony: int | None
    status: str
    status_on: dt.date
    parties: list[PartyOut]


class StatusChangeOut(Schema):
    status: str
    on: dt.date
    evidence: str
    document: int | None


class DealRecord(DealOut):
    """The organiser's record: every field, the follow-up's evidence and the documents."""

    ref: str
    amount_confidential: bool
    version: int
    status_changes: list[StatusChangeOut]
    documents: int


class DealPage(Schema):
    count: int
    items: list[DealOut]


class DealFilters(PageParams):
    sector: str | None = Field(None, max_length=40)
    kind: Kind | None = None
    status: StatusName | None = None
    at_expo: bool | None = None
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    region: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=100, description="words of the title")


class SectorTotal(Schema):
    sector: str
    projects: int
    amount: str


class KindTotal(Schema):
    kind: str
    projects: int
    amount: str


class ConfidentialTotal(Schema):
    projects: int
    amount: str


class TallyOut(Schema):
    projects: int
    amount: str
    currency: str
    at_expo: int
    by_sector: list[SectorTotal]
    by_kind: list[KindTotal]
    confidential: ConfidentialTotal
    chain_head: str
    as_of: str
    kid: int
    signature: str


class KeyOut(Schema):
    kid: int
    alg: str
    public_key: str


class KeysOut(Schema):
    keys: list[KeyOut]
    revoked: list[int]
    generated_at: dt.datetime


class LogEntryOut(Schema):
    seq: int
    at: str
    deal: int
    change: dict
    prev: str
    hash: str


class LogPage(Schema):
    count: int
    items: list[LogEntryOut]


class LogParams(PageParams):
    after: int = Field(
        0, ge=0, lt=2**53, description="only the entries after this `seq` (resume a download)"
    )
