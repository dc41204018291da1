"""Consent in every direction: a field the visitor does not share never reaches the exhibitor,
in the API, an export (CSV, XLSX, vCard), a page or a log, including after `share` is
narrowed; and an exhibitor never sees another exhibitor's leads."""

from __future__ import annotations

import csv
import io
import logging

import pytest
import vobject
from openpyxl import load_workbook

from smartexpo.leads import exports
from smartexpo.venue.models import Expo
from tests.leads.conftest import LEADS, PROFILE, booth_device, visitor

pytestmark = pytest.mark.django_db

# Bits of each value a leak would carry, however a format spells it.
NEEDLES = {
    "name": ("Secretname",),
    "email": ("zhang.secret",),
    "phone": ("0000 1111", "00001111"),
    "company": ("Hidden Robotics",),
    "title": ("Hidden Officer",),
}


def _leaks(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        field
        for field, needles in NEEDLES.items()
        if field not in allowed and any(n.lower() in text.lower() for n in needles)
    ]


def _everything(client) -> str:
    """Every way the exhibitor reads its leads, as one text."""
    parts = [client.get(LEADS).content.decode()]
    parts.append(client.get(LEADS + ".csv").content.decode("utf-8-sig"))
    parts.append(client.get(LEADS + ".vcf").content.decode())
    book = load_workbook(io.BytesIO(client.get(LEADS + ".xlsx").content))
    parts += [str(c.value) for row in book.active.iter_rows() for c in row]
    lead_id = client.get(LEADS).json()["items"][0]["id"]
    parts.append(client.get(f"{LEADS}/{lead_id}").content.decode())
    return "\n".join(parts)


def test_nothing_unshared_anywhere_by_default(expo, huawei, caplog):
    caplog.set_level(logging.DEBUG)
    person = visitor(expo)
    huawei.post(LEADS, {"secret": person.secret, "note": "met at booth"})
    assert _leaks(_everything(huawei)) == []
    assert _leaks(caplog.text) == []


def test_only_the_shared_fields_and_none_after_share_is_narrowed(expo, huawei, caplog):
    caplog.set_level(logging.DEBUG)
    person = visitor(expo, share=("name", "company", "phone"))
    huawei.post(LEADS, {"secret": person.secret})
    seen = _everything(huawei)
    assert _leaks(seen, allowed=("name", "company", "phone")) == []
    assert _leaks(seen) == ["name", "phone", "company"]
    person.share("company")
    assert _leaks(_everything(huawei)) == ["company"]
    person.share()
    assert _leaks(_everything(huawei)) == []
    assert _leaks(caplog.text) == []


def test_the_editions_fields_bound_what_a_visitor_shares(expo, huawei):
    person = visitor(expo, share=("name", "email", "phone", "company", "title"))
    huawei.post(LEADS, {"secret": person.secret})
    Expo.objects.filter(pk=expo.pk).update(lead_fields=["company"])
    assert _leaks(_everything(huawei)) == ["company"]
    header = huawei.get(LEADS + ".csv").content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[:3] == ["serial", "holder", "company"]


def test_nothing_after_a_withdrawal_nor_after_a_rescan(expo, huawei):
    person = visitor(expo, share=("name", "email", "phone", "company", "title"))
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    url = f"/api/v1/expos/test-2019/registrations/{person.registration.pk}/leads/{lead['id']}"
    assert person.holder.delete(url).status_code == 204
    huawei.post(LEADS, {"secret": person.secret, "note": "again"})
    text = _everything(huawei)
    assert _leaks(text) == []
    assert "Z*** S***" not in text  # not even the masked name


def test_an_exhibitor_never_sees_another_exhibitors_leads(expo, huawei, toyota):
    shared = visitor(expo, share=("company",), company="Visible Shared Co")
    huawei.post(LEADS, {"secret": shared.secret, "note": "huawei's secret note"})
    _device, toyota_tablet = booth_device(expo, "toyota")
    for client in (toyota, toyota_tablet):
        assert client.get(LEADS).json() == {"count": 0, "items": []}
    for kind in ("csv", "xlsx", "vcf"):
        body = toyota.get(f"{LEADS}.{kind}").content
        if kind == "xlsx":
            book = load_workbook(io.BytesIO(body))
            body = "\n".join(str(c.value) for r in book.active.iter_rows() for c in r).encode()
        assert b"Visible Shared" not in body and b"secret note" not in body
        assert str(shared.ticket.serial).encode() not in body


def test_exports_hold_what_is_shared(expo, huawei):
    person = visitor(expo, share=("name", "email", "phone", "company", "title"))
    huawei.post(LEADS, {"secret": person.secret, "rating": 3, "tags": ["hot", "5g"]})
    rows = list(csv.DictReader(io.StringIO(huawei.get(LEADS + ".csv").content.decode("utf-8-sig"))))
    assert rows[0]["name"] == PROFILE["name"] and rows[0]["company"] == PROFILE["company"]
    assert rows[0]["phone"] == "'" + PROFILE["phone"]  # starts with "+": never a formula
    assert (rows[0]["rating"], rows[0]["tags"]) == ("3", "hot, 5g")
    (card,) = vobject.readComponents(huawei.get(LEADS + ".vcf").content.decode())
    assert card.fn.value == PROFILE["name"]
    assert card.email.value.endswith(PROFILE["email"])
    assert card.tel.value == PROFILE["phone"]
    assert card.org.value == [PROFILE["company"]]
    assert card.title.value == PROFILE["title"]
    response = huawei.get(LEADS + ".xlsx")
    assert response["Content-Type"] == exports.XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:3] == [
        str(person.ticket.serial),
        "Z*** S***",
        PROFILE["name"],
    ]


def test_one_vcard_per_lead(expo, huawei):
    for _ in range(3):
        huawei.post(LEADS, {"secret": visitor(expo).secret})
    cards = list(vobject.readComponents(huawei.get(LEADS + ".vcf").content.decode()))
    assert len(cards) == 3
    assert all(card.fn.value == "Z*** S***" for card in cards)
    assert not any(hasattr(card, "email") for card in cards)


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_exports_are_safe_against_formula_injection(expo, huawei, evil):
    person = visitor(expo, share=("company",), company=evil)
    huawei.post(LEADS, {"secret": person.secret, "note": evil, "tags": [evil]})
    rows = list(csv.reader(io.StringIO(huawei.get(LEADS + ".csv").content.decode("utf-8-sig"))))
    cells = [cell for cell in rows[1] if evil in cell]
    assert cells and all(cell.startswith("'") for cell in cells)
    sheet = load_workbook(io.BytesIO(huawei.get(LEADS + ".xlsx").content)).active
    values = [c for c in sheet[2] if c.value and evil in str(c.value)]
    assert values and all(c.data_type == "s" and str(c.value).startswith("'") for c in values)
