"""The portal's leads: what a member sees of the visitors their booth captured (only what each
shares, never another exhibitor's), the filters, editing a lead, the exports (admins only) and
the page saying so when the edition has lead capture off."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
import vobject
from openpyxl import load_workbook

from smartexpo.leads.models import Lead
from smartexpo.leads.selectors import Capturer
from smartexpo.leads.services.capture import LeadFields, lead_capture
from smartexpo.leads.services.consent import lead_withdraw
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.registration import registration_create
from tests.checkin.conftest import make_types

LEADS = "/portal/test-2019/huawei/leads/"
_people = itertools.count(1)


def visitor(expo, name, *, share=(), **fields):
    """A registered visitor sharing `share`, with `fields` (phone, company, title) filled in;
    returns the ticket's secret and the registration."""
    n = next(_people)
    issued = registration_create(
        expo=expo,
        ticket_type="day",
        days=["2019-08-26"],
        name=name,
        email=f"visitor{n}@example.cn",
    )
    registration = issued.registration
    Registration.objects.filter(pk=registration.pk).update(share=list(share), **fields)
    return issued.secrets[0], registration


def capture(expo, exhibitor, secret, **fields) -> Lead:
    lead, _created = lead_capture(
        expo=expo, capturer=Capturer(exhibitor), secret=secret, fields=LeadFields(**fields)
    )
    return lead


@pytest.fixture
def people(expo):
    """Two of Huawei's leads (one sharing name, company and email, one sharing nothing) and one
    of Toyota's."""
    make_types(expo)
    huawei, toyota = expo.test_exhibitors["huawei"], expo.test_exhibitors["toyota"]
    open_secret, _open = visitor(
        expo,
        "Li Wei",
        share=["name", "company", "email"],
        company="Geely",
        title="Buyer",
        phone="+86 138 0000 0001",
    )
    closed_secret, _closed = visitor(expo, "Zhang Min", company="Secret Corp", phone="139")
    other_secret, _other = visitor(expo, "Wang Fang", share=["name"])
    return {
        "open": capture(expo, huawei, open_secret, note="Wants 5G modules", rating=5, tags=["5G"]),
        "closed": capture(expo, huawei, closed_secret, rating=2, tags=["students"]),
        "toyota": capture(expo, toyota, other_secret, note="Toyota's own"),
    }


def test_a_member_sees_only_what_each_visitor_shares_and_only_own_leads(people, staff_client):
    response = staff_client.get(LEADS)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-lead="{people["open"].pk}"' in html
    assert "Li Wei" in html and "Geely" in html and "Wants 5G modules" in html
    # Shared email shown; the title and phone were not shared.
    assert Registration.objects.get(pk=people["open"].registration_id).email in html
    assert "Buyer" not in html and "138 0000" not in html
    # Nothing shared: the serial and the masked name only.
    assert str(people["closed"].serial) in html and "Z**" in html
    assert "Zhang Min" not in html and "Secret Corp" not in html and ">139<" not in html
    # Toyota's lead does not exist here.
    assert f'data-lead="{people["toyota"].pk}"' not in html and "Toyota's own" not in html
    assert "Wang Fang" not in html
    assert "2 leads" in html


def test_a_withdrawn_visitor_shows_nothing_any_more(people, staff_client):
    lead = people["open"]
    lead_withdraw(registration=lead.registration, pk=lead.pk)
    html = staff_client.get(LEADS).content.decode()
    assert "Li Wei" not in html and "Geely" not in html
    assert "withdrew their details" in html


def test_filters_by_rating_tag_and_words(people, staff_client):
    def shown(query):
        html = staff_client.get(LEADS, query).content.decode()
        return {lead.pk for lead in Lead.objects.all() if f'data-lead="{lead.pk}"' in html}

    assert shown({"rating": "5"}) == {people["open"].pk}
    assert shown({"rating": "2"}) == {people["closed"].pk}
    assert shown({"tag": "5g"}) == {people["open"].pk}
    assert shown({"q": "geely"}) == {people["open"].pk}
    # Words of a field the visitor did not share find nothing.
    assert shown({"q": "Secret Corp"}) == set()
    assert shown({"rating": "9"}) == {people["open"].pk, people["closed"].pk}
    html = staff_client.get(LEADS, {"tag": "nothing"}).content.decode()
    assert 'data-empty="no-match"' in html


def test_a_member_edits_a_lead_and_comes_back_to_the_same_filter(people, staff_client):
    lead = people["closed"]
    response = staff_client.post(
        f"{LEADS}{lead.pk}/?tag=students",
        {
            "note": " Call after the expo ",
            "rating": "4",
            "tags": "hot, 高校，hot",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LEADS}?tag=students#lead-{lead.pk}"
    lead.refresh_from_db()
    assert (lead.note, lead.rating, lead.tags) == ("Call after the expo", 4, ["hot", "高校"])
    # A rating out of range is refused in words, and nothing changes.
    response = staff_client.post(f"{LEADS}{lead.pk}/", {"note": "x", "rating": "7"})
    assert response.status_code == 422
    assert f'id="lead-{lead.pk}-rating_error"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.rating == 4
    # Another exhibitor's lead is not found.
    assert staff_client.get(f"{LEADS}{people['toyota'].pk}/").status_code == 404
    assert staff_client.post(f"{LEADS}{people['toyota'].pk}/", {}).status_code == 404


def test_admins_export_only_shared_fields_and_staff_may_not(people, admin_client, staff_client):
    response = admin_client.get(f"{LEADS}export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_serial = {row["serial"]: row for row in rows}
    assert set(by_serial) == {str(people["open"].serial), str(people["closed"].serial)}
    opened = by_serial[str(people["open"].serial)]
    assert (opened["name"], opened["company"], opened["phone"]) == ("Li Wei", "Geely", "")
    closed = by_serial[str(people["closed"].serial)]
    assert (closed["name"], closed["company"], closed["phone"]) == ("", "", "")
    assert "Secret Corp" not in response.content.decode()
    # The list's filters apply to the file.
    rated = admin_client.get(f"{LEADS}export.csv", {"rating": "5"}).content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(rated)))) == 1

    workbook = load_workbook(io.BytesIO(admin_client.get(f"{LEADS}export.xlsx").content))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    assert "Geely" in cells and "Secret Corp" not in cells
    cards = list(vobject.readComponents(admin_client.get(f"{LEADS}export.vcf").content.decode()))
    assert len(cards) == 2
    assert "Secret Corp" not in admin_client.get(f"{LEADS}export.vcf").content.decode()
    assert admin_client.get(f"{LEADS}export.pdf").status_code == 404

    assert staff_client.get(f"{LEADS}export.csv").status_code == 403
    html = staff_client.get(LEADS).content.decode()
    assert 'id="lead-exports"' not in html and "administrators can export" in html
    assert 'id="lead-exports"' in admin_client.get(LEADS).content.decode()


def test_strangers_and_other_exhibitors_see_nothing(people, other_client, client):
    assert other_client.get(LEADS).status_code == 404
    assert other_client.get(f"{LEADS}export.csv").status_code == 404
    assert client.get(LEADS).status_code == 302  # to the portal's login page


def test_lead_capture_off_is_said_on_the_leads_page_in_both_languages(expo, staff_client):
    expo.lead_capture = False
    expo.save(update_fields=["lead_capture"])
    html = staff_client.get(LEADS).content.decode()
    assert 'id="capture-off"' in html and "Lead capture is off for this edition." in html
    html = staff_client.get("/zh-hans" + LEADS).content.decode()
    assert "本届展会未开放线索采集" in html
    expo.lead_capture = True
    expo.save(update_fields=["lead_capture"])
    assert 'id="capture-off"' not in staff_client.get(LEADS).content.decode()


def test_the_nav_lists_leads_for_every_member_and_devices_for_admins(
    expo, staff_client, admin_client
):
    staff = staff_client.get(LEADS).content.decode()
    assert 'href="/portal/test-2019/huawei/leads/" aria-current="page"' in staff
    assert "/booth-devices/" not in staff
    assert (
        'href="/portal/test-2019/huawei/booth-devices/"' in admin_client.get(LEADS).content.decode()
    )
    # No lead yet: the page says how they come.
    assert 'data-empty="no-lead"' in staff and 'href="/expos/test-2019/booth/"' in staff


def test_the_capture_time_is_the_editions_and_the_device_is_named(expo, staff_client):
    import datetime as dt

    from smartexpo.leads.services.devices import lead_device_create

    make_types(expo)
    huawei = expo.test_exhibitors["huawei"]
    device, _token = lead_device_create(expo=expo, exhibitor=huawei, name="Booth tablet 2")
    secret, _registration = visitor(expo, "Sun Li")
    at = dt.datetime(2019, 8, 26, 2, 5, tzinfo=dt.UTC)  # 10:05 in Shanghai
    lead_capture(expo=expo, capturer=Capturer(huawei, device), secret=secret, captured_at=at)
    html = staff_client.get(LEADS).content.decode()
    assert "captured 2019-08-26 10:05" in html
    assert "by the device “Booth tablet 2”" in html
