"""The words that confirm the erasure question reach it: none is a keyword the gateway would
act on before the assistant (a STOP instead of the erasure the person confirmed)."""

from __future__ import annotations

import pytest

from actions.privacy import _ERASE_WORDS
from hotline.messaging import keywords


@pytest.mark.parametrize("word", sorted(_ERASE_WORDS))
@pytest.mark.parametrize("shape", ["{}", "{}!", "{} por favor", "{} please"])
def test_an_erasure_confirmation_is_no_keyword(word, shape):
    assert keywords.match(shape.format(word)) is None
    assert keywords.match(shape.format(word).upper()) is None
