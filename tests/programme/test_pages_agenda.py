"""The visitor's side of the programme pages: the agenda behind the manage link, which the
browser then remembers; starring and reserving from the programme and session pages, every
refusal as a message on the page; forgetting the registration; the agenda's calendar feed."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.programme.models import AgendaFeed, Favourite, Reservation, SessionSeats
from smartexpo.programme.services.editing import session_create, session_update
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import reservation_make
from tests.conftest import make_expo, public_day_pass, register
from tests.programme.conftest import at

E = "/expos/test-2019"
PROGRAMME = f"{E}/programme/"


@pytest.fixture
def visitor(expo, programme):
    """A visitor with a day pass for 26 and 27 August, whose browser opened their agenda."""
    public_day_pass(expo, quota_per_day=100)
    issued = register(expo, 1)
    client = Client()
    response = client.get(f"{E}/my/{issued.manage_token}/agenda/")
    assert response.status_code == 200
    client.registration = issued.registration
    client.token = issued.manage_token
    return client


def post(client, path, action, session=None, language="en", **extra):
    prefix = "/zh-hans" if language == "zh-hans" else ""
    data = {"action": action, **extra}
    if session is not None:
        data["session"] = session
    return client.post(prefix + path, data)


def follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def test_the_manage_page_links_the_agenda(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    token = register(expo, 1).manage_token
    html = Client().get(f"{E}/my/{token}/").content.decode()
    assert f'href="{E}/my/{token}/agenda/"' in html and "Open my agenda" in html
    assert "打开我的日程" in Client().get(f"/zh-hans{E}/my/{token}/").content.decode()


def test_without_the_agenda_opened_the_pages_offer_no_buttons(programme):
    html = Client().get(PROGRAMME).content.decode()
    assert 'value="reserve"' not in html and 'value="star"' not in html
    assert "open “My agenda” from your tickets page" in html


def test_opening_the_agenda_remembers_the_registration_not_its_token(visitor):
    assert visitor.session["programme.registrations"] == {
        str(visitor.registration.expo_id): visitor.registration.pk
    }
    assert visitor.token not in str(dict(visitor.session))
    html = visitor.get(PROGRAMME).content.decode()
    assert 'value="star"' in html and 'value="reserve"' in html
    assert "Guest 1" in html and "Not you? Forget this registration" in html


def test_another_editions_or_an_unknown_token_is_404(expo, programme, visitor):
    other = make_expo(slug="test-2018")
    public_day_pass(other, quota_per_day=5)
    elsewhere = register(other, 2).manage_token
    client = Client()
    assert client.get(f"{E}/my/{elsewhere}/agenda/").status_code == 404
    assert client.get(f"{E}/my/not-a-token/agenda/").status_code == 404
    assert client.get(f"/expos/test-2018/my/{visitor.token}/agenda/").status_code == 404
    assert client.post(f"{E}/my/not-a-token/agenda/", {"action": "renew"}).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_star_and_unstar_from_the_programme(visitor, programme, language):
    keynote = programme["sessions"]["keynote"].pk
    response = post(visitor, PROGRAMME + "?forum=main", "star", keynote, language)
    assert response["Location"].endswith(f"/programme/?forum=main#s-{keynote}")
    html = follow(visitor, response)
    assert (
        "已收藏" if language == "zh-hans" else "Starred: the session is in your agenda."
    ) in html
    assert Favourite.objects.filter(registration=visitor.registration, session_id=keynote).exists()
    assert 'value="unstar"' in html
    html = follow(visitor, post(visitor, PROGRAMME, "unstar", keynote, language))
    assert not Favourite.objects.exists()
    assert ("已取消收藏" if language == "zh-hans" else "The star is removed") in html


def test_reserve_a_seat_and_cancel_it_from_the_session_page(visitor, programme):
    silk = programme["sessions"]["silk"].pk
    here = f"{E}/programme/sessions/{silk}/"
    html = follow(visitor, post(visitor, here, "reserve"))
    assert "Your seat is reserved." in html and "Seat reserved" in html and "2 seats left" in html
    assert Reservation.objects.get(session_id=silk).status == "confirmed"
    html = follow(visitor, post(visitor, here, "reserve"))
    assert "You already have a seat at this session." in html
    assert SessionSeats.objects.get(session_id=silk).confirmed == 1
    html = follow(visitor, post(visitor, here, "cancel", language="zh-hans"))
    assert "您的预约已取消" in html
    assert not Reservation.objects.exists()


def test_no_ticket_for_the_day_is_a_message_not_an_error_page(expo, visitor, programme):
    later, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="On the third day",
        starts_at=at(28, 10),
        ends_at=at(28, 11),
        seats=10,
    )
    programme_publish(expo=expo, actor="test")
    response = post(visitor, PROGRAMME + "?day=2019-08-28", "reserve", later.pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "None of your tickets is valid on 2019-08-28" in html
    zh = post(visitor, PROGRAMME + "?day=2019-08-28", "reserve", later.pk, "zh-hans")
    assert "您的门票在 2019-08-28 均无效" in zh.content.decode()
    assert not Reservation.objects.exists()


def test_an_agenda_conflict_offers_to_reserve_anyway(visitor, programme):
    s = programme["sessions"]
    follow(visitor, post(visitor, PROGRAMME, "reserve", s["silk"].pk))
    response = post(visitor, PROGRAMME, "reserve", s["ai"].pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This session overlaps “Cooperation along the Silk Road” in your agenda." in html
    alert = html.split('role="alert"')[1].split("</div>")[0]
    assert 'name="force" value="1"' in alert and "Reserve anyway" in alert
    html = follow(visitor, post(visitor, PROGRAMME, "reserve", s["ai"].pk, force="1"))
    assert "Your seat is reserved." in html
    assert Reservation.objects.get(session_id=s["ai"].pk).forced
    zh = post(visitor, PROGRAMME, "reserve", s["ai"].pk, "zh-hans")  # a repeat: no conflict
    assert zh.status_code == 302


def test_a_full_session_refuses_a_seat_and_offers_the_waiting_list(expo, visitor, programme):
    silk = programme["sessions"]["silk"].pk
    for n in range(2, 5):
        reservation_make(registration=register(expo, n).registration, session_id=silk)
    html = visitor.get(PROGRAMME).content.decode()
    block = html.split(f'id="s-{silk}"')[1].split("</article>")[0]
    assert 'value="waitlist"' in block and 'value="reserve"' not in block
    # A seat the page offered, taken by someone else before the click.
    response = post(visitor, PROGRAMME, "reserve", silk)
    assert response.status_code == 409
    alert = response.content.decode().split('role="alert"')[1].split("</div>")[0]
    assert "Every seat is taken." in alert and 'value="waitlist"' in alert
    html = follow(visitor, post(visitor, PROGRAMME, "waitlist", silk))
    assert "You are on the waiting list, first in line." in html
    agenda = visitor.get(f"{E}/my/{visitor.token}/agenda/").content.decode()
    assert "Waiting list: number 1" in agenda
    html = follow(visitor, post(visitor, f"{E}/my/{visitor.token}/agenda/", "cancel", silk))
    assert "You left the waiting list." in html
    assert not Reservation.objects.filter(registration=visitor.registration).exists()


def test_a_session_needing_no_seat_offers_only_a_star(visitor, programme):
    keynote = programme["sessions"]["keynote"].pk
    html = visitor.get(f"{E}/programme/sessions/{keynote}/").content.decode()
    actions = html.split('class="prog-actions"')[1].split("</form>")[0]
    assert 'value="star"' in actions and 'value="reserve"' not in actions
    response = post(visitor, f"{E}/programme/sessions/{keynote}/", "reserve")
    assert response.status_code == 409
    assert "This session needs no reservation" in response.content.decode()


def test_buttons_need_a_remembered_registration_and_a_csrf_token(visitor, programme):
    silk = programme["sessions"]["silk"].pk
    stranger = Client()
    html = follow(stranger, post(stranger, PROGRAMME, "reserve", silk))
    assert "Open your agenda from the link on your tickets page first" in html
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = visitor.cookies
    assert post(strict, PROGRAMME, "reserve", silk).status_code == 403
    assert post(visitor, PROGRAMME, "explode", silk).status_code == 302
    assert post(visitor, PROGRAMME, "reserve", "x1").status_code == 302
    assert not Reservation.objects.exists()


def test_forget_this_registration(visitor, programme):
    html = follow(visitor, post(visitor, PROGRAMME, "forget"))
    assert "This browser no longer remembers your registration." in html
    assert 'value="star"' not in html
    assert visitor.session["programme.registrations"] == {}
    # From the agenda page too, in Chinese, back to the programme.
    visitor.get(f"{E}/my/{visitor.token}/agenda/")
    response = post(visitor, f"{E}/my/{visitor.token}/agenda/", "forget", language="zh-hans")
    assert response["Location"] == f"/zh-hans{PROGRAMME}"
    assert "此浏览器不再记住您的登记" in follow(visitor, response)


def test_the_agenda_by_day_with_moved_and_cancelled_sessions(expo, visitor, programme):
    s = programme["sessions"]
    agenda = f"{E}/my/{visitor.token}/agenda/"
    html = visitor.get(agenda).content.decode()
    assert "Nothing here yet." in html
    follow(visitor, post(visitor, PROGRAMME, "star", s["keynote"].pk))
    follow(visitor, post(visitor, PROGRAMME, "reserve", s["silk"].pk))
    follow(visitor, post(visitor, PROGRAMME, "star", s["ai"].pk))
    html = visitor.get(agenda).content.decode()
    assert html.index("Opening keynote") < html.index("Cooperation along") < html.index("AI in")
    assert "Monday, August 26" in html and "Seat reserved" in html and "★ Starred" in html
    session_update(session=s["keynote"], changes={"starts_at": at(26, 9), "ends_at": at(26, 10)})
    session_update(session=s["silk"], changes={"cancelled": True})
    programme_publish(expo=expo, actor="test", confirm=True)
    html = visitor.get(agenda).content.decode()
    assert "it was at Monday, August 26 09:30 before the latest release." in html
    gone = html.split('class="agenda-gone"')[1]
    assert "<s>Cooperation along the Silk Road</s>" in gone and 'value="cancel"' in gone
    zh = visitor.get("/zh-hans" + agenda).content.decode()
    assert "已不在日程中" in zh and "<s>丝路数字合作</s>" in zh and "已调整" in zh
    html = follow(visitor, post(visitor, agenda, "cancel", s["silk"].pk))
    assert "Your reservation is cancelled" in html and "agenda-gone" not in html
    follow(visitor, post(visitor, agenda, "unstar", s["ai"].pk))
    assert list(Favourite.objects.values_list("session_id", flat=True)) == [s["keynote"].pk]


def test_the_agenda_shows_its_calendar_feed_and_renews_its_address(visitor):
    agenda = f"{E}/my/{visitor.token}/agenda/"
    html = visitor.get(agenda).content.decode()
    secret = AgendaFeed.objects.get(registration=visitor.registration).secret
    assert f'value="http://testserver{E}/agenda/{secret}.ics"' in html
    assert f'href="webcal://testserver{E}/agenda/{secret}.ics"' in html
    assert "Download .ics" in html and "Subscribe (webcal://)" in html
    html = follow(visitor, post(visitor, agenda, "renew"))
    assert "Your calendar has a new address" in html
    renewed = AgendaFeed.objects.get(registration=visitor.registration).secret
    assert renewed != secret and renewed in html and secret not in html
    zh = visitor.get("/zh-hans" + agenda).content.decode()
    assert "下载 .ics" in zh and "订阅（webcal://）" in zh and "<h1>我的日程</h1>" in zh


def test_a_refusal_at_a_session_not_shown_is_said_at_the_top(expo, visitor, programme):
    later, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="On the third day",
        starts_at=at(28, 10),
        ends_at=at(28, 11),
        seats=10,
    )
    programme_publish(expo=expo, actor="test")
    response = post(visitor, PROGRAMME + "?day=2019-08-26", "reserve", later.pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert f'id="s-{later.pk}"' not in html
    top = html.split("<main")[1].split('class="prog-heading"')[0]
    assert 'role="alert"' in top and "None of your tickets is valid on 2019-08-28" in top


def test_a_registration_gone_is_forgotten(visitor, programme):
    visitor.registration.delete()
    html = visitor.get(PROGRAMME).content.decode()
    assert 'value="star"' not in html
    assert visitor.session["programme.registrations"] == {}
