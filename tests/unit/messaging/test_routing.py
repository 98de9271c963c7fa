"""Routes for messages the hotline starts: which number and channel a message goes out on."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from hotline.messaging import routing
from support import SMS_NUMBER, WHATSAPP_NUMBER


def test_routes_for_messages_the_hotline_starts():
    from hotline.contacts import Contact

    numbers = (SMS_NUMBER, WHATSAPP_NUMBER)
    wa = Contact(id="c", number="+5215500000000", last_channel="whatsapp",
                 last_inbound_at=time.time() - 3600)
    assert routing.choose(wa, numbers, None).via == "session"
    with pytest.raises(routing.NoRoute, match="opted_out"):
        routing.choose(replace(wa, opted_out=True), numbers, None)
    assert routing.choose(replace(wa, last_inbound_at=0, sms_ok=True), numbers, None) == \
        routing.Route("+525500000000", SMS_NUMBER, "sms_fallback")  # SMS: the canonical form
