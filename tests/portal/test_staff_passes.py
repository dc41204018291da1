"""The portal's staff passes: a member issues passes within the grant, sends a ticket again,
an admin cancels one (the pass returns to the grant); another exhibitor sees none of it."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core import mail
from django.test import Client

from smartexpo.exhibitors.models import MemberRole
from smartexpo.tickets.models import PassGrant, Registration, RegistrationStatus, Ticket
from smartexpo.tickets.selectors import manage_token_of
from smartexpo.tickets.services.confirmations import confirmations_send
from smartexpo.tickets.services.restricted import pass_grant_set, staff_pass_issue
from tests.conftest import rid
from tests.portal.conftest import member, signed_in
from tests.tickets.test_restricted import ALL_DAYS, make_type

PASSES = "/portal/test-2019/huawei/staff-passes/"


@pytest.fixture
def grant(expo):
    make_type(expo, "staff", "exhibitor", quota=50, all_days=True, days=ALL_DAYS)
    return pass_grant_set(exhibitor=expo.test_exhibitors["huawei"], ticket_type="staff", passes=2)


def person(n: int = 1, **extra) -> dict:
    return {
        "ticket_type": "staff",
        "name": f"Staff {n}",
        "email": f"staff{n}@huawei.example",
        "id_type": "resident",
        "id_number": rid(n),
        **extra,
    }


def issued(expo, n: int = 1):
    return staff_pass_issue(exhibitor=expo.test_exhibitors["huawei"], **person(n)).registration


def test_a_staff_member_issues_a_pass_within_the_grant(grant, staff_client, admin_client):
    response = staff_client.post(PASSES, person(1))
    assert response.status_code == 302, response.content.decode()
    registration = Registration.objects.get()
    assert registration.exhibitor.slug == "huawei" and registration.status == "active"
    assert PassGrant.objects.get().used == 1
    # Every day of the pass, as the API gives by default.
    assert Ticket.objects.get().days == ALL_DAYS
    page = staff_client.get(PASSES).content.decode()
    assert "Staff pass issued to Staff 1" in page
    assert "1 of 2 issued" in page
    token = manage_token_of(registration)
    # The ticket page can cancel the pass: a staff member is not given its address.
    assert token not in page and "/ticket.pdf" not in page
    # An admin is: the ticket page and PDF the person was sent.
    serial = Ticket.objects.get(registration=registration).serial
    admin_page = admin_client.get(PASSES).content.decode()
    assert f"/expos/test-2019/my/{token}/" in admin_page
    assert f"/expos/test-2019/my/{token}/tickets/{serial}/ticket.pdf" in admin_page
    assert Client().get(f"/expos/test-2019/my/{token}/").status_code == 200


def test_a_pass_without_an_id_number_is_issued_as_the_api_allows(grant, staff_client):
    response = staff_client.post(PASSES, person(1, id_number=""))
    assert response.status_code == 302
    assert Registration.objects.get().id_hash == ""


def test_every_error_is_shown_at_once_and_translated(grant, staff_client):
    bad = person(1, name="", email="not-an-email", id_number="110105199001011234")
    response = staff_client.post(PASSES, bad)
    assert response.status_code == 422
    html = response.content.decode()
    for field in ("name", "email", "id_number"):
        assert f'id="id_{field}_error"' in html, field
    assert Registration.objects.count() == 0
    chinese = staff_client.post("/zh-hans" + PASSES, bad).content.decode()
    assert "这个字段是必填项" in chinese
    assert 'id="id_id_number_error"' in chinese


def test_a_used_up_grant_is_said_in_the_members_language(expo, grant, staff_client):
    issued(expo, 1)
    issued(expo, 2)
    page = staff_client.get(PASSES).content.decode()
    assert 'data-empty="used-up"' in page
    response = staff_client.post("/zh-hans" + PASSES, person(3))
    assert response.status_code == 422
    assert "授予您的员工证已全部发放" in response.content.decode()
    assert Registration.objects.count() == 2


def test_sending_the_ticket_again_queues_one_email(expo, grant, staff_client):
    registration = issued(expo)
    assert confirmations_send() == 1
    url = f"{PASSES}{registration.pk}/resend/"
    assert staff_client.post(url).status_code == 302
    assert staff_client.post(url).status_code == 302  # still waiting: not queued twice
    assert confirmations_send() == 1
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["staff1@huawei.example"]
    assert staff_client.get(url).status_code == 405


def test_only_an_admin_cancels_and_the_pass_returns_to_the_grant(
    expo, grant, staff_client, admin_client
):
    registration = issued(expo)
    cancel = f"{PASSES}{registration.pk}/cancel/"
    assert "Cancel…" not in staff_client.get(PASSES).content.decode()
    assert staff_client.get(cancel).status_code == 403
    assert staff_client.post(cancel).status_code == 403
    assert Registration.objects.get().status == RegistrationStatus.ACTIVE
    confirm = admin_client.get(cancel)
    assert confirm.status_code == 200 and "Staff 1" in confirm.content.decode()
    assert admin_client.post(cancel).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert Ticket.objects.get().status == "revoked"
    assert PassGrant.objects.get().used == 0  # as the API's cancel does
    # Cancelling again changes nothing.
    assert admin_client.post(cancel).status_code == 302
    assert PassGrant.objects.get().used == 0


def test_another_exhibitors_member_sees_and_touches_nothing(
    expo, grant, other_client, organiser_client
):
    registration = issued(expo)
    assert other_client.get(PASSES).status_code == 404
    assert other_client.post(PASSES, person(5)).status_code == 404
    # Through its own portal's addresses, Huawei's pass does not exist either.
    theirs = f"/portal/test-2019/toyota/staff-passes/{registration.pk}/"
    assert other_client.get(theirs + "cancel/").status_code == 404
    assert other_client.post(theirs + "cancel/").status_code == 404
    assert other_client.post(theirs + "resend/").status_code == 404
    assert Registration.objects.get().status == RegistrationStatus.ACTIVE
    anonymous = Client().get(PASSES)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/portal/login/")
    # The organiser may help: see and cancel.
    assert "Staff 1" in organiser_client.get(PASSES).content.decode()
    assert organiser_client.post(f"{PASSES}{registration.pk}/cancel/").status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED


def test_no_grant_is_explained(expo, staff_client):
    html = staff_client.get(PASSES).content.decode()
    assert 'data-empty="no-grant"' in html and '<form method="post" class="card form"' not in html


# --- under concurrency -----------------------------------------------------------------------


def _session(base: str, user, path: str) -> tuple[str, str]:
    """A signed-in browser's cookies and the form's CSRF token, read from the page."""
    client = signed_in(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with urllib.request.urlopen(
        urllib.request.Request(base + path, headers={"Cookie": cookie}), timeout=60
    ) as response:
        html = response.read().decode()
        csrf_cookie = response.headers.get_all("Set-Cookie")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    token_cookie = next(c.split(";")[0] for c in csrf_cookie if c.startswith("csrftoken="))
    return f"{cookie}; {token_cookie}", csrf


@pytest.mark.django_db(transaction=True)
def test_two_members_issuing_the_last_pass_at_once_issue_exactly_one(production_server, expo):
    make_type(expo, "staff", "exhibitor", quota=50, all_days=True, days=ALL_DAYS)
    huawei = expo.test_exhibitors["huawei"]
    pass_grant_set(exhibitor=huawei, ticket_type="staff", passes=2)
    issued(expo, 1)
    people = [
        (member(huawei, "a@huawei.example", MemberRole.ADMIN), "", 2),
        (member(huawei, "b@huawei.example", MemberRole.STAFF), "/zh-hans", 3),
    ]
    sessions = [
        (_session(production_server, user, lang + PASSES), lang, n) for user, lang, n in people
    ]
    barrier = threading.Barrier(len(sessions))
    results: dict[str, tuple[int, str]] = {}

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def attempt(cookie: str, csrf: str, lang: str, n: int) -> None:
        body = urllib.parse.urlencode({**person(n), "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(
            production_server + lang + PASSES,
            data=body,
            headers={"Cookie": cookie, "Referer": production_server + lang + PASSES},
        )
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                results[lang] = (response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            with exc:
                results[lang] = (exc.code, exc.read().decode())

    threads = [threading.Thread(target=attempt, args=(*s, lang, n)) for s, lang, n in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _body in results.values()) == [302, 422]
    loser = next(lang for lang, (status, _body) in results.items() if status == 422)
    message = (
        "授予您的员工证已全部发放" if loser else "Every staff pass granted to you has been issued"
    )
    assert message in results[loser][1]
    assert PassGrant.objects.get(exhibitor=huawei).used == 2
    assert Registration.objects.filter(exhibitor=huawei, status="active").count() == 2
