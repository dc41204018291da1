"""The registration form, the manage page, the ticket documents and the confirmation email."""

import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from smartexpo.tickets.models import DayQuota, Registration
from smartexpo.tickets.services.confirmations import confirmations_send
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient, error_of, rid

FORM = "/expos/test-2019/register/"


@pytest.fixture
def day_type(expo):
    return ticket_type_create(
        expo=expo,
        code="day",
        name_en="Public day pass",
        name_zh="普通日票",
        days=["2019-08-26", "2019-08-27"],
        quota_per_day=2,
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


def test_the_form_shows_places_left_and_labels_in_chinese(day_type):
    page = Client().get("/zh-hans" + FORM).content.decode()
    assert "普通日票" in page
    assert '<label for="id_name">' in page
    assert "剩余名额" in page or "Places left" in page


def test_registering_through_the_form_leads_to_the_tickets(day_type):
    client = Client()
    response = client.post("/zh-hans" + FORM, form_data())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page
    assert "1101**********" in page
    registration = Registration.objects.get()
    assert registration.language == "zh-hans"
    assert registration.source == "web"


def test_form_errors_are_shown_at_their_fields_and_keep_the_input(day_type):
    bad = form_data(id_number=rid()[:17] + ("1" if rid()[17] != "1" else "2"), email="x")
    response = Client().post(FORM, bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_email_error"' in page
    assert 'value="李伟"' in page
    assert Registration.objects.count() == 0


def test_the_id_check_digit_error_is_at_the_id_field(day_type):
    bad = form_data(id_number=rid()[:17] + ("1" if rid()[17] != "1" else "2"))
    page = Client().post(FORM, bad).content.decode()
    assert 'id="id_id_number_error"' in page
    assert "check digit" in page


def test_sold_out_and_duplicate_are_explained(day_type):
    client = Client()
    client.post(FORM, form_data(id_number=rid(1)))
    client.post(FORM, form_data(id_number=rid(2)))
    full = client.post(FORM, form_data(id_number=rid(3))).content.decode()
    assert "no places are left on 2019-08-26" in full
    again = client.post(FORM, form_data(id_number=rid(1), days=["2019-08-26"])).content.decode()
    assert "already holds a ticket" in again


def test_manage_page_downloads_the_pdf_and_cancels(day_type):
    client = Client()
    manage = client.post(FORM, form_data())["Location"]
    registration = Registration.objects.get()
    serial = registration.tickets.get().serial
    pdf = client.get(f"{manage}tickets/{serial}/ticket.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Publicdaypass" in text
    assert str(serial) in text
    response = client.post(f"{manage}cancel/")
    assert response.status_code == 302
    assert "void" in client.get(manage).content.decode()
    assert DayQuota.objects.get(day="2019-08-26").sold == 0


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_a_cancelled_tickets_page_and_pdf_say_so_in_both_languages(day_type, prefix):
    client = Client()
    manage = client.post(prefix + FORM, form_data())["Location"]
    serial = Registration.objects.get().tickets.get().serial
    assert client.post(f"{manage}cancel/").status_code == 302

    page = client.get(manage).content.decode()
    ticket = page.split('class="card ticket')[1].split("</li>")[0]
    assert "CANCELLED" in ticket and "已取消" in ticket
    # No code that could pass for an entry code.
    assert "<svg" not in ticket

    # The PDF link still answers, with a ticket no one could take for a valid one.
    pdf = client.get(f"{manage}tickets/{serial}/ticket.pdf")
    assert pdf.status_code == 200
    text = "".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "CANCELLED" in text and "已取消" in text
    assert str(serial) in text


def test_a_valid_tickets_page_has_its_code_and_no_cancelled_mark(day_type):
    client = Client()
    page = client.get(client.post(FORM, form_data())["Location"]).content.decode()
    ticket = page.split('class="card ticket')[1].split("</li>")[0]
    assert "<svg" in ticket
    assert "CANCELLED" not in ticket and "已取消" not in ticket


def test_a_cancelled_tickets_qr_code_is_refused_by_the_api_and_its_pdf_is_marked(day_type):
    body = (
        ApiClient()
        .post(
            "/api/v1/expos/test-2019/registrations",
            {"ticket_type": "day", "days": ["2019-08-26"], "name": "Li", "email": "l@example.cn"},
        )
        .json()
    )
    serial = body["tickets"][0]["serial"]
    holder = ApiClient(body["manage_token"])
    cancel = f"/api/v1/expos/test-2019/registrations/{body['id']}/cancel"
    assert holder.post(cancel).status_code == 200
    base = f"/api/v1/expos/test-2019/tickets/{serial}"
    for name in ("qr.svg", "qr.png"):
        answer = holder.get(f"{base}/{name}")
        assert answer.status_code == 409, name
        assert error_of(answer)["code"] == "ticket_void"
    pdf = holder.get(f"{base}/ticket.pdf")
    text = "".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "CANCELLED" in text and "已取消" in text


def test_an_unknown_manage_link_is_404(day_type):
    assert Client().get("/expos/test-2019/my/sxm_nope/").status_code == 404


def test_confirmation_email_is_sent_once_after_commit_with_the_pdf(day_type, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Client().post("/zh-hans" + FORM, form_data())
    assert mail.outbox == []  # nothing is sent inside the request
    assert confirmations_send() == 1
    assert confirmations_send() == 0
    message = mail.outbox[0]
    assert message.to == ["li.wei@example.cn"]
    assert "测试博览会2019" in message.subject
    assert rid() not in message.body
    assert "/zh-hans/expos/test-2019/my/sxm_" in message.body
    (_name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    # The link in the email opens the tickets.
    path = message.body.split("http://127.0.0.1:8000")[1].split()[0]
    assert Client().get(path).status_code == 200


def test_a_failing_mail_server_is_retried_later(day_type, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Client().post(FORM, form_data())

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert confirmations_send() == 0
    monkeypatch.undo()
    Registration.objects.update(confirmation_lease_until=None)  # the lease has run out
    assert confirmations_send() == 1


def test_ticket_documents_by_api_for_the_holder_and_organizers_only(day_type, organizer, exhibitor):
    body = (
        ApiClient()
        .post(
            "/api/v1/expos/test-2019/registrations",
            {"ticket_type": "day", "days": ["2019-08-26"], "name": "Li", "email": "l@example.cn"},
        )
        .json()
    )
    serial = body["tickets"][0]["serial"]
    base = f"/api/v1/expos/test-2019/tickets/{serial}"
    holder = ApiClient(body["manage_token"])
    svg = holder.get(f"{base}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert holder.get(f"{base}/qr.png").content.startswith(b"\x89PNG")
    assert holder.get(f"{base}/ticket.pdf").content.startswith(b"%PDF")
    assert organizer.get(f"{base}/ticket.pdf").status_code == 200
    assert exhibitor.get(f"{base}/qr.svg").status_code == 403
    assert ApiClient().get(f"{base}/qr.svg").status_code == 401
    other = (
        ApiClient()
        .post(
            "/api/v1/expos/test-2019/registrations",
            {"ticket_type": "day", "days": ["2019-08-27"], "name": "W", "email": "w@example.cn"},
        )
        .json()
    )
    assert ApiClient(other["manage_token"]).get(f"{base}/qr.svg").status_code == 404
    assert holder.get("/api/v1/expos/test-2019/tickets/0/qr.svg").status_code == 422
    assert holder.get("/api/v1/expos/test-2019/tickets/abc/qr.svg").status_code == 422
