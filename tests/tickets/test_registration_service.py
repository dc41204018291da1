"""The registration services' typed arguments: every field named, nothing else accepted."""

import inspect

import pytest

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.forms import OfferForm, RegistrationForm
from smartexpo.tickets.schemas import RegistrationIn, StaffPassIn
from smartexpo.tickets.services import registration as registering
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.restricted import staff_pass_issue
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.services.waitlist import offer_accept


def _parameters(service) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(service).parameters)


@pytest.mark.parametrize("service", [registration_create, staff_pass_issue, offer_accept])
def test_the_services_take_named_keyword_only_arguments(service):
    kinds = {p.kind for p in _parameters(service).values()}
    assert kinds == {inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize(
    ("fields", "service"),
    [
        (RegistrationIn.model_fields, registration_create),
        (RegistrationForm.base_fields, registration_create),
        (StaffPassIn.model_fields, staff_pass_issue),
        (OfferForm.base_fields, offer_accept),
    ],
)
def test_every_field_its_callers_pass_is_a_named_argument(fields, service):
    # The API and the pages pass their bodies' and forms' fields by name (`**fields`).
    assert set(fields) <= set(_parameters(service))


def test_an_unknown_field_is_refused_before_the_database_is_read(expo, monkeypatch):
    read = []
    monkeypatch.setattr(registering, "catalogue_for", lambda *a, **k: read.append(a))
    with pytest.raises(TypeError, match="nickname"):
        registration_create(
            expo=expo,
            ticket_type="day",
            days=["2019-08-26"],
            name="Li Wei",
            email="li.wei@example.cn",
            nickname="Wei",
        )
    assert read == []


@pytest.fixture
def day_type(expo):
    return ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=5
    )


def test_fields_left_out_are_refused_together_as_invalid(expo, day_type):
    with pytest.raises(SmartExpoError) as refused:
        registration_create(expo=expo, email="not-an-email")
    assert refused.value.code == "invalid"
    assert {"ticket_type", "days", "name", "email"} <= refused.value.detail["fields"].keys()


def test_named_fields_register_as_before(expo, day_type):
    issued = registration_create(
        expo=expo,
        ticket_type="day",
        days=["2019-08-26"],
        name=" Li Wei ",
        email="li.wei@example.cn",
        interests=[],
    )
    registration = issued.registration
    assert (registration.name, registration.language, registration.source) == (
        "Li Wei",
        "en",
        "api",
    )
    assert [t.days for t in issued.tickets] == [["2019-08-26"]]
