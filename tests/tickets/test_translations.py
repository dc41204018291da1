import pytest
from django.utils import translation

from smartexpo.tickets.identity import IdNumberError, normalise_id


def test_id_number_errors_read_in_chinese_for_chinese_visitors():
    with translation.override("zh-hans"), pytest.raises(IdNumberError) as exc:
        normalise_id("resident", "12345")
    assert exc.value.message == "居民身份证号码为18位（当前为 5 位）。"
