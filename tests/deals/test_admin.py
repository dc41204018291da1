"""Deals in the admin: the form is checked by the deals' rule (its messages on the fields and
party rows they name, never a 500), every save goes through the services (and so into the
log), the status moves with dated evidence, documents are organisers', imports report by
line, and the log is read only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartexpo.deals.models import Deal, Document, LogEntry, StatusChange
from smartexpo.deals.services.deals import deal_create
from tests.deals.test_documents import PDF
from tests.deals.test_services import deal_data

ADD = "/admin/deals/deal/add/"


def deal_form(edition, *, parties=(), initial_parties=0, **values) -> dict:
    expo = edition
    form = {
        "expo": expo.pk,
        "ref": "A-1",
        "title_en": "Smart factory",
        "title_zh": "智能工厂",
        "summary_en": "",
        "summary_zh": "",
        "sector": expo.test_exhibitors["huawei"].sector_id,
        "kind": "investment",
        "investment_form": "greenfield",
        "amount": "1250000000.50",
        "currency": "CNY",
        "rate": "",
        "rate_on": "",
        "signed_on": "2019-08-26",
        "at_expo": "on",
        "ceremony": "",
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": str(initial_parties),
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    for i, party in enumerate(parties):
        for name in ("id", "exhibitor", "name_en", "name_zh", "country", "region", "city"):
            form[f"parties-{i}-{name}"] = party.get(name, "")
        if party.get("DELETE"):
            form[f"parties-{i}-DELETE"] = "on"
        form[f"parties-{i}-deal"] = party.get("deal", "")
    for key, value in values.items():
        if value is None:
            form.pop(key, None)
        else:
            form[key] = value
    return form


def errors_of(response) -> dict:
    form = response.context["adminform"].form
    parties = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model.__name__ == "DealParty"
    )
    return {
        "form": {k: [str(e) for e in v] for k, v in form.errors.items()},
        "parties": [dict(e) for e in parties.formset.errors],
        "parties_nonform": list(parties.formset.non_form_errors()),
    }


def saved_parties(deal) -> list[dict]:
    """The inline's rows of a saved deal's parties, as its change page sends them back."""
    return [
        {
            "id": p.pk,
            "deal": deal.pk,
            "name_en": p.name_en,
            "exhibitor": p.exhibitor_id or "",
            "country": p.country,
            "region": p.region,
        }
        for p in deal.parties.order_by("position")
    ]


ACME = {"name_en": "Acme Holdings", "country": "de", "region": "Bavaria"}


def test_a_deal_is_added_through_the_service_and_logged(expo, staff):
    huawei = expo.test_exhibitors["huawei"]
    answer = staff.post(
        f"{ADD}?expo={expo.pk}", deal_form(expo, parties=[ACME, {"exhibitor": huawei.pk}])
    )
    assert answer.status_code == 302, errors_of(answer)
    deal = Deal.objects.get(ref="A-1")
    assert deal.amount == Decimal("1250000000.50")
    assert [(p.position, p.name_en or p.exhibitor.slug, p.country) for p in deal.parties.all()] == [
        (0, "Acme Holdings", "DE"),
        (1, "huawei", huawei.country),
    ]
    entry = LogEntry.objects.get(expo=expo)
    assert entry.deal == deal.pk
    assert entry.change["parties"][0]["name"]["en"] == "Acme Holdings"


def test_bad_input_shows_the_rules_messages_on_its_fields(expo, staff):
    form = deal_form(
        expo,
        parties=[{"name_en": "", "country": "Germany"}, {"exhibitor": "", "name_en": "Ok"}],
        amount="12.345",
        investment_form="",
        currency="USD",
        rate="",
        title_en="",
    )
    answer = staff.post(f"{ADD}?expo={expo.pk}", form)
    assert answer.status_code == 200
    errors = errors_of(answer)
    assert "At most 2 decimal places." in errors["form"]["amount"]
    assert "title_en" in errors["form"]
    assert not Deal.objects.exists()
    # The party rows' own messages, once the deal's fields are right.
    form.update(amount="10.00", investment_form="greenfield", currency="CNY", title_en="T")
    answer = staff.post(f"{ADD}?expo={expo.pk}", form)
    errors = errors_of(answer)
    assert errors["parties"][0] == {"name_en": ["The English text is required."]}
    form["parties-0-name_en"] = "Acme"
    errors = errors_of(staff.post(f"{ADD}?expo={expo.pk}", form))
    assert errors["parties"][0] == {"country": ["Two letters (ISO 3166-1), e.g. CN or DE."]}
    # Joined rules: an investment without its form; a foreign amount without a known rate.
    form.update({"parties-0-name_en": "Acme", "parties-0-country": "DE"})
    form.update(investment_form="", currency="USD")
    errors = errors_of(staff.post(f"{ADD}?expo={expo.pk}", form))
    assert errors["form"]["investment_form"] == [
        "An investment is greenfield, expansion or joint_venture."
    ]
    assert errors["form"]["rate"][0].startswith("No recorded rate of USD")
    # No party at all.
    errors = errors_of(staff.post(f"{ADD}?expo={expo.pk}", deal_form(expo, parties=[])))
    assert errors["parties_nonform"] == ["This field is required."]
    assert not Deal.objects.exists()


def test_a_reference_taken_is_refused_on_its_field(expo, staff):
    deal_create(expo=expo, data=deal_data(ref="A-1"))
    answer = staff.post(f"{ADD}?expo={expo.pk}", deal_form(expo, parties=[ACME]))
    assert errors_of(answer)["form"]["ref"] == ["Another deal of this edition has this reference."]


def test_a_change_goes_through_deal_update_and_a_stale_form_is_refused(expo, staff):
    deal = deal_create(expo=expo, data=deal_data(ref="A-1"))
    party = deal.parties.order_by("position").first()
    url = f"/admin/deals/deal/{deal.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert b"Move the status" in page.content
    parties = saved_parties(deal)
    form = deal_form(
        expo, parties=parties, initial_parties=2, amount="2000.00", seen_version="1", expo=None
    )
    answer = staff.post(url, form)
    assert answer.status_code == 302, errors_of(answer)
    deal.refresh_from_db()
    assert (deal.amount, deal.version) == (Decimal("2000.00"), 2)
    change = LogEntry.objects.filter(expo=expo).order_by("seq").last().change
    assert change == {"amount": "2000.00", "amount_cny": "2000.00"}
    # The same form again: the deal moved on since it was opened.
    again = staff.post(url, {**form, "amount": "3000.00"})
    assert again.status_code == 200
    assert "changed since you opened it" in str(errors_of(again)["form"]["__all__"])
    # A party removed in the inline, through the service too.
    parties[1]["DELETE"] = True
    form = deal_form(expo, parties=parties, initial_parties=2, seen_version="2", expo=None)
    assert staff.post(url, form).status_code == 302
    assert list(deal.parties.values_list("name_en", flat=True)) == [party.name_en]
    assert LogEntry.objects.filter(expo=expo).count() == 3


def test_a_refusal_of_the_service_after_the_form_is_a_message_not_an_error(expo, staff):
    deal = deal_create(expo=expo, data=deal_data(ref="A-1"))
    staff.post(
        f"/admin/deals/deal/{deal.pk}/status/",
        {"status": "registered", "on": "2019-09-01", "evidence": "Reg. 1"},
    )
    parties = saved_parties(deal)
    # Signed after its present status (registered on 1 September): the service's own check.
    form = deal_form(
        expo, parties=parties, initial_parties=2, signed_on="2019-09-02", at_expo="",
        seen_version="2", expo=None,
    )  # fmt: skip
    answer = staff.post(f"/admin/deals/deal/{deal.pk}/change/", form, follow=True)
    assert answer.status_code == 200
    assert "cannot be signed after its present status" in answer.content.decode()
    deal.refresh_from_db()
    assert deal.signed_on == dt.date(2019, 8, 26)


def test_deals_are_never_deleted_and_the_log_is_read_only(expo, staff):
    deal = deal_create(expo=expo, data=deal_data())
    entry = LogEntry.objects.get()
    assert staff.get(f"/admin/deals/deal/{deal.pk}/delete/").status_code == 403
    assert staff.get("/admin/deals/logentry/add/").status_code == 403
    assert staff.get(f"/admin/deals/logentry/{entry.pk}/delete/").status_code == 403
    page = staff.get(f"/admin/deals/logentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert staff.get("/admin/deals/ledger/add/").status_code == 403
    assert staff.get("/admin/deals/dealskey/add/").status_code == 403
    assert staff.get("/admin/deals/exchangerate/add/").status_code == 200


def test_the_status_moves_with_dated_evidence_and_a_pdf(expo, staff):
    deal = deal_create(expo=expo, data=deal_data())
    url = f"/admin/deals/deal/{deal.pk}/status/"
    assert staff.get(url).status_code == 200
    refused = staff.post(url, {"status": "registered", "on": "2019-08-01", "evidence": "x"})
    assert "The date cannot be before 2019-08-26." in str(refused.context["form"].errors)
    not_pdf = SimpleUploadedFile("r.pdf", b"nope", "application/pdf")
    refused = staff.post(
        url, {"status": "registered", "on": "2019-09-01", "evidence": "x", "upload": not_pdf}
    )
    assert refused.context["form"].errors["upload"] == ["Not a PDF file."]
    assert not Document.objects.exists()
    pdf = SimpleUploadedFile("certificate.pdf", PDF, "application/pdf")
    done = staff.post(
        url, {"status": "registered", "on": "2019-09-01", "evidence": "Reg. 12", "upload": pdf}
    )
    assert done.status_code == 302
    change = StatusChange.objects.get(deal=deal)
    assert (change.status, change.on, change.document.name) == (
        "registered",
        dt.date(2019, 9, 1),
        "certificate.pdf",
    )
    backwards = staff.post(url, {"status": "signed", "on": "2019-09-02", "evidence": "x"})
    assert backwards.status_code == 200
    assert "only moves forward" in str(backwards.context["form"].errors)


def test_documents_are_uploaded_and_downloaded_by_organisers_only(expo, staff):
    deal = deal_create(expo=expo, data=deal_data())
    url = f"/admin/deals/deal/{deal.pk}/documents/add/"
    bad = staff.post(url, {"file": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf")})
    assert bad.context["form"].errors["file"] == ["Not a PDF file."]
    assert staff.post(url, {"file": SimpleUploadedFile("c.pdf", PDF)}).status_code == 302
    document = Document.objects.get()
    download = f"/admin/deals/deal/{deal.pk}/documents/{document.pk}/"
    assert staff.get(download).content == PDF
    assert staff.get(f"/admin/deals/deal/{deal.pk}/change/").content.count(download.encode()) == 1
    clerk = get_user_model().objects.create_user("clerk", password="pw-x-1", is_staff=True)
    other = Client()
    other.force_login(clerk)
    assert other.get(download).status_code == 403
    assert other.post(url, {"file": SimpleUploadedFile("c.pdf", PDF)}).status_code == 403
    assert Client().get(download).status_code == 302  # to the login page
    assert staff.get(f"/admin/deals/deal/{deal.pk}/documents/{document.pk + 1}/").status_code == 404


def test_the_import_page_reports_every_refused_line(expo, staff):
    from tests.deals.test_import import BAD_3, GOOD_1, csv_file

    data = csv_file(GOOD_1, BAD_3)
    page = staff.post(
        "/admin/deals/deal/import/",
        {"expo": expo.pk, "file": SimpleUploadedFile("deals.csv", data, "text/csv")},
    )
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.created, [e["line"] for e in report.errors]) == (1, [3])
    assert "amount: At most 2 decimal places." in page.content.decode()
    bad = staff.post(
        "/admin/deals/deal/import/",
        {"expo": expo.pk, "file": SimpleUploadedFile("deals.csv", b"nothing,here\n")},
    )
    assert "missing columns" in str(bad.context["form"].errors["file"])


@pytest.mark.parametrize("path", ["/admin/deals/deal/", "/admin/deals/deal/?q=Acme&status=signed"])
def test_the_list_filters_and_searches(expo, staff, path):
    deal_create(expo=expo, data=deal_data())
    page = staff.get(path)
    assert page.status_code == 200
    assert b"Smart factory" in page.content
    assert b"Import CSV or XLSX" in page.content
