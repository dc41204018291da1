"""The exhibitor services' typed arguments: a profile update changes what it is given."""

import pytest

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.services import exhibitor_update_profile


def test_a_profile_update_changes_only_the_fields_it_is_given(expo):
    huawei = expo.test_exhibitors["huawei"]
    before = (huawei.name_en, huawei.description_en)
    exhibitor_update_profile(exhibitor=huawei, name_zh=" 华为技术 ", website=None)
    huawei.refresh_from_db()
    assert (huawei.name_en, huawei.description_en) == before
    assert (huawei.name_zh, huawei.website) == ("华为技术", "")


def test_an_english_name_given_as_none_is_refused(expo):
    with pytest.raises(SmartExpoError) as refused:
        exhibitor_update_profile(exhibitor=expo.test_exhibitors["huawei"], name_en=None)
    assert refused.value.detail["fields"].keys() == {"name_en"}


def test_a_field_the_profile_does_not_have_is_a_type_error(expo):
    with pytest.raises(TypeError, match="slug"):
        exhibitor_update_profile(exhibitor=expo.test_exhibitors["huawei"], slug="other")
