"""Group registration from CSV: by API and in the admin, with every bad row explained."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import DayQuota, Registration
from smartexpo.tickets.services.group_import import registrations_import_csv
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import error_of, rid, superuser_client

HEADER = "ticket_type,days,name,email,id_type,id_number,interests\n"


@pytest.fixture
def day_type(expo):
    return ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26", "2019-08-27"], quota_per_day=50
    )


def test_valid_rows_register_and_bad_rows_are_reported_by_line(expo, day_type):
    body = (
        HEADER
        + f"day,2019-08-26,张三,zs@example.cn,resident,{rid(1)},ai;5g\n"
        + "day,2019-08-26,李四,not-an-email,,,\n"
        + f'day,"2019-08-26;2019-08-27","王五, 工程师",ww@example.cn,resident,{rid(2)},\n'
        + f"day,2019-08-26,赵六,zl@example.cn,resident,{rid(1)},\n"
        + "vip,2019-08-26,钱七,qq@example.cn,,,\n"
    )
    report = registrations_import_csv(expo=expo, data=("\ufeff" + body).encode())
    assert report.created == 2
    assert [(e["line"], e["code"]) for e in report.errors] == [
        (3, "invalid"),
        (5, "duplicate"),
        (6, "invalid"),
    ]
    assert "email" in report.errors[0]["message"]
    assert Registration.objects.filter(name="王五, 工程师").exists()
    assert DayQuota.objects.get(day="2019-08-27").sold == 1


def test_blank_lines_are_skipped_and_extra_cells_refused(expo, day_type):
    body = HEADER + "\n" + "day,2019-08-26,A,a@example.cn,,,,surplus\n"
    report = registrations_import_csv(expo=expo, data=body.encode())
    assert report.created == 0
    assert report.errors[0]["line"] == 3


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe not utf8", "UTF-8"),
        (b"name,email\nA,a@example.cn\n", "missing columns"),
        (b"ticket_type,days,name,email,shoe\n", "unknown columns"),
    ],
)
def test_unusable_files_are_refused_whole(expo, day_type, data, fragment):
    with pytest.raises(SmartExpoError) as exc:
        registrations_import_csv(expo=expo, data=data)
    assert fragment in str(exc.value.detail["fields"]["file"])
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        b"ticket_type," + b"x" * 200_000 + b"\n",
        HEADER.encode() + b"day,2019-08-26,A,a@example.cn,,,\n" + b"day," + b"x" * 200_000 + b"\n",
    ],
    ids=["in the header", "in a row"],
)
def test_a_cell_past_the_csv_readers_limit_is_refused_as_invalid_not_a_500(
    expo, day_type, organizer, data
):
    """The csv module's `field larger than field limit` error was a 500 (found by hostile-body
    probes beside `make fuzz`)."""
    response = organizer.client.post(
        "/api/v1/expos/test-2019/registrations/import",
        data,
        content_type="text/csv",
        headers={"Authorization": f"Bearer {organizer.token}"},
    )
    assert response.status_code == 422, response.content
    assert "field limit" in error_of(response)["detail"]["fields"]["file"]
    assert Registration.objects.count() == 0


def test_import_by_api_is_for_organizers(expo, day_type, organizer, exhibitor):
    body = HEADER + "day,2019-08-26,A,a@example.cn,,,\n"
    url = "/api/v1/expos/test-2019/registrations/import"
    response = organizer.client.post(
        url, body, content_type="text/csv", headers={"Authorization": f"Bearer {organizer.token}"}
    )
    assert response.status_code == 200
    assert response.json() == {"created": 1, "errors": []}
    refused = exhibitor.client.post(
        url, body, content_type="text/csv", headers={"Authorization": f"Bearer {exhibitor.token}"}
    )
    assert refused.status_code == 403


def test_import_in_the_admin(expo, day_type):
    client = superuser_client()
    assert b"Import CSV" in client.get("/admin/tickets/registration/").content
    upload = SimpleUploadedFile(
        "group.csv",
        (HEADER + "day,2019-08-26,A,a@example.cn,,,\nday,x,B,b@example.cn,,,\n").encode(),
    )
    page = client.post(
        "/admin/tickets/registration/import/", {"expo": expo.pk, "file": upload}
    ).content.decode()
    assert "1 registered, 1 row refused" in page
    assert "<td>3</td>" in page


def test_staff_without_the_permission_cannot_import(expo, day_type):
    user = get_user_model().objects.create_user("clerk", "c@example.org", "pw", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/tickets/registration/import/").status_code == 403
