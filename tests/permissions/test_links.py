"""Links that carry a token are their own credential, for their own registration (or offer) on
their own edition only: what the matrix cannot say with one column per role."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.tickets.models import Registration
from tests.conftest import ApiClient, ProductionHandler

pytestmark = pytest.mark.django_db


def browser() -> Client:
    client = Client()
    client.handler = ProductionHandler()
    return client


def test_a_manage_link_does_not_open_another_registrations_ticket(world):
    token, other = world.values["manage_token"], world.values["other_serial"]
    answer = browser().get(f"/expos/test-2019/my/{token}/tickets/{other}/ticket.pdf")
    assert answer.status_code == 404


@pytest.mark.parametrize("page", ["", "tickets/{serial}/ticket.pdf"])
def test_a_manage_link_is_not_found_at_another_editions_address(world, page):
    token, serial = world.values["manage_token"], world.values["serial"]
    address = f"/expos/test-2018/my/{token}/" + page.format(serial=serial)
    assert browser().get(address).status_code == 404


def test_a_manage_link_does_not_cancel_at_another_editions_address(world):
    client = browser()
    client.cookies["csrftoken"] = "matrixcsrfsecretmatrixcsrfsecret"
    address = f"/expos/test-2018/my/{world.values['manage_token']}/cancel/"
    answer = client.post(address, {"csrfmiddlewaretoken": "matrixcsrfsecretmatrixcsrfsecret"})
    assert answer.status_code == 404
    assert Registration.objects.get(pk=world.values["registration"]).status == "active"


def test_an_offer_link_is_not_found_at_another_editions_address(world):
    answer = browser().get(f"/expos/test-2018/waitlist/{world.values['offer_token']}/")
    assert answer.status_code == 404


@pytest.mark.parametrize("address", ["registrations/{registration}", "tickets/{serial}/qr.svg"])
@pytest.mark.parametrize("role", ["holder", "organizer"])
def test_a_registration_is_not_found_under_another_edition(world, address, role):
    client = ApiClient(world.tokens[role])
    path = "/api/v1/expos/test-2018/" + address.format(**world.values)
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
