"""Leads in a person's data: the export names the exhibitors that captured them and when; the
erasure deletes their leads (an exhibitor's note about a person goes with the person)."""

from __future__ import annotations

import pytest

from smartexpo.leads.models import Lead
from smartexpo.privacy.services import personal_data_collect, personal_data_erase
from tests.leads.conftest import LEADS, visitor

pytestmark = pytest.mark.django_db


def test_the_export_lists_who_captured_me(expo, huawei, toyota):
    person = visitor(expo, share=("company",))
    huawei.post(LEADS, {"secret": person.secret, "note": "Huawei's own note"})
    toyota.post(LEADS, {"secret": person.secret})
    url = f"/api/v1/expos/test-2019/registrations/{person.registration.pk}/personal-data"
    data = person.holder.get(url).json()
    leads = data["leads"]
    assert [lead["exhibitor"]["name"] for lead in leads] == [
        {"en": "Huawei", "zh": "华为"},
        {"en": "Toyota", "zh": "丰田"},
    ]
    assert leads[0]["serial"] == person.ticket.serial
    assert leads[0]["exhibitor_sees"] == ["company"]
    assert leads[0]["withdrawn_at"] is None and leads[0]["captured_at"]
    assert "Huawei's own note" not in str(data)


def test_the_erasure_deletes_my_leads_and_no_one_elses(expo, huawei):
    person, other = visitor(expo, share=("name",)), visitor(expo, share=("name",))
    huawei.post(LEADS, {"secret": person.secret})
    huawei.post(LEADS, {"secret": other.secret})
    personal_data_erase(registration=person.registration, actor="test", via="api")
    assert list(Lead.objects.values_list("registration", flat=True)) == [other.registration.pk]
    assert personal_data_collect(registration=person.registration)["leads"] == []
    # The erased registration's ticket is revoked: scanning it again makes no lead.
    response = huawei.post(LEADS, {"secret": person.secret})
    assert response.status_code == 409
    assert Lead.objects.count() == 1
