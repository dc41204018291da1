"""Personal-data fixtures: a registered person with a real ID and interests, their manage
token as a client, and somebody else beside them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.issuing import Issued
from smartexpo.tickets.services.registration import registration_create
from tests.checkin.conftest import make_types
from tests.conftest import ApiClient

BASE = "/api/v1/expos/test-2019"
REGS = f"{BASE}/registrations"
KEYS = f"{BASE}/checkin/keys"
DAYS = ("2019-08-26", "2019-08-27")
_seq = itertools.count(100)


def resident_id(seq: int | None = None) -> str:
    first17 = f"11010519900101{seq if seq is not None else next(_seq):03d}"
    return first17 + resident_check_digit(first17)


def export_url(registration_id: int) -> str:
    return f"{REGS}/{registration_id}/personal-data"


def erase_url(registration_id: int) -> str:
    return f"{REGS}/{registration_id}/erase"


@dataclass
class Person:
    """A registered person: what they were told, and their manage token as an API client."""

    issued: Issued
    id_number: str
    client: ApiClient

    @property
    def registration(self):
        return self.issued.registration

    @property
    def pk(self) -> int:
        return self.issued.registration.pk

    @property
    def token(self) -> str:
        return self.issued.manage_token

    @property
    def serial(self) -> int:
        return self.issued.tickets[0].serial

    @property
    def secret(self) -> str:
        return self.issued.secrets[0]


def register(expo, *, name="Li Wei", email="li.wei@example.cn", code="day", days=DAYS, **extra):
    id_number = extra.pop("id_number", None) or resident_id()
    issued = registration_create(
        expo=expo,
        ticket_type=code,
        days=list(days),
        name=name,
        email=email,
        id_type="resident",
        id_number=id_number,
        **extra,
    )
    return Person(issued, id_number, ApiClient(issued.manage_token))


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def person(expo, types) -> Person:
    return register(expo, interests=["ai", "5g"], language="zh-hans")


@pytest.fixture
def somebody_else(expo, types) -> Person:
    return register(expo, name="Zhang Min", email="zhang.min@example.cn", days=["2019-08-26"])


@pytest.fixture
def holder(person) -> ApiClient:
    return person.client


@pytest.fixture
def other_holder(somebody_else) -> ApiClient:
    return somebody_else.client
