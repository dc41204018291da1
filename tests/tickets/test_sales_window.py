"""Sales windows (issue 13, defect 3): an edition and a ticket type are on sale between their
opening and closing; a past edition is closed by default; outside the window the API refuses
with a documented code and the page says so, in the visitor's language."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.tickets import sales
from smartexpo.tickets.models import Access, Registration, TicketType
from smartexpo.tickets.services.group_import import registrations_import_csv
from smartexpo.tickets.services.restricted import pass_grant_set, staff_pass_issue
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.services.waitlist import waitlist_join
from smartexpo.venue.models import Expo
from tests.conftest import ApiClient, day_ticket, error_of, register, registration_body, rid

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
REGS = "/api/v1/expos/test-2019/registrations"
TYPES = "/api/v1/expos/test-2019/ticket-types"


def _window(expo: Expo, *, opens=None, closes=None) -> Expo:
    expo.sales_open_at, expo.sales_close_at = opens, closes
    expo.save()
    return expo


@pytest.fixture
def day_type(expo):
    return day_ticket(expo, quota_per_day=5)


def person(n=1, **extra):
    return registration_body(n, ticket_type="day", **extra)


# --- the rule ----------------------------------------------------------------------------------


def test_an_edition_without_a_closing_closes_at_the_end_of_its_last_day_in_its_time_zone(expo):
    _window(expo)  # nothing set: 26–29 August 2019, doors close at 18:00 in Shanghai
    end = dt.datetime(2019, 8, 29, 18, 0, tzinfo=SHANGHAI)
    assert sales.edition_window(expo).closes_at == end
    assert sales.edition_sale_state(expo=expo, at=end - dt.timedelta(seconds=1)).on_sale
    closed = sales.edition_sale_state(expo=expo, at=end)
    assert (closed.reason, closed.instant) == ("closed", end)
    # Today the test edition is long past: closed without anybody setting anything.
    assert sales.edition_sale_state(expo=expo).reason == "closed"


def test_before_its_opening_an_edition_is_not_yet_open_and_says_when(expo):
    opens = dt.datetime(2019, 6, 1, 9, 0, tzinfo=SHANGHAI)
    _window(expo, opens=opens)
    state = sales.edition_sale_state(expo=expo, at=opens - dt.timedelta(minutes=1))
    assert (state.reason, state.instant) == ("not_yet_open", opens)
    assert sales.edition_sale_state(expo=expo, at=opens).on_sale


def test_a_types_window_is_the_intersection_with_its_editions(expo, day_type):
    edition_opens = dt.datetime(2019, 6, 1, tzinfo=UTC)
    edition_closes = dt.datetime(2019, 8, 20, tzinfo=UTC)
    _window(expo, opens=edition_opens, closes=edition_closes)
    # The type opens later than its edition and would close after it: the later opening and
    # the edition's earlier closing bind.
    day_type.sales_open_at = dt.datetime(2019, 7, 1, tzinfo=UTC)
    day_type.sales_close_at = dt.datetime(2019, 9, 1, tzinfo=UTC)
    window = sales.type_window(
        expo, opens_at=day_type.sales_open_at, closes_at=day_type.sales_close_at
    )
    assert (window.opens_at, window.closes_at) == (day_type.sales_open_at, edition_closes)
    in_june = dt.datetime(2019, 6, 15, tzinfo=UTC)
    assert sales.edition_sale_state(expo=expo, at=in_june).on_sale
    state = sales.ticket_type_sale_state(expo=expo, ticket_type=day_type, at=in_june)
    assert (state.reason, state.instant) == ("not_yet_open", day_type.sales_open_at)
    late = sales.ticket_type_sale_state(expo=expo, ticket_type=day_type, at=edition_closes)
    assert (late.reason, late.instant) == ("closed", edition_closes)


def test_a_type_without_a_window_follows_its_edition(expo, day_type):
    _window(expo)
    at = dt.datetime(2019, 8, 1, tzinfo=UTC)
    assert sales.ticket_type_sale_state(expo=expo, ticket_type=day_type, at=at).on_sale
    after = dt.datetime(2019, 8, 29, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    assert sales.ticket_type_sale_state(expo=expo, ticket_type=day_type, at=after).reason == (
        "closed"
    )


# --- the services -------------------------------------------------------------------------------


def test_registering_for_a_closed_edition_is_refused_with_the_instant_it_closed(expo, day_type):
    _window(expo)
    with pytest.raises(SmartExpoError) as refused:
        register(expo, ticket_type="day")
    assert refused.value.code == "sales_closed"
    assert refused.value.detail == {"closed_at": "2019-08-29T18:00:00+08:00"}
    assert not Registration.objects.exists()


def test_registering_before_a_type_opens_is_refused_with_when_it_opens(expo, day_type):
    opens = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    TicketType.objects.filter(pk=day_type.pk).update(sales_open_at=opens)
    with pytest.raises(SmartExpoError) as refused:
        register(expo, ticket_type="day")
    assert refused.value.code == "sales_not_open"
    assert dt.datetime.fromisoformat(refused.value.detail["opens_at"]) == opens
    # Open again, the same registration goes through: the catalogue saw the change.
    TicketType.objects.filter(pk=day_type.pk).update(sales_open_at=None)
    assert register(expo, ticket_type="day").registration.pk


def test_exhibitors_issue_staff_passes_after_the_public_sale_closed(expo):
    ticket_type_create(
        expo=expo,
        code="staff",
        name_en="Staff",
        days=["2019-08-26"],
        quota_per_day=5,
        access=Access.EXHIBITOR,
    )
    huawei = Exhibitor.objects.get(expo=expo, slug="huawei")
    pass_grant_set(exhibitor=huawei, ticket_type="staff", passes=2)
    _window(expo)
    issued = staff_pass_issue(
        exhibitor=huawei, name="Staff One", email="s1@hw.cn", id_number=rid(7)
    )
    assert issued.registration.exhibitor_id == huawei.pk


def test_organisers_import_a_group_after_the_public_sale_closed(expo, day_type):
    _window(expo)
    csv = f"ticket_type,days,name,email,id_number\nday,2019-08-26,张三,zs@example.cn,{rid(3)}\n"
    report = registrations_import_csv(expo=expo, data=csv.encode())
    assert (report.created, report.errors) == (1, [])


def test_the_waiting_list_of_a_closed_type_cannot_be_joined(expo, day_type):
    register(expo, ticket_type="day")
    TicketType.objects.filter(pk=day_type.pk).update(sales_close_at=timezone.now())
    with pytest.raises(SmartExpoError) as refused:
        waitlist_join(
            expo=expo, ticket_type="day", day="2019-08-26", name="Late", email="late@example.cn"
        )
    assert refused.value.code == "sales_closed"


# --- the API -------------------------------------------------------------------------------------


def test_the_api_refuses_a_closed_edition_with_409_sales_closed(expo, day_type):
    _window(expo)
    response = ApiClient().post(REGS, person())
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "sales_closed",
        "message": "Registration is closed.",
        "detail": {"closed_at": "2019-08-29T18:00:00+08:00"},
    }


def test_the_api_refuses_a_type_not_yet_open_with_409_sales_not_open(expo, day_type):
    opens = dt.datetime(2099, 1, 1, 1, 0, tzinfo=UTC)
    TicketType.objects.filter(pk=day_type.pk).update(sales_open_at=opens)
    response = ApiClient().post(REGS, person())
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "sales_not_open"
    assert dt.datetime.fromisoformat(error["detail"]["opens_at"]) == opens


def test_ticket_type_listings_expose_the_effective_window(expo, day_type):
    closes = dt.datetime(2099, 1, 1, tzinfo=UTC)
    opens = dt.datetime(2020, 1, 1, tzinfo=UTC)
    TicketType.objects.filter(pk=day_type.pk).update(sales_open_at=opens, sales_close_at=closes)
    _window(expo, closes=dt.datetime(2098, 1, 1, tzinfo=UTC))
    item = ApiClient().get(TYPES).json()["items"][0]
    assert dt.datetime.fromisoformat(item["sales_opens_at"]) == opens
    assert dt.datetime.fromisoformat(item["sales_closes_at"]) == dt.datetime(2098, 1, 1, tzinfo=UTC)
    assert item["on_sale"] is True
    _window(expo)
    item = ApiClient().get(TYPES).json()["items"][0]
    assert item["on_sale"] is False
    assert item["sales_closes_at"].startswith("2019-08-29T")


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "notice"),
    [
        (
            "",
            "Registration for Test Expo 2019 closed on Aug. 29, 2019, 6 p.m. (Asia/Shanghai time).",
        ),
        ("/zh-hans", "测试博览会2019的登记已于2019年8月29日 18:00截止（Asia/Shanghai时间）。"),
    ],
)
def test_the_page_of_a_closed_edition_says_when_it_closed_and_offers_no_form(
    expo, day_type, prefix, notice
):
    _window(expo)
    response = Client().get(f"{prefix}/expos/test-2019/register/")
    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html
    assert '<form method="post"' not in html


def test_the_page_leaves_out_a_type_not_yet_on_sale_and_says_when_it_opens(expo, day_type):
    opens = dt.datetime(2099, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    day_ticket(expo, quota_per_day=5, code="later", name_en="Late pass", sales_opens_at=opens)
    html = Client().get("/expos/test-2019/register/").content.decode()
    assert "Late pass: registration opens on March 1, 2099, 10 a.m. (Asia/Shanghai time)." in html
    assert 'value="later"' not in html
    assert 'value="day"' in html


# --- the back office -----------------------------------------------------------------------------


def test_the_edition_admin_refuses_a_closing_before_the_opening(expo, staff):
    page = staff.get(f"/admin/venue/expo/{expo.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "pk")}
    data.update(
        {
            "previous": "",
            "starts_on": "2019-08-26",
            "ends_on": "2019-08-29",
            "opens_at": "09:00:00",
            "closes_at": "18:00:00",
            "sales_open_at_0": "2019-07-01",
            "sales_open_at_1": "09:00:00",
            "sales_close_at_0": "2019-06-01",
            "sales_close_at_1": "09:00:00",
        }
    )
    for key in ("sales_open_at", "sales_close_at", "created_at", "id"):
        data.pop(key, None)
    response = staff.post(f"/admin/venue/expo/{expo.pk}/change/", data)
    assert response.status_code == 200
    assert "Registration must close after it opens." in response.content.decode()
    expo.refresh_from_db()
    assert expo.sales_open_at is None


def test_the_ticket_type_model_refuses_a_closing_before_the_opening(expo, day_type):
    from django.core.exceptions import ValidationError

    day_type.sales_open_at = dt.datetime(2019, 7, 1, tzinfo=UTC)
    day_type.sales_close_at = dt.datetime(2019, 6, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="Registration must close after it opens"):
        day_type.full_clean()
