"""A deal's documents through the API: PDFs only, within the limits, organisers only (every
other role is refused, and nothing of them is public)."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.deals.models import Document
from smartexpo.deals.services.deals import deal_create, document_add
from tests.conftest import ProductionHandler
from tests.deals.test_services import deal_data

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def client(token: str | None = None) -> Client:
    c = Client()
    c.handler = ProductionHandler()
    if token:
        c.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return c


def upload(c: Client, path: str, data: bytes = PDF, name: str = "contract.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return c.post(path, {"file": SimpleUploadedFile(name, data, "application/pdf")})


@pytest.fixture
def deal(expo):
    return deal_create(expo=expo, data=deal_data())


@pytest.fixture
def organiser_token(db):
    return token_create(role=Role.ORGANIZER, name="Organiser")[1]


def test_an_organiser_uploads_lists_and_downloads_a_pdf(expo, deal, organiser_token):
    base = f"/api/v1/expos/{expo.slug}/deals/{deal.pk}/documents"
    c = client(organiser_token)
    answer = upload(c, base, name="合同 2019.pdf")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["name"] == "合同 2019.pdf"
    listed = c.get(base).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == body["id"]
    pdf = c.get(f"{base}/{body['id']}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == PDF
    assert "attachment" in pdf["Content-Disposition"]
    assert "no-store" in pdf["Cache-Control"]


def test_what_is_not_a_pdf_or_too_large_is_refused(expo, deal, organiser_token, settings):
    base = f"/api/v1/expos/{expo.slug}/deals/{deal.pk}/documents"
    c = client(organiser_token)
    answer = upload(c, base, data=b"<html>not a pdf</html>", name="x.pdf")
    assert answer.status_code == 422
    assert answer.json()["error"]["detail"]["fields"]["file"] == "Not a PDF file."
    missing = c.post(base, {})
    assert missing.status_code == 422
    # Past the request limit: refused before it is read.
    big = PDF + b"0" * settings.SMARTEXPO_MAX_BODY_BYTES
    assert upload(c, base, data=big).status_code == 413
    # Past the documents' own limit (when the request limit allows it).
    settings.SMARTEXPO_MAX_BODY_BYTES = 16 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
    too_large = upload(c, base, data=PDF + b"0" * (10 * 1024 * 1024))
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "too_large"
    assert not Document.objects.exists()


def test_documents_are_for_organisers_only(expo, deal, organiser_token):
    document = document_add(expo=expo, deal_id=deal.pk, name="c.pdf", data=PDF)
    huawei = expo.test_exhibitors["huawei"]
    _t, exhibitor = token_create(role=Role.EXHIBITOR, name="Huawei", exhibitor=huawei)
    base = f"/api/v1/expos/{expo.slug}/deals/{deal.pk}/documents"
    for token, status in ((None, 401), ("not-a-token", 401), (exhibitor, 403)):
        c = client(token)
        assert upload(c, base).status_code == status
        assert c.get(base).status_code == status
        assert c.get(f"{base}/{document.pk}").status_code == status
    assert Document.objects.count() == 1


def test_a_deal_or_document_of_another_edition_is_not_found(
    expo, other_expo, deal, organiser_token
):
    document = document_add(expo=expo, deal_id=deal.pk, name="c.pdf", data=PDF)
    other = deal_create(expo=expo, data=deal_data(ref="other"))
    c = client(organiser_token)
    assert c.get(f"/api/v1/expos/{other_expo.slug}/deals/{deal.pk}/documents").status_code == 404
    assert (
        c.get(f"/api/v1/expos/{expo.slug}/deals/{other.pk}/documents/{document.pk}").status_code
        == 404
    )
    assert c.get(f"/api/v1/expos/{expo.slug}/deals/{2**63}/documents").status_code == 404
    assert c.get(f"/api/v1/expos/{expo.slug}/deals/{deal.pk}/documents/0").status_code == 404


def test_a_multipart_body_without_a_boundary_is_400_malformed(expo, organizer):
    """Found by the fuzzer: Django's multipart parser refused it, and the API answered 500."""
    from smartexpo.deals.services.deals import deal_create

    from .test_services import deal_data

    deal = deal_create(expo=expo, data=deal_data())
    response = organizer.client.generic(
        "POST",
        f"/api/v1/expos/test-2019/deals/{deal.pk}/documents",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {organizer.token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
