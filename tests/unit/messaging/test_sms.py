"""How long a message is in SMS segments, what cannot be read, and how a long reply is split."""

import pytest

from hotline.messaging import sms


@pytest.mark.parametrize("text,count", [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("[" * 80, 1), ("[" * 81, 2),  # extension characters cost two units
    ("ñ¿¡é" * 40, 1), ("á" * 70, 1), ("á" * 71, 2), ("á" * 201, 3), ("á" * 202, 4),
    ("😀" * 35, 1), ("😀" * 36, 2),  # a surrogate pair is two UCS-2 units
])
def test_segments(text, count):
    assert sms.segments(text) == count


def test_unreadable_reasons():
    assert sms.unreadable_reason("", 1) == sms.UNREADABLE_MEDIA
    assert sms.unreadable_reason("", 0) == sms.UNREADABLE_EMPTY
    assert sms.unreadable_reason("\n \t", 0) == sms.UNREADABLE_EMPTY
    assert sms.unreadable_reason("🙏😭🙏", 0) == sms.UNREADABLE_NO_TEXT
    assert sms.unreadable_reason("?!...", 0) == sms.UNREADABLE_NO_TEXT
    assert sms.unreadable_reason("x" * 1600, 0) == sms.UNREADABLE_TOO_LONG
    assert sms.unreadable_reason("x" * 1599, 0) is None
    assert sms.unreadable_reason("hola 🙏", 0) is None
    assert sms.unreadable_reason("1", 0) is None


def test_split_for_sending_keeps_order_and_limit():
    parts = [f"part {i} " + "x" * 700 for i in range(5)]
    bodies = sms.split_for_sending(parts)
    assert all(len(b) <= sms.MAX_BODY for b in bodies)
    joined = "\n\n".join(bodies)
    positions = [joined.index(f"part {i} ") for i in range(5)]
    assert positions == sorted(positions)
    long_one = sms.split_for_sending(["word " * 1000])
    assert len(long_one) == 4 and all(len(b) <= sms.MAX_BODY for b in long_one)
