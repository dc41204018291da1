"""The programme page as anyone without a session sees it is kept per release, and never
answers differently from a page drawn anew: seats, a release, the catalogue, the clock and
the visitor's own CSRF token each change what is served."""

from __future__ import annotations

import re

from django.test import Client

from smartexpo.exhibitors.models import Tag
from smartexpo.programme.services.editing import session_update
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import reservation_make
from smartexpo.programme.views.public import CSRF_STAND_IN
from smartexpo.venue.models import Expo
from tests.conftest import public_day_pass, register
from tests.programme.conftest import at

URL = "/expos/test-2019/programme/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def anyone(path: str = URL, **params) -> str:
    response = Client().get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def seats_text(html: str, session_id: int) -> str:
    block = html.split(f'id="s-{session_id}"', 1)[1].split("</article>", 1)[0]
    return re.search(r'<p class="prog-seats">(.*?)</p>', block).group(1)


def test_a_seat_taken_shows_at_once(expo, programme):
    silk = programme["sessions"]["silk"].pk
    assert "3 seats left" in seats_text(anyone(), silk)
    public_day_pass(expo, quota_per_day=5)
    reservation_make(registration=register(expo, 1).registration, session_id=silk)
    assert "2 seats left" in seats_text(anyone(), silk)


def test_a_new_release_shows_at_once_and_the_working_copy_never(expo, programme):
    keynote = programme["sessions"]["keynote"]
    anyone()
    session_update(session=keynote, changes={"title_en": "Welcome address"})
    assert "Welcome address" not in anyone()
    programme_publish(expo=expo, actor="test")
    assert "Welcome address" in anyone()


def test_a_catalogue_change_shows_at_once(expo, programme):
    assert "Machine intelligence" not in anyone(tag="ai")
    Tag.objects.filter(code="ai").update(name_en="Machine intelligence")
    assert "Machine intelligence" in anyone(tag="ai")


def test_now_and_next_follow_the_editions_clock(expo, programme):
    Expo.objects.filter(pk=expo.pk).update(clock_offset=None)
    assert "badge-now" not in anyone()
    from django.utils import timezone

    Expo.objects.filter(pk=expo.pk).update(clock_offset=at(26, 10) - timezone.now())
    html = anyone()
    keynote = programme["sessions"]["keynote"].pk
    assert "badge-now" in html.split(f'id="s-{keynote}"', 1)[1].split("</article>", 1)[0]


def test_each_visitor_gets_their_own_csrf_token_and_it_works(expo, programme):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for client in (first, second):
        html = client.get(URL).content.decode()
        assert CSRF_STAND_IN not in html
        tokens.append(TOKEN.search(html).group(1))
    assert tokens[0] != tokens[1]
    switched = first.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": URL, "csrfmiddlewaretoken": tokens[0]},
    )
    assert switched.status_code == 302


def test_a_visitor_with_a_session_gets_a_page_of_their_own(expo, programme, client):
    client.get(URL)  # nothing kept yet from this browser's point of view
    client.cookies["sessionid"] = "not-a-session"
    html = client.get(URL).content.decode()
    assert CSRF_STAND_IN not in html and "Opening keynote" in html
