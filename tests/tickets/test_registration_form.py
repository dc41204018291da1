"""The public registration form (issue 13): a pass takes its days by itself, days a type
cannot have are locked with the reason, every message is in the visitor's language, and
every error is reported in one round, as the API reports them."""

import re

import pytest
from django.test import Client
from django.utils import translation

from smartexpo.tickets.models import DayQuota, Registration
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient, error_of, rid

FORM = "/expos/test-2019/register/"
ZH_FORM = "/zh-hans" + FORM
ALL_DAYS = ["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]


def wrong_check_digit() -> str:
    good = rid()
    return good[:17] + ("1" if good[17] != "1" else "2")


@pytest.fixture
def types(expo):
    """A day ticket on the first two days, the second full; a pass for all four days."""
    day = ticket_type_create(
        expo=expo,
        code="day",
        name_en="Public day pass",
        name_zh="普通日票",
        days=ALL_DAYS[:2],
        quota_per_day=5,
    )
    DayQuota.objects.filter(ticket_type=day, day="2019-08-27").update(size=0)
    ticket_type_create(
        expo=expo,
        code="pro",
        name_en="Professional pass (4 days)",
        name_zh="专业观众通票（4天）",
        days=ALL_DAYS,
        quota_per_day=5,
        all_days=True,
    )


def form_data(**extra):
    return {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": "李伟",
        "email": "li.wei@example.cn",
        "id_type": "resident",
        "id_number": rid(),
        **extra,
    }


def day_box(page: str, day: str) -> str:
    """The label holding the day's checkbox, its input and its note."""
    match = re.search(rf'<label><input[^>]*value="{day}"[^>]*>.*?</label>', page, re.S)
    assert match, f"no checkbox for {day}"
    return match.group(0)


def registered_days() -> list[str]:
    ticket = Registration.objects.get().tickets.get()
    return sorted(d.isoformat() for d in ticket.ticket_days.values_list("day", flat=True))


# --- a pass takes its days by itself ---------------------------------------------------------


@pytest.mark.parametrize("ticked", [["2019-08-27"], [], ALL_DAYS])
def test_a_pass_covers_all_its_days_whatever_was_ticked(types, ticked):
    response = Client().post(ZH_FORM, form_data(ticket_type="pro", days=ticked))
    assert response.status_code == 302, response.content.decode()
    assert registered_days() == ALL_DAYS


def test_the_api_still_asks_a_pass_to_list_every_one_of_its_days(types):
    response = ApiClient().post(
        "/api/v1/expos/test-2019/registrations",
        {"ticket_type": "pro", "days": ["2019-08-26"], "name": "Li", "email": "l@example.cn"},
    )
    assert response.status_code == 422
    assert error_of(response)["detail"]["fields"] == {
        "days": "This pass covers all its days; list every one of them."
    }


def test_a_pass_chosen_on_the_page_shows_its_days_ticked_and_locked(types):
    page = Client().get(ZH_FORM + "?ticket_type=pro").content.decode()
    for day in ALL_DAYS:
        box = day_box(page, day)
        assert "checked" in box and "disabled" in box
        assert "通票已含" in box


# --- days full or not on sale ----------------------------------------------------------------


def test_days_full_or_not_on_sale_are_locked_with_the_reason_in_chinese(types):
    page = Client().get(ZH_FORM + "?ticket_type=day").content.decode()
    assert "disabled" not in day_box(page, "2019-08-26")
    assert "disabled" in day_box(page, "2019-08-27") and "已满" in day_box(page, "2019-08-27")
    for day in ALL_DAYS[2:]:
        assert "disabled" in day_box(page, day) and "不售" in day_box(page, day)


def test_days_full_or_not_on_sale_are_locked_with_the_reason_in_english(types):
    # The first type of the list is the one a browser shows as chosen.
    page = Client().get(FORM).content.decode()
    assert "disabled" not in day_box(page, "2019-08-26")
    assert "full" in day_box(page, "2019-08-27")
    assert "not on sale" in day_box(page, "2019-08-28")


def test_the_script_gets_every_types_days_and_the_reasons_in_the_visitors_language(types):
    page = Client().get(ZH_FORM).content.decode()
    script = re.search(r'<script id="register-days" type="application/json">(.*?)</script>', page)
    assert script, "no day states for the page's script"
    assert '"pro": {"all_days": true' in script.group(1)
    assert '"2019-08-28": "off"' in script.group(1)
    assert "\\u4e0d\\u552e" in script.group(1)  # 不售, escaped by json_script


def test_a_full_day_sent_anyway_is_refused_in_chinese_with_a_waiting_list(types):
    response = Client().post(ZH_FORM, form_data(days=["2019-08-27"]))
    page = response.content.decode()
    assert response.status_code == 422
    assert "抱歉，2019-08-27 已无名额，请选择其他日期。" in page
    assert "day=2019-08-27" in page  # the waiting list's link
    assert Registration.objects.count() == 0


def test_without_the_script_another_type_is_drawn_on_request_keeping_the_input(types):
    data = form_data(ticket_type="pro", name="Li Wei", show_days="1")
    response = Client().post(FORM, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" not in page and 'class="error"' not in page
    assert 'value="Li Wei"' in page
    assert "included in the pass" in day_box(page, "2019-08-28")
    assert Registration.objects.count() == 0


# --- every message in the visitor's language -------------------------------------------------


def test_the_services_refusals_are_shown_in_chinese(types):
    # A day the type is not sold on, sent without the page (its box is locked on the page).
    page = Client().post(ZH_FORM, form_data(days=["2019-08-28"])).content.decode()
    assert "该票种在 2019-08-28 不可用。" in page
    assert "not valid on" not in page


def test_a_refusal_the_page_does_not_know_is_shown_in_the_visitors_language():
    from smartexpo.core.errors import SmartExpoError
    from smartexpo.tickets.views import refusal_message

    with translation.override("zh-hans"):
        message = refusal_message(SmartExpoError("brand_new_code", "Some English text."))
    assert message == "登记未能完成（brand_new_code），请重试。"


# --- every error at once ---------------------------------------------------------------------


def test_a_bad_name_does_not_hide_the_id_number_error(types):
    response = Client().post(ZH_FORM, form_data(name="", id_number=wrong_check_digit()))
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_name_error"' in page
    assert 'id="id_id_number_error"' in page
    assert "该证件号码的校验码不正确。" in page
    assert "这个字段是必填项。" in page


def test_every_bad_field_is_reported_in_one_round_like_the_api(types):
    bad = {"name": "x" * 101, "email": "nope", "id_number": "12345", "days": ["2019-08-28"]}
    page = Client().post(FORM, form_data(**bad)).content.decode()
    for field in ("name", "email", "id_number", "days"):
        assert f'id="id_{field}_error"' in page, field
    api = ApiClient().post(
        "/api/v1/expos/test-2019/registrations",
        {"ticket_type": "day", **bad},
    )
    assert set(error_of(api)["detail"]["fields"]) == {"name", "email", "id_number", "days"}


def test_a_bad_id_type_leaves_the_number_unjudged(types):
    page = Client().post(FORM, form_data(id_type="visa", name="")).content.decode()
    assert 'id="id_id_type_error"' in page
    assert 'id="id_name_error"' in page
    assert 'id="id_id_number_error"' not in page


def test_a_registration_is_made_once_the_errors_are_mended(types):
    client = Client()
    assert client.post(FORM, form_data(name="", id_number="1")).status_code == 422
    assert client.post(FORM, form_data()).status_code == 302
    assert registered_days() == ["2019-08-26"]
