"""Business meetings fixtures: the test edition's exhibitors with their tokens, visitors with
their manage tokens (opted in to meetings or not), and helpers that ask the API."""

from __future__ import annotations

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.meetings.services.participants import participation_set
from tests.checkin.conftest import make_types
from tests.conftest import ApiClient
from tests.leads.conftest import Visitor, visitor

M = "/api/v1/expos/test-2019/meetings"
REQUESTS = M + "/requests"
SESSIONS = M + "/sessions"


def opted_in(expo, **profile) -> Visitor:
    """A visitor who opted in to business meetings."""
    person = visitor(expo, **profile)
    participation_set(
        expo=expo,
        ref={"registration": person.registration.pk},
        open=True,
        cap=None,
        cap_given=False,
    )
    return person


def exhibitor_client(expo, name: str) -> ApiClient:
    _token, raw = token_create(
        role=Role.EXHIBITOR, name=f"{name} staff", exhibitor=expo.test_exhibitors[name]
    )
    return ApiClient(raw)


def ref(thing) -> dict:
    """The API's name of a visitor (`Visitor`) or an exhibitor."""
    if isinstance(thing, Visitor):
        return {"registration": thing.registration.pk}
    return {"exhibitor": thing.pk}


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def huawei(expo, types):
    return exhibitor_client(expo, "huawei")


@pytest.fixture
def toyota(expo, types):
    return exhibitor_client(expo, "toyota")


@pytest.fixture
def li(expo, types) -> Visitor:
    return opted_in(expo, name="Li Wei")


@pytest.fixture
def wang(expo, types) -> Visitor:
    return opted_in(expo, name="Wang Fang")


@pytest.fixture
def closed(expo, types) -> Visitor:
    """A visitor who never opted in."""
    return visitor(expo, name="Zhao Closed")
