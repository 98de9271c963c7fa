"""The one rule for the language of a reply (`language.for_turn`)."""

import pytest

from hotline.messaging import language


@pytest.mark.parametrize("explicit, stored, metadata, expected", [
    ("en", "es", {"language": "es"}, "en"),  # an action switched it this turn
    (None, "en", {"language": "es"}, "en"),  # stored after the gateway chose the metadata
    (None, None, {"language": "en"}, "en"),  # a contact not stored yet
    (None, None, None, "es"),                # nothing known: the default
    ("fr", "xx", {"language": "de"}, "es"),  # unknown languages are skipped, never used
    ("", "", {}, "es"),
    (None, "fr", {"language": "en"}, "en"),
])
def test_for_turn_takes_the_first_known_language_in_order(explicit, stored, metadata, expected):
    assert language.for_turn(explicit, stored, metadata, "es") == expected


def test_for_turn_default_is_the_callers():
    assert language.for_turn(None, None, {}, "en") == "en"
