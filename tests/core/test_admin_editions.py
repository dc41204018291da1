"""The admin keeps each edition to itself: a choice that points into an edition (zones, gates,
booths, ticket types, exhibitors) offers only that edition's objects, and a save that links
into another edition is refused with a message and saves nothing (issue 13, defect 5).

The 2018 edition here is the 2019 one's twin: the same codes and names, so that a wrong choice
looks right, as it did in the issue.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from smartexpo.core.admin import EditionBoundForm
from smartexpo.core.editions import edition_link_names
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import token_create
from smartexpo.devices.models import Device
from smartexpo.devices.services import device_create
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor, ExhibitorStatus
from smartexpo.exhibitors.services import exhibitor_create
from smartexpo.tickets.models import Access, Invitation, PassGrant, TicketType
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.venue.models import Booth, Gate, Zone, ZoneKind
from smartexpo.venue.services import booth_create

REFUSED = "belongs to Test Expo 2018; choose one of Test Expo 2019."


@pytest.fixture
def editions(expo, other_expo, taxonomy):
    """2019 (the shared `expo`) and its 2018 twin, with the same codes and names in each."""
    sectors, _tags = taxonomy
    other_expo.name_en = "Test Expo 2018"
    other_expo.save()
    twin = SimpleNamespace()
    twin.venue = Zone.objects.create(
        expo=other_expo, code="V", kind=ZoneKind.VENUE, name_en="Venue", area_m2=5000, capacity=1
    )
    twin.hall = Zone.objects.create(
        expo=other_expo, code="N1", kind=ZoneKind.HALL, name_en="Hall N1", area_m2=1000, capacity=1
    )
    twin.booth_zone = Zone.objects.create(
        expo=other_expo,
        code="N1-B",
        kind=ZoneKind.BOOTH,
        hall=twin.hall,
        name_en="Booth area",
        area_m2=36,
        capacity=1,
    )
    twin.gate = Gate.objects.create(
        expo=other_expo, code="G1", name_en="North gate", zone=twin.venue
    )
    twin.booth = booth_create(hall=twin.hall, code="N1-002", x=0, y=0, width=6, depth=6)
    twin.exhibitor = exhibitor_create(
        expo=other_expo,
        slug="huawei",
        name_en="Huawei",
        sector=sectors["information-technology"],
        status=ExhibitorStatus.APPROVED,
    )
    twin.staff_type = ticket_type_create(
        expo=other_expo,
        code="STAFF",
        name_en="Exhibitor staff",
        days=["2018-08-23"],
        quota_per_day=10,
        access=Access.EXHIBITOR,
    )
    twin.visitor_type = ticket_type_create(
        expo=other_expo, code="DAY", name_en="Day ticket", days=["2018-08-23"], quota_per_day=10
    )
    this = SimpleNamespace(
        expo=expo,
        venue=Zone.objects.get(expo=expo, code="V"),
        hall=expo.test_halls["N1"],
        booth_zone=Zone.objects.get(expo=expo, code="N1-B"),
        gate=Gate.objects.get(expo=expo, code="G1"),
        free_booth=Booth.objects.get(expo=expo, code="N1-002"),
        exhibitor=expo.test_exhibitors["huawei"],
        staff_type=ticket_type_create(
            expo=expo,
            code="STAFF",
            name_en="Exhibitor staff",
            days=["2019-08-26"],
            quota_per_day=10,
            access=Access.EXHIBITOR,
        ),
        visitor_type=ticket_type_create(
            expo=expo, code="DAY", name_en="Day ticket", days=["2019-08-26"], quota_per_day=10
        ),
    )
    this.scanner, _raw = device_create(expo=expo, name="Scanner", kind="scanner", gates=["G1"])
    return SimpleNamespace(this=this, twin=twin)


# --- every admin ---------------------------------------------------------------------------------


def _admin_forms():
    """Each registered admin's add form and each inline's row form, with the admin's name."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-1")
    for model, model_admin in admin.site._registry.items():
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue  # a record only read here (the check-in log, sensor events): no form
        yield f"{type(model_admin).__name__}", model, model_admin.get_form(request, None)
        for inline in model_admin.get_inline_instances(request, None):
            form = inline.get_formset(request, None).form
            yield f"{type(inline).__name__}", inline.model, form


def test_every_admin_form_that_offers_choices_into_an_edition_uses_the_shared_form(db):
    offenders = [
        name
        for name, model, form in _admin_forms()
        if edition_link_names(model) & set(form.base_fields)
        and not issubclass(form, EditionBoundForm)
    ]
    assert offenders == []


def test_the_shared_form_is_checked_on_the_admins_that_need_it(db):
    # The test above would pass vacuously if no admin offered such a choice.
    names = {
        name
        for name, model, form in _admin_forms()
        if edition_link_names(model) & set(form.base_fields)
    }
    assert {
        "ZoneAdmin",
        "GateAdmin",
        "BoothAdmin",
        "BoothAssignmentAdmin",
        "BoothAssignmentInline",
        "TicketTypeAdmin",
        "PassGrantAdmin",
        "DeviceAdmin",
        "ApiTokenAdmin",
    } <= names


# --- the choices offered ------------------------------------------------------------------------


def _offered(form, name: str, edition) -> None:
    field = form.fields[name]
    assert set(field.queryset.values_list("expo_id", flat=True)) == {edition.pk}, name
    widget = getattr(field.widget, "widget", field.widget)
    if hasattr(widget, "url_parameters"):
        # A raw-id look-up: its pop-up opens on the edition's list.
        assert widget.url_parameters().get("expo__id__exact") == edition.pk, name


CHANGE_PAGES = [
    ("venue_zone", lambda e: e.this.booth_zone, ["hall"]),
    ("venue_gate", lambda e: e.this.gate, ["zone"]),
    ("venue_booth", lambda e: e.this.free_booth, ["hall", "zone"]),
    ("tickets_tickettype", lambda e: e.this.visitor_type, ["zones"]),
    ("devices_device", lambda e: e.this.scanner, ["gates"]),
]


@pytest.mark.parametrize(("admin_name", "obj", "fields"), CHANGE_PAGES)
def test_a_change_page_offers_only_its_editions_objects(editions, staff, admin_name, obj, fields):
    response = staff.get(reverse(f"admin:{admin_name}_change", args=[obj(editions).pk]))
    assert response.status_code == 200
    for name in fields:
        _offered(response.context["adminform"].form, name, editions.this.expo)


ADD_PAGES = [
    ("venue_zone", ["hall"]),
    ("venue_gate", ["zone"]),
    ("venue_booth", ["hall", "zone"]),
    ("exhibitors_boothassignment", ["booth", "exhibitor"]),
    ("tickets_tickettype", ["zones"]),
    ("tickets_passgrant", ["exhibitor", "ticket_type"]),
    ("devices_device", ["gates", "zones"]),
    ("core_apitoken", ["exhibitor"]),
]


@pytest.mark.parametrize(("admin_name", "fields"), ADD_PAGES)
def test_an_add_page_opened_for_an_edition_offers_only_its_objects(
    editions, staff, admin_name, fields
):
    this = editions.this.expo
    response = staff.get(reverse(f"admin:{admin_name}_add"), {"expo": this.pk})
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in fields:
        _offered(form, name, this)
    if "expo" in form.fields:
        assert form["expo"].value() == this.pk


def test_the_ticket_types_admits_to_picker_lists_no_zone_of_another_edition(editions, staff):
    # The issue's own case: the picker of a 2019 type listed the 2018 zones, same names.
    page = staff.get(
        reverse("admin:tickets_tickettype_change", args=[editions.this.visitor_type.pk])
    ).content.decode()
    picker = page.split('name="zones"')[1].split("</select>")[0]
    assert f'value="{editions.this.venue.pk}"' in picker
    for zone in Zone.objects.filter(expo=editions.twin.hall.expo):
        assert f'value="{zone.pk}"' not in picker


def test_the_exhibitors_booth_rows_offer_only_its_editions_booths(editions, staff):
    exhibitor = editions.this.exhibitor
    response = staff.get(reverse("admin:exhibitors_exhibitor_change", args=[exhibitor.pk]))
    (booths,) = [
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is BoothAssignment
    ]
    _offered(booths.empty_form, "booth", editions.this.expo)


def test_an_add_page_asks_for_the_edition_first(editions, staff):
    response = staff.get(reverse("admin:tickets_tickettype_add"), {"_popup": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="edition-choice"' in page
    assert "Test Expo 2018" in page and "Test Expo 2019" in page
    # The pop-up's flag goes on to the form that follows.
    assert 'name="_popup" value="1"' in page
    assert "adminform" not in response.context


def test_the_edition_chosen_first_is_fixed_on_the_add_form(editions, staff):
    this, twin = editions.this, editions.twin
    response = staff.post(
        reverse("admin:venue_gate_add") + f"?expo={this.expo.pk}",
        {
            "expo": twin.hall.expo_id,
            "code": "G9",
            "name_en": "Gate",
            "zone": this.venue.pk,
            "lanes": 1,
        },
    )
    assert response.status_code == 302
    assert Gate.objects.get(code="G9").expo == this.expo


# --- a crafted save ----------------------------------------------------------------------------


def _page_data(response) -> dict:
    """What the change page would post back as it is, from the forms it shows."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def _refused(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert REFUSED in page.replace("&#x27;", "'"), page[:200]
    return page


def test_a_zone_in_a_hall_of_another_edition_is_refused(editions, staff):
    response = staff.post(
        reverse("admin:venue_zone_add"),
        {
            "expo": editions.this.expo.pk,
            "code": "Z9",
            "kind": "booth",
            "hall": editions.twin.hall.pk,
            "name_en": "Stray",
            "area_m2": "10",
            "capacity": "5",
            "position": "0",
        },
    )
    _refused(response)
    assert not Zone.objects.filter(code="Z9").exists()


def test_a_gate_into_a_zone_of_another_edition_is_refused(editions, staff):
    gate = editions.this.gate
    url = reverse("admin:venue_gate_change", args=[gate.pk])
    data = _page_data(staff.get(url)) | {"zone": str(editions.twin.venue.pk)}
    _refused(staff.post(url, data))
    gate.refresh_from_db()
    assert gate.zone == editions.this.venue


def test_a_booth_in_a_hall_or_zone_of_another_edition_is_refused(editions, staff):
    this, twin = editions.this, editions.twin
    base = {"expo": this.expo.pk, "code": "N1-X", "x": 40, "y": 10, "width": 6, "depth": 6}
    _refused(staff.post(reverse("admin:venue_booth_add"), base | {"hall": twin.hall.pk}))
    _refused(
        staff.post(
            reverse("admin:venue_booth_add"),
            base | {"hall": this.hall.pk, "zone": twin.booth_zone.pk},
        )
    )
    assert not Booth.objects.filter(code="N1-X").exists()


def test_a_booth_assignment_across_editions_is_refused(editions, staff):
    this, twin = editions.this, editions.twin
    response = staff.post(
        reverse("admin:exhibitors_boothassignment_add"),
        {"expo": this.expo.pk, "booth": this.free_booth.pk, "exhibitor": twin.exhibitor.pk},
    )
    _refused(response)
    assert not BoothAssignment.objects.filter(booth=this.free_booth).exists()


def test_an_exhibitors_booth_row_of_another_edition_is_refused(editions, staff):
    exhibitor, stray = editions.this.exhibitor, editions.twin.booth
    url = reverse("admin:exhibitors_exhibitor_change", args=[exhibitor.pk])
    response = staff.get(url)
    data = _page_data(response)
    (booths,) = [
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is BoothAssignment
    ]
    prefix, total = booths.prefix, booths.total_form_count()
    data |= {f"{prefix}-TOTAL_FORMS": str(total + 1), f"{prefix}-{total}-booth": str(stray.pk)}
    _refused(staff.post(url, data))
    assert not BoothAssignment.objects.filter(booth=stray).exists()


def test_a_ticket_type_admitting_to_a_zone_of_another_edition_is_refused(editions, staff):
    tt = editions.this.visitor_type
    before = set(tt.zones.all())
    url = reverse("admin:tickets_tickettype_change", args=[tt.pk])
    data = _page_data(staff.get(url))
    data["zones"] = [*data["zones"], str(editions.twin.hall.pk)]
    _refused(staff.post(url, data))
    assert set(tt.zones.all()) == before


def test_a_staff_pass_grant_across_editions_is_refused(editions, staff):
    this, twin = editions.this, editions.twin
    response = staff.post(
        reverse("admin:tickets_passgrant_add") + f"?expo={this.expo.pk}",
        {"exhibitor": this.exhibitor.pk, "ticket_type": twin.staff_type.pk, "passes": 3},
    )
    _refused(response)
    assert not PassGrant.objects.exists()


def test_a_scanner_at_a_gate_of_another_edition_is_refused(editions, staff):
    response = staff.post(
        reverse("admin:devices_device_add"),
        {
            "expo": editions.this.expo.pk,
            "name": "Stray scanner",
            "kind": "scanner",
            "gates": [editions.twin.gate.pk],
        },
    )
    _refused(response)
    assert not Device.objects.filter(name="Stray scanner").exists()


def test_an_exhibitor_token_for_another_editions_exhibitor_is_refused(editions, staff):
    response = staff.post(
        reverse("admin:core_apitoken_add"),
        {
            "role": "exhibitor",
            "name": "Stray",
            "expo": editions.this.expo.pk,
            "exhibitor": editions.twin.exhibitor.pk,
        },
    )
    _refused(response)
    assert not ApiToken.objects.filter(name="Stray").exists()


def test_the_token_add_page_asks_for_the_edition_first_or_none_for_an_organisers(editions, staff):
    url = reverse("admin:core_apitoken_add")
    page = staff.get(url).content.decode()
    assert 'id="edition-choice"' in page
    assert "None: an organiser" in page and "Test Expo 2018" in page
    # No edition: the form for an organiser's token, its look-up not narrowed to any edition.
    form = staff.get(url, {"expo": ""}).context["adminform"].form
    widget = form.fields["exhibitor"].widget
    assert "expo__id__exact" not in getattr(widget, "widget", widget).url_parameters()
    # An edition: its exhibitors only, and the edition fixed.
    form = staff.get(url, {"expo": editions.this.expo.pk}).context["adminform"].form
    _offered(form, "exhibitor", editions.this.expo)
    assert form.fields["expo"].disabled


def test_a_token_of_the_edition_chosen_first_refuses_an_exhibitor_of_another(editions, staff):
    response = staff.post(
        reverse("admin:core_apitoken_add") + f"?expo={editions.this.expo.pk}",
        {"role": "exhibitor", "name": "Stray", "exhibitor": editions.twin.exhibitor.pk},
    )
    _refused(response)
    assert not ApiToken.objects.filter(name="Stray").exists()


def _invitation_types(editions) -> tuple[TicketType, TicketType]:
    """A type by invitation in each edition, the same code in both."""
    made = []
    for edition, day in (
        (editions.this.expo, "2019-08-26"),
        (editions.twin.hall.expo, "2018-08-23"),
    ):
        made.append(
            ticket_type_create(
                expo=edition,
                code="GUEST",
                name_en="Guest",
                days=[day],
                quota_per_day=5,
                access=Access.INVITATION,
            )
        )
    return made[0], made[1]


MAKE_CODES = "/admin/tickets/invitation/make/"


def test_making_codes_asks_for_the_edition_then_offers_its_types_only(editions, staff):
    this_type, _twin_type = _invitation_types(editions)
    page = staff.get(MAKE_CODES).content.decode()
    assert 'id="edition-choice"' in page
    response = staff.get(MAKE_CODES, {"expo": editions.this.expo.pk})
    offered = response.context["form"].fields["ticket_type"].queryset
    assert list(offered) == [this_type]


def test_making_codes_for_a_type_of_another_edition_is_refused(editions, staff):
    _this_type, twin_type = _invitation_types(editions)
    response = staff.post(
        f"{MAKE_CODES}?expo={editions.this.expo.pk}",
        {"ticket_type": twin_type.pk, "count": 2, "uses": 1},
    )
    _refused(response)
    assert not Invitation.objects.exists()


def test_the_refusal_is_translated(editions, staff):
    gate = editions.this.gate
    url = f"/zh-hans/admin/venue/gate/{gate.pk}/change/"
    data = _page_data(staff.get(url)) | {"zone": str(editions.twin.venue.pk)}
    page = staff.post(url, data).content.decode()
    assert "属于" in page and "请选择" in page
    gate.refresh_from_db()
    assert gate.zone == editions.this.venue


# --- outside the admin --------------------------------------------------------------------------


def test_full_clean_refuses_a_link_into_another_edition_outside_the_admin(editions):
    gate = Gate(expo=editions.this.expo, code="G8", name_en="Gate", zone=editions.twin.venue)
    with pytest.raises(ValidationError) as caught:
        gate.full_clean()
    assert "zone" in caught.value.message_dict
    with translation.override("en"):
        assert REFUSED in caught.value.message_dict["zone"][0]


def test_token_create_refuses_an_exhibitor_of_another_edition(editions):
    with pytest.raises(SmartExpoError) as caught:
        token_create(
            role=Role.EXHIBITOR,
            name="Stray",
            expo=editions.this.expo,
            exhibitor=editions.twin.exhibitor,
        )
    assert caught.value.code == "invalid"
    assert "exhibitor" in caught.value.detail["fields"]
    assert not ApiToken.objects.filter(name="Stray").exists()


def test_a_ticket_type_of_the_api_admits_only_to_its_editions_zones(editions, organizer):
    # The API names zones by code within the edition of its URL: another edition's zone of the
    # same code is never reached, and an unknown code is refused in the API's error shape.
    response = organizer.post(
        "/api/v1/expos/test-2019/ticket-types",
        {
            "code": "VIP",
            "name": {"en": "VIP", "zh": "贵宾"},
            "days": ["2019-08-26"],
            "quota_per_day": 5,
            "zones": ["V", "NOPE"],
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["detail"]["fields"]["zones"] == "Unknown zones: NOPE."
    response = organizer.post(
        "/api/v1/expos/test-2019/ticket-types",
        {
            "code": "VIP",
            "name": {"en": "VIP", "zh": "贵宾"},
            "days": ["2019-08-26"],
            "quota_per_day": 5,
            "zones": ["V"],
        },
    )
    assert response.status_code == 201
    vip = TicketType.objects.get(expo=editions.this.expo, code="VIP")
    assert list(vip.zones.all()) == [editions.this.venue]


def test_the_twin_edition_has_the_same_names(editions):
    # Or the tests above would not show the trap: a wrong choice that looks right.
    names = Exhibitor.objects.filter(name_en="Huawei").values_list("expo__name_en", flat=True)
    assert sorted(names) == ["Test Expo 2018", "Test Expo 2019"]
    halls = Zone.objects.filter(code="N1", name_en="Hall N1").values_list("expo_id", flat=True)
    assert len(set(halls)) == 2
