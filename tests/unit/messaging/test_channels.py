"""Addresses as Twilio writes them: SMS numbers and whatsapp: numbers."""

import pytest

from hotline.messaging.channels import InvalidAddress, parse_address


@pytest.mark.parametrize("raw,channel,number", [
    ("+5215512345678", "sms", "+5215512345678"),
    ("whatsapp:+5215512345678", "whatsapp", "+5215512345678"),
    ("WhatsApp:+1 (555) 010-2030", "whatsapp", "+15550102030"),
])
def test_parse_address(raw, channel, number):
    address = parse_address(raw)
    assert (address.channel, address.number) == (channel, number)


@pytest.mark.parametrize("raw", ["", "hola", "12345", "whatsapp:", "+0123456789", "+1" + "2" * 20,
                                 "<script>alert(1)</script>"])
def test_parse_address_rejects(raw):
    with pytest.raises(InvalidAddress):
        parse_address(raw)
