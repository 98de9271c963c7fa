"""Phone numbers in one form: what Twilio sends folded, what a person typed validated."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.messaging import phones
from hotline.registration import reading
from hotline.registration.answers import Invalid


@pytest.mark.parametrize("raw, region, expected", [
    # One Mexican handset: +52 on SMS, +52 1 on WhatsApp, and every way people write it.
    ("+525512345678", "MX", "+525512345678"),
    ("+5215512345678", "MX", "+525512345678"),
    ("+52 1 55 1234 5678", "MX", "+525512345678"),
    ("+52-1-55-1234-5678", "MX", "+525512345678"),
    ("00 52 55 1234 5678", "MX", "+525512345678"),
    ("0052 1 55 1234 5678", "US", "+525512345678"),
    ("55 1234 5678", "MX", "+525512345678"),
    ("(55) 1234-5678", "MX", "+525512345678"),
    ("55.1234.5678", "MX", "+525512345678"),
    ("044 55 1234 5678", "MX", "+525512345678"),  # the old local mobile prefix
    ("045 899 123 4567", "MX", "+528991234567"),  # the old long-distance one
    ("01 899 123 4567", "MX", "+528991234567"),
    ("1 55 1234 5678", "MX", "+525512345678"),    # the mobile 1 without the +52
    # The United States, from either side of the border.
    ("+1 (915) 555-0101", "MX", "+19155550101"),
    ("915-555-0101", "US", "+19155550101"),
    ("1 915 555 0101", "US", "+19155550101"),
    ("1 915 555 0101", "MX", "+19155550101"),
    ("915 555 0101", "MX", "+19155550101"),       # no Mexican number starts 915
    ("331 555 0101", "US", "+13315550101"),       # valid on both sides: the person's side
    ("331 555 0101", "MX", "+523315550101"),
    # Where people come from.
    ("+502 5512 3456", "MX", "+50255123456"),     # Guatemala
    ("00504 9912 3456", "MX", "+50499123456"),    # Honduras
    ("+503 7012-3456", "MX", "+50370123456"),     # El Salvador
    ("+53 5 123 4567", "MX", "+5351234567"),      # Cuba
    ("+58 412 123 4567", "MX", "+584121234567"),  # Venezuela
    ("5512 3456", "GT", "+50255123456"),          # national format in Guatemala
])
def test_a_typed_number_becomes_one_e164_form(raw, region, expected):
    assert phones.normalize(raw, region) == expected


@pytest.mark.parametrize("raw, reason", [
    ("", "empty"), ("   ", "empty"),
    ("12345", "phone_short"), ("55-12", "phone_short"),
    ("+52 000 000 0000", "phone_invalid"),        # the catalog's own example, not a number
    ("+52 55 1234 567", "phone_invalid"),         # a digit short of a Mexican number
    ("+1 555 010 2030", "phone_invalid"),         # 555 numbers are not given out
    ("55 1234 5678 ext 2", "phone_invalid"),
    ("555-CALL-NOW", "phone_invalid"),
    ("<script>alert(1)</script>", "phone_invalid"),
    ("5" * 41, "phone_invalid"),                  # longer than any written number
    ("+52 55 1234 5678; DROP TABLE", "phone_invalid"),
    ("٥٥١٢٣٤٥٦٧٨", "phone_invalid"),              # digits of another script
    ("++525512345678", "phone_invalid"),
    ("whatsapp:+5215512345678", "phone_invalid"),  # an address, not what a person types
])
def test_what_is_not_a_number_says_why(raw, reason):
    with pytest.raises(phones.InvalidPhone) as caught:
        phones.normalize(raw)
    assert caught.value.reason == reason


@pytest.mark.parametrize("raw, expected", [
    ("+5215512345678", "+525512345678"), ("+525512345678", "+525512345678"),
    ("+15005550006", "+15005550006"),             # Twilio's test numbers are kept as sent
    ("+15550102030", "+15550102030"),
    ("+52155123456", "+52155123456"),             # too short to be a folded mobile: kept
    ("+52155123456789", "+52155123456789"),
    ("US.1234", "US.1234"), ("", ""),
])
def test_what_twilio_sends_is_folded_never_refused(raw, expected):
    assert phones.canonical(raw) == expected


@given(st.text(max_size=60))
def test_normalize_answers_any_text_with_a_number_or_a_reason(text):
    try:
        number = phones.normalize(text)
    except phones.InvalidPhone as exc:
        assert exc.reason in ("empty", "phone_short", "phone_invalid")
    else:
        assert number.startswith("+") and number[1:].isdigit()
        assert phones.canonical(number) == number  # already the one form


@pytest.mark.parametrize("text, reason", [
    ("123", "phone_short"), ("+52 000 000 0000", "phone_invalid")])
def test_the_registration_refuses_an_invalid_number_with_its_hint(text, reason):
    with pytest.raises(Invalid) as caught:
        reading.read_answer("reg_phone", text, "+525512340000")
    assert caught.value.reason == reason
    assert reading.hint("reg_phone", reason) == ("phone_short" if reason == "phone_short"
                                                 else "phone")


def test_the_registration_reads_the_whatsapp_form_of_a_mexican_number_as_the_sms_one():
    assert reading.read_answer("reg_phone", "+52 1 899 123 4567") == "+528991234567"


@pytest.mark.parametrize("text", ["+52 899 123 4567", "00 52 899 123 4567", "899 123 4567 1"])
def test_a_phone_where_the_a_number_belongs_is_still_told_apart(text):
    with pytest.raises(Invalid) as caught:
        reading.read_answer("reg_a_number", text)
    assert caught.value.reason == "a_number_phone"
