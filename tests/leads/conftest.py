"""Leads fixtures: visitors with tickets and a profile they share or not, Huawei's and Toyota's
tokens, and lead devices."""

from __future__ import annotations

import itertools

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.leads.services.devices import lead_device_create
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.registration import registration_create
from tests.checkin.conftest import make_types
from tests.conftest import ApiClient

A = "/api/v1/expos/test-2019"
LEADS = A + "/leads"
_people = itertools.count(1)

# A visitor's profile: every field distinctive, so that a leak is found by a plain search.
PROFILE = {
    "name": "Zhang Secretname",
    "email": "zhang.secret@example.cn",
    "phone": "+86 138 0000 1111",
    "company": "Hidden Robotics Ltd",
    "title": "Chief Hidden Officer",
}


class Visitor:
    """A registration with one ticket: its secret, manage token and registration."""

    def __init__(self, issued):
        self.registration = issued.registration
        self.ticket = issued.tickets[0]
        self.secret = issued.secrets[0]
        self.manage_token = issued.manage_token

    def share(self, *fields: str) -> None:
        Registration.objects.filter(pk=self.registration.pk).update(share=list(fields))
        self.registration.refresh_from_db()

    @property
    def holder(self) -> ApiClient:
        return ApiClient(self.manage_token)


def visitor(expo, *, share=(), **profile) -> Visitor:
    """Register someone with `PROFILE` (fields overridden by `profile`), sharing `share`."""
    n = next(_people)
    values = {**PROFILE, **profile}
    issued = registration_create(
        expo=expo,
        ticket_type="day",
        days=["2019-08-26"],
        name=values["name"],
        email=f"{n}.{values['email']}",
    )
    Registration.objects.filter(pk=issued.registration.pk).update(
        phone=values["phone"],
        company=values["company"],
        title=values["title"],
        share=list(share),
    )
    issued.registration.refresh_from_db()
    return Visitor(issued)


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def huawei(expo, types):
    _token, raw = token_create(
        role=Role.EXHIBITOR, name="Huawei staff", exhibitor=expo.test_exhibitors["huawei"]
    )
    return ApiClient(raw)


@pytest.fixture
def toyota(expo, types):
    _token, raw = token_create(
        role=Role.EXHIBITOR, name="Toyota staff", exhibitor=expo.test_exhibitors["toyota"]
    )
    return ApiClient(raw)


def booth_device(expo, exhibitor="huawei", name="Booth tablet 1"):
    """A lead device of the exhibitor: (device, client with its token)."""
    device, raw = lead_device_create(
        expo=expo, exhibitor=expo.test_exhibitors[exhibitor], name=name
    )
    return device, ApiClient(raw)
