"""The admin lists leads and lead devices to read, with filters; it never offers to add,
change or delete one, and shows what the exhibitor sees by field name only."""

from __future__ import annotations

import pytest

from smartexpo.leads.models import Lead
from tests.leads.conftest import LEADS, PROFILE, booth_device, visitor

pytestmark = pytest.mark.django_db


def test_leads_are_listed_read_only_with_filters(expo, huawei, staff):
    person = visitor(expo, share=("company",))
    _device, tablet = booth_device(expo)
    tablet.post(LEADS, {"secret": person.secret, "rating": 4})
    lead = Lead.objects.get()
    listing = staff.get("/admin/leads/lead/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert str(lead.serial) in text and "Booth tablet 1" in text
    for query in ("?rating=4", "?withdrawn=no", f"?exhibitor__id__exact={lead.exhibitor_id}"):
        assert str(lead.serial) in staff.get("/admin/leads/lead/" + query).content.decode()
    assert str(lead.serial) not in staff.get("/admin/leads/lead/?withdrawn=yes").content.decode()
    change = staff.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert "company" in change and PROFILE["company"] not in change
    assert staff.get("/admin/leads/lead/add/").status_code == 403
    assert staff.get(f"/admin/leads/lead/{lead.pk}/delete/").status_code == 403
    assert staff.get("/admin/leads/leaddevice/").status_code == 200
