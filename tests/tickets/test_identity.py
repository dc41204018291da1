"""Real-name ID numbers: resident IDs (GB 11643-1999), passports, hashing and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartexpo.tickets.identity import (
    IdNumberError,
    id_hash,
    id_hash_key,
    mask_id,
    mask_name,
    normalise_id,
    resident_check_digit,
)

TODAY = dt.date(2025, 6, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    """The MOD 11-2 check character, computed here independently of the module under test."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def resident(area: str = "110105", birth: str = "19491231", seq: str = "002") -> str:
    first17 = area + birth + seq
    return first17 + check_char(first17)


def refused(id_number: str, id_type: str | None = "resident") -> IdNumberError:
    with pytest.raises(IdNumberError) as caught:
        normalise_id(id_type, id_number, today=TODAY)
    return caught.value


def test_the_standards_own_example_has_check_character_x():
    assert resident_check_digit("11010519491231002") == "X"
    assert normalise_id("resident", "11010519491231002X", today=TODAY) == (
        "resident",
        "11010519491231002X",
    )


def test_a_valid_resident_id_is_accepted_and_the_type_defaults_to_resident():
    number = resident("440304", "19880516", "123")
    assert normalise_id(None, number, today=TODAY) == ("resident", number)
    assert normalise_id("resident", f"  {number}\n", today=TODAY) == ("resident", number)


def test_a_lowercase_x_check_character_is_accepted_and_upper_cased():
    assert normalise_id("resident", "11010519491231002x", today=TODAY)[1] == "11010519491231002X"


def test_a_wrong_check_digit_is_refused_with_a_message_saying_so():
    number = resident()
    wrong = "0" if number[-1] != "0" else "1"
    error = refused(number[:-1] + wrong)
    assert error.field == "id_number"
    assert "check digit" in error.message


def test_the_birth_date_may_be_the_first_of_january_1900_but_not_earlier():
    assert normalise_id("resident", resident(birth="19000101"), today=TODAY)
    error = refused(resident(birth="18991231"))
    assert "1900" in error.message


def test_the_twenty_ninth_of_february_needs_a_leap_year():
    assert "real date" in refused(resident(birth="20190229")).message
    assert normalise_id("resident", resident(birth="20200229"), today=TODAY)
    assert "real date" in refused(resident(birth="19901301")).message
    assert "real date" in refused(resident(birth="19900100")).message


def test_a_birth_date_after_today_is_refused_and_today_itself_is_accepted():
    assert "future" in refused(resident(birth="20250602")).message
    assert normalise_id("resident", resident(birth="20250601"), today=TODAY)


def test_today_defaults_to_the_local_date():
    assert normalise_id("resident", resident(birth="20000101"))
    future = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d")
    with pytest.raises(IdNumberError, match="future"):
        normalise_id("resident", resident(birth=future))


@pytest.mark.parametrize("number", ["", "   ", "1101051949123100", "11010519491231002XX"])
def test_a_resident_id_of_the_wrong_length_is_refused(number):
    assert refused(number).field == "id_number"


@pytest.mark.parametrize(
    "number",
    ["1101051949123100AX", "A1010519491231002X", "11010519491231002Y", "１１010519491231002X"],
)
def test_letters_and_other_characters_are_refused_in_a_resident_id(number):
    assert refused(number).field == "id_number"


def test_non_ascii_digits_are_refused():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in "11010519491231002") + "X"
    assert refused(arabic_indic).field == "id_number"


@pytest.mark.parametrize("number", ["E1234", "AB1234567890CDEFGH12", "e1234"])
def test_passports_of_5_to_20_letters_and_digits_are_accepted_upper_cased(number):
    assert normalise_id("passport", f" {number} ", today=TODAY) == ("passport", number.upper())


@pytest.mark.parametrize(
    "number", ["E123", "AB1234567890CDEFGH123", "E12-345", "E12 345", "E1234.", "ﬀ1234", "É12345"]
)
def test_passports_of_the_wrong_length_or_with_punctuation_are_refused(number):
    assert refused(number, "passport").field == "id_number"


@pytest.mark.parametrize("id_type", ["driving_licence", "Resident", "PASSPORT"])
def test_an_unknown_id_type_is_refused_on_the_id_type_field(id_type):
    assert refused(resident(), id_type).field == "id_type"


def test_the_error_is_a_value_error_whose_text_is_the_message():
    error = refused("123")
    assert isinstance(error, ValueError)
    assert str(error) == error.message


def test_the_id_hash_is_stable_and_differs_by_type_and_by_key():
    key = b"k" * 32
    digest = id_hash("resident", "E12345678", key=key)
    assert digest == id_hash("resident", "E12345678", key=key)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest != id_hash("passport", "E12345678", key=key)
    assert digest != id_hash("resident", "E12345678", key=b"other")
    assert "E12345678" not in digest


def test_the_id_hash_key_comes_from_the_environment_or_from_the_secret_key(monkeypatch, settings):
    monkeypatch.setenv("SMARTEXPO_ID_HASH_KEY", "from-the-environment")
    assert id_hash_key() == b"from-the-environment"
    monkeypatch.delenv("SMARTEXPO_ID_HASH_KEY")
    settings.SECRET_KEY = "one"
    derived = id_hash_key()
    assert derived == id_hash_key()
    assert len(derived) == 32
    assert b"one" not in derived
    settings.SECRET_KEY = "two"
    assert id_hash_key() != derived


def test_a_resident_id_is_masked_to_its_first_and_last_four_characters():
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_id("110105194912311234", id_type="resident") == "1101**********1234"


def test_a_passport_is_masked_to_its_first_and_last_two_characters():
    assert mask_id("E1234", id_type="passport") == "E1*34"
    assert mask_id("E12345678") == "E1*****78"
    assert mask_id("110105194912311234", id_type="passport") == "11**************34"


def test_a_too_short_number_still_gets_a_star():
    assert mask_id("ABCD") == "A**D"
    assert mask_id("A") == "*"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("张", "张*"),
        ("欧阳 娜娜", "欧***"),
        ("Li Wei", "L* W**"),
        ("Alexandra Smith", "A*** S***"),
        ("  J  Doe ", "J D**"),
        ("", ""),
    ],
)
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


@given(
    area=st.integers(0, 999_999),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(0, 999),
)
def test_any_17_digits_with_a_valid_date_validate_only_with_their_check_digit(area, birth, seq):
    first17 = f"{area:06d}{birth:%Y%m%d}{seq:03d}"
    check = resident_check_digit(first17)
    assert check == check_char(first17)
    assert normalise_id("resident", first17 + check, today=TODAY) == ("resident", first17 + check)
    for other in "0123456789X":
        if other != check:
            with pytest.raises(IdNumberError, match="check digit"):
                normalise_id("resident", first17 + other, today=TODAY)
