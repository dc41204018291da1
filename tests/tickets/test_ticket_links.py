"""Find my ticket: the links to one's tickets, emailed to the registration's address when asked
by email or ID number; the same answer whatever is found; limited per client and per address."""

import re
import secrets

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import Registration, TicketLinksRequest
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.ticket_links import ticket_links_request, ticket_links_send
from tests.conftest import make_expo, public_day_pass, register, rid

PAGE = "/expos/test-2019/find-my-ticket/"
BASE = "http://127.0.0.1:8000"


def random_ip() -> str:
    # The counters outlive a test (their own file): each test asks from an address of its own.
    return f"198.51.{secrets.randbelow(255)}.{secrets.randbelow(254) + 1}"


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def registered(expo):
    public_day_pass(expo, quota_per_day=10)
    return register(expo, name="Li Wei", email="Li.Wei@example.cn")


def ask(query: str, language: str = "", client: Client | None = None):
    client = client or Client(REMOTE_ADDR=random_ip())
    return client.post(f"{language}{PAGE}", {"query": query})


def sent() -> list:
    ticket_links_send()
    return mail.outbox


def test_asking_by_email_sends_the_links_to_the_registrations_page_and_pdf(registered):
    assert ask("li.wei@EXAMPLE.cn ").status_code == 302
    assert len(sent()) == 1
    message = mail.outbox[0]
    assert message.to == ["Li.Wei@example.cn"]
    assert "Test Expo 2019" in message.subject
    urls = re.findall(re.escape(BASE) + r"(\S+)", message.body)
    manage = [u for u in urls if u.endswith("/")]
    pdfs = [u for u in urls if u.endswith("/ticket.pdf")]
    assert len(manage) == 1 and len(pdfs) == 1
    client = Client()
    assert "Li Wei" in client.get(manage[0]).content.decode()
    assert client.get(pdfs[0])["Content-Type"] == "application/pdf"
    assert not message.attachments


def test_asking_by_id_number_mails_the_address_registered_never_one_typed(registered):
    number = rid(1)
    ask(number.lower())  # an x check character would read as X; this one is a digit
    assert [m.to for m in sent()] == [["Li.Wei@example.cn"]]
    assert number not in mail.outbox[0].body


def test_the_page_answers_the_same_whether_or_not_anything_was_found(registered):
    client = Client(REMOTE_ADDR=random_ip())
    answers = []
    for query in ("li.wei@example.cn", "nobody@example.cn", rid(1), rid(2)):
        response = ask(query, client=client)
        answers.append((response.status_code, response["Location"]))
        page = client.get(response["Location"]).content.decode()
        # A form's CSRF token is masked afresh on every page: the one thing allowed to differ.
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert answers[0::2] == [answers[0]] * 4
    assert answers[1::2] == [answers[1]] * 4
    assert "If a registration for this expo matches what you entered" in answers[1]
    assert len(sent()) == 2  # the email and the ID number found Li Wei; the others nobody


def test_nothing_found_sends_nothing_and_stores_nothing(registered):
    ask("nobody@example.cn")
    ask(rid(9))
    assert not TicketLinksRequest.objects.exists()
    assert sent() == []


def test_another_editions_registrations_are_not_found(registered):
    other = make_expo(slug="test-2020")
    Client(REMOTE_ADDR=random_ip()).post(f"/expos/{other.slug}/find-my-ticket/", {"query": rid(1)})
    assert sent() == []


def test_a_cancelled_registration_is_left_out(registered):
    registration_cancel(registration=registered.registration)
    ask("li.wei@example.cn")
    assert sent() == []


def test_a_registration_erased_after_the_ask_is_not_mailed(registered):
    ask("li.wei@example.cn")
    Registration.objects.filter(pk=registered.registration.pk).update(
        erased_at="2019-08-26T00:00:00Z"
    )
    assert sent() == []
    assert TicketLinksRequest.objects.get().sent_at is not None  # done with, not retried


def test_each_address_gets_one_email_listing_all_its_registrations(registered, expo):
    register(expo, 2, days=["2019-08-27"], name="Li Na", email="li.wei@example.cn")
    ask("li.wei@example.cn")
    assert len(sent()) == 1
    assert "Li Wei" in mail.outbox[0].body and "Li Na" in mail.outbox[0].body


def test_the_email_is_in_the_language_of_the_page_asked_from(registered):
    ask("li.wei@example.cn", language="/zh-hans")
    body = sent()[0].body
    assert "门票链接" in mail.outbox[0].subject
    assert f"{BASE}/zh-hans/expos/test-2019/my/sxm_" in body


def test_each_email_is_sent_once(registered):
    ask("li.wei@example.cn")
    assert ticket_links_send() == 1
    assert ticket_links_send() == 0
    assert len(mail.outbox) == 1


def test_neither_an_email_nor_an_id_number_is_refused_without_echoing_it(registered):
    typed = "110105 19900101 123"  # neither a resident ID nor a passport number
    response = ask(typed)
    page = response.content.decode()
    assert response.status_code == 422
    assert typed not in page
    assert "19900101" not in page
    assert "Enter the email address or the ID number you registered with." in page


def test_a_client_is_limited_and_told_so_in_its_language(registered, settings):
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS = 2
    client = Client(REMOTE_ADDR=random_ip())
    statuses = [ask(f"p{n}@example.cn", "/zh-hans", client).status_code for n in range(2)]
    refused = ask(rid(1), "/zh-hans", client)
    assert [*statuses, refused.status_code] == [302, 302, 429]
    page = refused.content.decode()
    assert "您所在网络的请求次数过多" in page
    assert rid(1) not in page
    assert sent() == []
    # Another client is not affected.
    assert ask("li.wei@example.cn").status_code == 302


def test_an_address_gets_no_more_emails_than_its_limit_and_the_answer_does_not_change(
    registered, settings
):
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS = 1
    # An address of this test's own: the counters outlive a test.
    address = f"limited-{secrets.token_hex(6)}@example.cn"
    Registration.objects.filter(pk=registered.registration.pk).update(email=address)
    # By email, then by ID number, from two clients: the same recipient either way.
    first, second = ask(address), ask(rid(1))
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert len(sent()) == 1


def test_a_client_is_limited_per_hour_as_well_as_per_minute(registered, settings):
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY = 3
    client = Client(REMOTE_ADDR=random_ip())
    statuses = [ask(f"p{n}@example.cn", client=client).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_an_address_gets_no_more_emails_an_hour_than_its_hourly_limit(registered, settings):
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY = 2
    address = f"hourly-{secrets.token_hex(6)}@example.cn"
    Registration.objects.filter(pk=registered.registration.pk).update(email=address)
    answers = {(r.status_code, r["Location"]) for r in (ask(address) for _ in range(4))}
    assert len(answers) == 1  # the page says the same each time
    assert len(sent()) == 2


def _registration_lookup_plan(expo, query: str) -> str:
    """The database's plan for the registrations look-up of an ask (the one SELECT of
    registrations it makes)."""
    with CaptureQueriesContext(connection) as captured:
        ticket_links_request(expo=expo, query=query, client=random_ip())
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and "tickets_registration" in q["sql"]
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        else:
            # A test's table is tiny, where reading it all is cheapest: ask what the index
            # would be used for when a scan is not an option, as on an edition's 100,000 rows.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(str(row) for row in cursor.fetchall())


def test_an_email_is_looked_up_by_the_editions_index_not_by_scanning_it(registered):
    expo = registered.registration.expo
    plan = _registration_lookup_plan(expo, "LI.WEI@Example.cn")
    assert "registration_email" in plan, plan
    assert len(sent()) == 1  # whatever its case, the address is found


def test_the_service_refuses_what_is_neither_and_is_silent_about_the_rest(registered):
    with pytest.raises(SmartExpoError) as exc:
        ticket_links_request(expo=registered.registration.expo, query="li.wei", client="x")
    assert exc.value.code == "invalid"
    assert "query" in exc.value.detail["fields"]
    for query in ("li.wei@example.cn", "nobody@example.cn"):
        result = ticket_links_request(
            expo=registered.registration.expo, query=query, client=random_ip()
        )
        assert result is None


def test_the_duplicate_refusal_links_to_find_my_ticket(registered):
    form = {
        "ticket_type": "public-day",
        "days": ["2019-08-26"],
        "name": "Li Wei",
        "email": "other@example.cn",
        "id_type": "resident",
        "id_number": rid(1),
    }
    for language, words in (("", "Lost your ticket?"), ("/zh-hans", "找不到门票？")):
        page = Client().post(f"{language}/expos/test-2019/register/", form).content.decode()
        link = f'<a href="{language}{PAGE}">{words}'
        assert link in page


def test_the_registration_page_links_to_find_my_ticket(registered):
    page = Client().get("/zh-hans/expos/test-2019/register/").content.decode()
    assert f'<a href="/zh-hans{PAGE}">找回我的门票</a>' in page


def test_the_duplicate_refusal_of_a_waiting_list_offer_links_to_find_my_ticket(registered, expo):
    from smartexpo.tickets.services.waitlist import offer_token, waitlist_join

    # Day one holds ten places: nine more people fill it, and one waits.
    held = [register(expo, 10 + n) for n in range(9)]
    entry = waitlist_join(
        expo=expo, ticket_type="public-day", day="2019-08-26", name="W", email="w@example.cn"
    )
    registration_cancel(registration=held[0].registration)
    entry.refresh_from_db()
    path = f"/zh-hans/expos/test-2019/waitlist/{offer_token(entry)}/"
    # The person waiting gives an ID number that holds a ticket for that day already.
    form = {"name": "W", "email": "w@example.cn", "id_type": "resident", "id_number": rid(1)}
    page = Client().post(path, form).content.decode()
    assert "该证件号码已持有 2019-08-26 的门票。" in page
    assert f'<a href="/zh-hans{PAGE}">找不到门票？' in page
